#pragma once
// Test support for array I/O: a temporary folder removed at scope exit, NumPy fixtures made at
// run time through /usr/bin/python3 (tests skip that part with a warning when NumPy is missing),
// and small helpers to write arrays of known values.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "chunkscope/core/graph.hpp"
#include "chunkscope/core/pipeline.hpp"
#include "chunkscope/exec/pipeline_file.hpp"

namespace chunkscope::test {

/// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("chunkscope-io-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1))))
                .string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// True when /usr/bin/python3 can import numpy (checked once).
inline bool have_numpy() {
  static const bool yes = std::filesystem::exists("/usr/bin/python3") &&
                          std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
  return yes;
}

/// Runs a Python script with /usr/bin/python3 in `dir`; returns its exit status (0 = ok).
inline int run_python(const TempDir& dir, const std::string& script) {
  const std::string file = dir / "script.py";
  std::ofstream(file) << script;
  const std::string cmd = "cd '" + dir.path() + "' && /usr/bin/python3 '" + file + "'";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
}

/// Parses inline pipeline JSON with file probing; `push` = push rechunk/slice into sources.
inline Graph parse_with(const std::string& json_text, const std::string& base_dir, bool push) {
  PipelineOptions o;
  o.probe_source = probe_source_file;
  o.push_into_sources = push;
  auto g = parse_pipeline_text(json_text, "test.json", base_dir, o);
  if (!g) throw std::runtime_error(g.error());
  return std::move(g).value();
}

/// C-order flat index of `idx` in `shape`.
inline std::int64_t flat_index(const std::vector<std::int64_t>& idx, const std::vector<std::int64_t>& shape) {
  std::int64_t f = 0;
  for (size_t a = 0; a < shape.size(); ++a) f = f * shape[a] + idx[a];
  return f;
}

/// Calls f(idx) for every index of `shape` in C order.
template <class F>
void for_each_index(const std::vector<std::int64_t>& shape, F&& f) {
  std::vector<std::int64_t> idx(shape.size(), 0);
  for (auto s : shape)
    if (s <= 0) return;
  while (true) {
    f(idx);
    int a = static_cast<int>(shape.size()) - 1;
    for (; a >= 0; --a) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
    if (a < 0) return;
  }
}

}  // namespace chunkscope::test
