// Reading a trace file for the subcommands that take one, and writing their results
// (declared in commands.hpp).
#include <filesystem>
#include <iostream>

#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/exec/file_util.hpp"
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

void write_output(const std::string& out, std::string_view bytes) {
  if (out != "-") {
    write_file_atomic(out, bytes);
    return;
  }
  std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::cout.flush();
  if (!std::cout) throw std::runtime_error("standard output: cannot write");
}

bool output_allowed(const std::string& out, const std::vector<ReadFile>& reads, int& exit_code) {
  try {
    check_file_output(out, "-o", reads);
    return true;
  } catch (const InputError& e) {
    std::cerr << "chunkscope: " << e.what() << "\n";
    exit_code = kBadInput;
    return false;
  }
}

}  // namespace chunkscope::cli
