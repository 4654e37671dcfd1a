#include "dask_handoff.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

#include "commands.hpp"

namespace chunkscope::cli {
namespace {

/// The folder holding the chunkscope package that goes with this binary: <build>/python (build tree),
/// or the folder above chunkscope/bin/ (a pip install); "" when neither has it.
std::string package_root() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::canonical(fs::path(program_path()), ec);
  if (ec) return {};
  const fs::path bin = exe.parent_path();
  for (const fs::path& root : {bin.parent_path() / "python", bin.parent_path().parent_path()})
    if (fs::exists(root / "chunkscope" / "run_dask.py", ec)) return root.string();
  return {};
}

}  // namespace

int run_on_dask(const std::string& pipeline, const RunRequest& req, const DaskTarget& target) {
  const char* env = std::getenv("CHUNKSCOPE_PYTHON");
  const std::string python = env && *env ? env : "/usr/bin/python3";
  std::vector<std::string> args = {python, "-m", "chunkscope.run_dask", pipeline};
  if (!target.scheduler.empty()) args.insert(args.end(), {"--scheduler", target.scheduler});
  if (target.local_cluster > 0) args.insert(args.end(), {"--local-cluster", std::to_string(target.local_cluster)});
  if (req.threads > 0) args.insert(args.end(), {"--threads", std::to_string(req.threads)});
  if (req.memory_limit > 0) args.insert(args.end(), {"--memory-limit", std::to_string(req.memory_limit)});
  if (req.no_trace)
    args.emplace_back("--no-trace");
  else if (!req.trace_path.empty())
    args.insert(args.end(), {"--trace", req.trace_path});
  if (!req.html_path.empty()) args.insert(args.end(), {"--html", req.html_path});
  if (req.quiet) args.emplace_back("--quiet");
  const std::string root = package_root();
  if (!root.empty()) {
    const char* old = std::getenv("PYTHONPATH");
    const std::string path = old && *old ? root + ":" + old : root;
    ::setenv("PYTHONPATH", path.c_str(), 1);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  ::execv(python.c_str(), argv.data());
  std::cerr << "chunkscope: --executor dask: cannot run " << python << ": " << std::strerror(errno)
            << " (it needs Python 3 with dask and distributed, e.g. Debian's python3-dask python3-distributed; or set "
               "CHUNKSCOPE_PYTHON)\n";
  return kRunFailed;
}

}  // namespace chunkscope::cli
