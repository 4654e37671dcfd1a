// chunkscope — see how a chunked array computation really runs.
#include <iostream>
#include <new>

#include "commands.hpp"

namespace {

int run_cli(int argc, char** argv) {
  CLI::App app{"chunkscope " CHUNKSCOPE_VERSION " — see how a chunked array computation runs: chunk shapes per layer, "
               "where time and memory go, and what to change."};
  app.set_version_flag("--version", std::string("chunkscope ") + CHUNKSCOPE_VERSION);
  app.require_subcommand(1);
  chunkscope::cli::set_program_path(argc > 0 ? argv[0] : "chunkscope");
  int exit_code = chunkscope::cli::kOk;
  chunkscope::cli::add_validate(app, exit_code);
  chunkscope::cli::add_describe(app, exit_code);
  chunkscope::cli::add_run(app, exit_code);
  chunkscope::cli::add_report(app, exit_code);
  chunkscope::cli::add_export(app, exit_code);
  chunkscope::cli::add_demo(app, exit_code);
  chunkscope::cli::add_advise(app, exit_code);
  chunkscope::cli::add_apply_advice(app, exit_code);
  chunkscope::cli::add_html(app, exit_code);
  chunkscope::cli::add_serve(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : chunkscope::cli::kBadInput;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // Errors the subcommands do not report themselves (memory or threads exhausted outside a task)
  // end with one line and exit code 1, not an abort.
  try {
    return run_cli(argc, argv);
  } catch (const std::bad_alloc&) {
    std::cerr << "chunkscope: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "chunkscope: " << e.what() << "\n";
  }
  return chunkscope::cli::kRunFailed;
}
