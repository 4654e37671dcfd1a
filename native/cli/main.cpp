// chunkscope — see how a chunked array computation really runs.
#include <atomic>
#include <cstdio>
#include <iostream>
#include <new>

#include "commands.hpp"

namespace {

// Memory held back for the way out of an allocation failure. nlohmann_json's destructors allocate
// (they flatten a document onto a heap stack), and they are noexcept: a bad_alloc that unwinds
// through a large document (a trace of 1,000,000 layers being written or read) would otherwise end
// in std::terminate. The first failed allocation gives this back and fails as usual; the unwinding
// then has room, and main() prints one line. Untouched pages: it costs address space, not memory.
constexpr std::size_t kOutOfMemoryReserve = std::size_t{128} << 20;
std::atomic<char*> g_reserve{nullptr};

void on_out_of_memory() {
  if (char* r = g_reserve.exchange(nullptr)) ::operator delete[](r);
  throw std::bad_alloc();
}

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
  for (std::size_t size = kOutOfMemoryReserve; !g_reserve.load() && size >= (std::size_t{4} << 20); size /= 2)
    g_reserve = static_cast<char*>(::operator new[](size, std::nothrow));  // less under a tight ulimit
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
