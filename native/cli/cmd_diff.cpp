// `chunkscope diff BEFORE AFTER`: two runs compared per layer (core/compare.hpp); exit status 3
// when a number regressed, so scripts can gate on it. `--html FILE` also writes the compare page
// (web/include/chunkscope/web/compare_export.hpp): both timelines on one time axis, the graph of
// AFTER annotated with the changes, the table.
#include <iostream>

#include "chunkscope/core/compare.hpp"
#include "chunkscope/core/terminal_text.hpp"
#include "chunkscope/core/units.hpp"
#include "chunkscope/web/compare_export.hpp"
#include "chunkscope/web/html_export.hpp"
#include "commands.hpp"

namespace chunkscope::cli {

void add_diff(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "diff",
      "Compare two traces per layer (chunk shapes, tasks, time, memory) and flag regressions; exit 0: none, "
      "3: a regression, 2: bad input, 1: the output could not be written");
  struct Opts {
    std::string a, b, out = "-", html;
    bool json = false;
    double time_ratio = 0.20, memory_ratio = 0.10;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("BEFORE", o->a, "the trace of the first run (the base)")->required();
  cmd->add_option("AFTER", o->b, "the trace of the run to compare with it")->required();
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->add_option("-o,--output", o->out,
                  "write the comparison to this file instead of standard output (- = standard output)");
  cmd->add_option("--html", o->html,
                  "also write the compare page to this HTML file: both timelines on one time axis, the graph of AFTER "
                  "annotated with the changes per layer, the table (self-contained, opens offline)");
  cmd->add_option("--time-threshold", o->time_ratio,
                  "relative growth of a time that counts as a regression (default 0.2 = 20%; also at least 1 ms and 2% "
                  "of the base's busy time)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--memory-threshold", o->memory_ratio,
                  "relative growth of peak memory that counts as a regression (default 0.1 = 10%; also at least 16 MiB "
                  "and 2% of the base's peak)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o, &exit_code] {
    auto a = load_trace_file(o->a);
    if (!a) {
      std::cerr << "chunkscope: " << a.error() << "\n";
      exit_code = kBadInput;
      return;
    }
    auto b = load_trace_file(o->b);
    if (!b) {
      std::cerr << "chunkscope: " << b.error() << "\n";
      exit_code = kBadInput;
      return;
    }
    if (!output_allowed(o->out, {{o->a, "a trace read"}, {o->b, "a trace read"}}, exit_code)) return;
    if (!o->html.empty() &&
        (o->html == o->out || !output_allowed(o->html, {{o->a, "a trace read"}, {o->b, "a trace read"}}, exit_code))) {
      if (o->html == o->out) {
        std::cerr << "chunkscope: --html and -o name the same file: " << o->html << "\n";
        exit_code = kBadInput;
      }
      return;
    }
    CompareOptions co;
    co.time_ratio = o->time_ratio;
    co.memory_ratio = o->memory_ratio;
    const TraceComparison c = compare_traces(*a, *b, co);
    std::string text;
    if (o->json) {
      nlohmann::json j = comparison_to_json(c);
      j["before"] = o->a;
      j["after"] = o->b;
      text = j.dump(2) + "\n";
    } else {
      auto head = [](const char* which, const std::string& path, const Trace& t) {
        return std::string(which) + terminal_safe(path) + ": pipeline " +
               (t.meta.pipeline.empty() ? "?" : terminal_safe(t.meta.pipeline)) + " on " +
               terminal_safe(t.meta.executor) + ", " + terminal_safe(t.meta.status) +
               (t.meta.start_time.empty() ? "" : ", " + terminal_safe(t.meta.start_time)) + "\n";
      };
      text = head("before: ", o->a, *a) + head("after:  ", o->b, *b) + "\n" + comparison_table(c);
    }
    try {
      write_output(o->out, text);
    } catch (const std::bad_alloc&) {
      throw;  // main() prints the one line for out of memory
    } catch (const std::exception& e) {
      std::cerr << "chunkscope: " << e.what() << "\n";
      exit_code = kRunFailed;
      return;
    }
    if (!o->html.empty()) {
      try {
        const web::ComparePair pair{*a, *b, c, o->a, o->b};
        const web::WebAssets assets = web::locate_web_assets(program_path());
        const bool full = assets.missing.empty();
        if (!full) std::cerr << "chunkscope: diff: " << assets.missing << "\n";
        const std::string page = full ? web::compare_to_html(pair, assets.dir)
                                      : web::compare_static_page(pair, web::compare_fallback_note(assets.missing));
        write_output(o->html, page);
        if (o->html != "-")
          std::cerr << "wrote " << o->html << " ("
                    << (full ? std::to_string(page.size() / 1024) + " KiB; open it in a browser, no network needed"
                             : std::string("the static comparison only"))
                    << ")\n";
      } catch (const std::bad_alloc&) {
        throw;
      } catch (const std::exception& e) {
        std::cerr << "chunkscope: diff: " << e.what() << "\n";
        exit_code = kRunFailed;
        return;
      }
    }
    exit_code = c.regressions > 0 ? kRegressed : kOk;
  });
}

}  // namespace chunkscope::cli
