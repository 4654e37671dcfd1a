// Reading a trace file for the subcommands that take one (trace_file.hpp is commands.hpp).
#include <filesystem>

#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "commands.hpp"

namespace chunkscope::cli {

namespace {
std::string g_program_path;
}

void set_program_path(const std::string& argv0) { g_program_path = argv0; }
const std::string& program_path() { return g_program_path; }

Result<Trace> load_trace_file(const std::string& path) {
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const InputError& e) {
    return Result<Trace>::failure(e.what());
  }
  return read_trace_bytes(bytes, path);
}

}  // namespace chunkscope::cli
