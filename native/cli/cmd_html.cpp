// `chunkscope html TRACE -o report.html`: one self-contained page (web/include/chunkscope/web/html_export.hpp).
#include <iostream>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/core/trace_summary.hpp"
#include "chunkscope/exec/file_util.hpp"
#include "chunkscope/web/html_export.hpp"
#include "commands.hpp"

namespace chunkscope::cli {

int write_html_report(const Trace& t, const std::string& source, const std::string& out, bool quiet) {
  try {
    const web::WebAssets assets = web::locate_web_assets(program_path());
    const TraceSummary summary = summarize(t);
    AnalysisOptions ao;
    ao.summary = &summary;  // computed once (a 100,000-layer trace: issue 14, item 5)
    const Findings f = analyze(t, ao);
    if (!assets.missing.empty()) {  // still a page: the static report, saying why (issue 18)
      const std::string page = web::static_page(t, f, source, web::fallback_note(assets.missing));
      write_output(out, page);
      std::cerr << "chunkscope: html: " << assets.missing << "\n";
      if (!quiet && out != "-") std::cout << "wrote " << out << " (the static report only: layer table and findings)\n";
      return kOk;
    }
    const std::string page = web::trace_to_html(t, f, assets.dir, source);
    write_output(out, page);
    if (!quiet && out != "-")
      std::cout << "wrote " << out << " (" << page.size() / 1024 << " KiB; open it in a browser, no network needed)\n";
    return kOk;
  } catch (const std::bad_alloc&) {
    throw;  // main() prints the one line for out of memory
  } catch (const std::exception& e) {
    std::cerr << "chunkscope: html: " << e.what() << "\n";
    return kRunFailed;
  }
}

void add_html(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "html", "Write one self-contained HTML dashboard for a trace (graph, timeline, memory, findings; opens offline)");
  struct Opts {
    std::string path, out;
    bool fragment = false, no_bundle = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("TRACE", o->path, "trace file (.cstrace.json, .cstrace.cbor or compact)")->required();
  cmd->add_option("-o,--output", o->out,
                  "the HTML file to write (default: the trace's name with .html; - = standard output)");
  cmd->add_flag("--fragment", o->fragment,
                "write an HTML fragment to embed in another page (as notebooks do) instead of a whole page");
  cmd->add_flag(
      "--no-bundle", o->no_bundle,
      "with --fragment: leave out the scripts (~2 MB) because an earlier fragment on the same page carries them");
  cmd->callback([o, &exit_code] {
    auto t = load_trace_file(o->path);
    if (!t) {
      std::cerr << "chunkscope: " << t.error() << "\n";
      exit_code = kBadInput;
      return;
    }
    std::string out = o->out;
    if (out.empty()) {
      out = o->path;
      for (const char* ext : {".cstrace.json", ".cstrace.cbor", ".json", ".cbor"}) {
        const std::string e(ext);
        if (out.size() > e.size() && out.compare(out.size() - e.size(), e.size(), e) == 0) {
          out.resize(out.size() - e.size());
          break;
        }
      }
      out += ".html";
    }
    if (!output_allowed(out, {{o->path, "the trace read"}}, exit_code)) return;
    if (!o->fragment) {
      exit_code = write_html_report(*t, o->path, out, false);
      return;
    }
    try {
      const web::WebAssets assets = web::locate_web_assets(program_path());
      if (!assets.missing.empty()) std::cerr << "chunkscope: html: " << assets.missing << "\n";
      const std::string frag = assets.missing.empty()
                                   ? web::notebook_fragment(*t, analyze(*t), assets.dir, o->path, !o->no_bundle)
                                   : web::static_report(*t, analyze(*t), o->path, web::fallback_note(assets.missing));
      write_output(out, frag);
      if (out != "-") std::cout << "wrote " << out << " (" << frag.size() / 1024 << " KiB fragment)\n";
    } catch (const std::bad_alloc&) {
      throw;  // main() prints the one line for out of memory
    } catch (const std::exception& e) {
      std::cerr << "chunkscope: html: " << e.what() << "\n";
      exit_code = kRunFailed;
    }
  });
}

}  // namespace chunkscope::cli
