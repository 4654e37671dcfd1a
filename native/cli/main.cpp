// chunkscope — see how a chunked array computation really runs.
#include <atomic>
#include <cstdio>
#include <exception>
#include <iostream>
#include <new>

#include "commands.hpp"

namespace {

// Memory held back for the way out of an allocation failure. nlohmann_json's destructors allocate
// (they flatten a document onto a heap stack) and are noexcept: a bad_alloc that unwinds through a
// large document (a trace of 1,000,000 layers being written or read) would end in std::terminate.
// The first failed allocation throws as usual and leaves the reserve; every later one (those of
// the unwinding: destructors, and the library's catch-and-rethrow blocks, where
// std::uncaught_exceptions() is 0) gets a block back and is tried again. Pages never touched: the
// reserve costs address space, not memory.
constexpr std::size_t kReserveBlock = std::size_t{16} << 20;
constexpr int kReserveBlocks = 8;
std::atomic<char*> g_reserve[kReserveBlocks];
std::atomic<bool> g_failed{false};

void on_out_of_memory() {
  if (g_failed.exchange(true) || std::uncaught_exceptions() > 0)
    for (auto& block : g_reserve)
      if (char* r = block.exchange(nullptr)) {
        ::operator delete[](r);
        return;  // operator new tries again
      }
  throw std::bad_alloc();
}

int run_cli(int argc, char** argv) {
  CLI::App app{"chunkscope " CHUNKSCOPE_VERSION
               " — see how a chunked array computation runs: chunk shapes per layer, "
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
  chunkscope::cli::add_diff(app, exit_code);
  chunkscope::cli::add_import(app, exit_code);
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
  for (auto& block : g_reserve)
    block = static_cast<char*>(::operator new[](kReserveBlock, std::nothrow));  // fewer under a tight ulimit
  std::set_new_handler(on_out_of_memory);
  try {
    return run_cli(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fputs("chunkscope: out of memory\n", stderr);  // no allocation on the way out
  } catch (const std::exception& e) {
    std::cerr << "chunkscope: " << e.what() << "\n";
  }
  return chunkscope::cli::kRunFailed;
}
