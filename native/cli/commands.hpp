#pragma once
// The subcommands of the `chunkscope` CLI. Each registers itself on the app and returns the
// exit code through `exit_code` when it ran: 0 ok, 1 the run failed, 2 bad input.
#include <CLI/CLI.hpp>

namespace chunkscope::cli {

/// Exit codes of every subcommand.
enum Exit : int { kOk = 0, kRunFailed = 1, kBadInput = 2 };

void add_validate(CLI::App& app, int& exit_code);
void add_describe(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);
void add_report(CLI::App& app, int& exit_code);
void add_export(CLI::App& app, int& exit_code);
void add_demo(CLI::App& app, int& exit_code);
void add_advise(CLI::App& app, int& exit_code);
void add_apply_advice(CLI::App& app, int& exit_code);

}  // namespace chunkscope::cli
