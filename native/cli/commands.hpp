#pragma once
// The subcommands of the `chunkscope` CLI. Each registers itself on the app and returns the
// exit code through `exit_code` when it ran: 0 ok, 1 the run failed, 2 bad input.
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "chunkscope/core/error.hpp"
#include "chunkscope/core/trace.hpp"
#include "chunkscope/exec/output_paths.hpp"

namespace chunkscope::cli {

/// Exit codes of every subcommand (kRegressed: `diff` found a regression).
enum Exit : int { kOk = 0, kRunFailed = 1, kBadInput = 2, kRegressed = 3 };

/// `serve` and `run --serve`: the default port. Not 8787, Dask's dashboard, which a Dask user has open.
inline constexpr int kDefaultServePort = 8790;

void add_validate(CLI::App& app, int& exit_code);
void add_describe(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);
void add_report(CLI::App& app, int& exit_code);
void add_export(CLI::App& app, int& exit_code);
void add_demo(CLI::App& app, int& exit_code);
void add_advise(CLI::App& app, int& exit_code);
void add_apply_advice(CLI::App& app, int& exit_code);
void add_html(CLI::App& app, int& exit_code);
void add_serve(CLI::App& app, int& exit_code);
void add_diff(CLI::App& app, int& exit_code);
void add_import(CLI::App& app, int& exit_code);

/// Reads and validates a trace file (JSON, CBOR or compact); the error names the file.
Result<Trace> load_trace_file(const std::string& path);
/// Writes the self-contained HTML page of a trace; returns the exit code (prints the error).
int write_html_report(const Trace& t, const std::string& source, const std::string& out, bool quiet);
/// Writes a command's result to `out`: "-" is standard output, anything else is written with
/// write_file_atomic (exec/file_util.hpp). Throws std::runtime_error naming the file.
void write_output(const std::string& out, std::string_view bytes);
/// False (after printing the one-line reason and setting exit_code to kBadInput) when writing
/// `out` would replace one of `reads` or something that is not a file (exec/output_paths.hpp).
bool output_allowed(const std::string& out, const std::vector<ReadFile>& reads, int& exit_code);
/// argv[0], for finding files installed next to the binary.
void set_program_path(const std::string& argv0);
const std::string& program_path();

}  // namespace chunkscope::cli
