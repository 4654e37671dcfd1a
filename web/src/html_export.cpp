// The self-contained HTML page and the served dashboard page (html_export.hpp).
#include "chunkscope/web/html_export.hpp"

#include <atomic>
#include <random>
#include <sstream>

#include "chunkscope/core/analysis/findings.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/core/trace_summary.hpp"
#include "chunkscope/core/units.hpp"

namespace chunkscope::web {
namespace {

std::string shape_text(const Shape& s) {
  if (s.empty()) return "()";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "×" : "") + std::to_string(s[i]);
  return out;
}

const char* severity_text(Severity s) {
  switch (s) {
    case Severity::Critical: return "critical";
    case Severity::Warning: return "warning";
    default: return "info";
  }
}

// Content-Security-Policy of the pages: nothing is fetched from anywhere but the page itself
// (served mode) or data/blob URLs; inline scripts run, and WebAssembly compiles.
constexpr const char* kCsp =
    "default-src 'none'; script-src 'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval' blob:; worker-src blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' data: blob:; base-uri 'none'; "
    "form-action 'none'";

// The served page's: its scripts are files from the server (no inline script, no eval); the
// dashboard runs its bundles from blob: URLs it makes; the WebAssembly glue fetches its module
// from the data: URL it carries (connect-src data:).
constexpr const char* kServedCsp =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' data:; base-uri 'none'; "
    "form-action 'none'";

std::string head(const std::string& title, const std::string& css, const char* csp = kCsp) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta "
         "http-equiv=\"Content-Security-Policy\" content=\"" +
         std::string(csp) + "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         html_escape(title) + "</title>\n<style>\n" + css + "\n</style>\n</head>\n<body class=\"cs-page\">\n";
}

}  // namespace

std::string page_head(const std::string& title, const std::string& css) { return head(title, css); }

std::string inline_blob(const char* key, const std::string& data, const std::string& name, bool with_id) {
  return std::string("<script type=\"application/octet-stream\"") +
         (with_id ? std::string(" id=\"") + key + "\"" : std::string()) + " data-cs=\"" + key +
         "\" data-encoding=\"gzip+base64\" data-name=\"" + html_escape(name) + "\">" + gzip_base64(data) +
         "</script>\n";
}

std::string notebook_bundle(const std::string& assets_dir) {
  // The WebAssembly module and Graphviz once per page (ids: later displays find them), the style,
  // and the dashboard script, which defines window.ChunkscopeDashboard once.
  return "<style>\n" + read_asset(assets_dir, "style.css") + "\n</style>\n" +
         inline_blob("cs-wasm", read_asset(assets_dir, "chunkscope_web.js"), "chunkscope_web.js", true) +
         inline_blob("cs-graphviz", read_asset(assets_dir, "viz-global.js"), "viz-global.js", true) + "<script>\n" +
         read_asset(assets_dir, "app.js") + "\n</script>\n";
}

std::string notebook_fragment(const Trace& t, const Findings& f, const std::string& assets_dir,
                              const std::string& source, bool include_bundle) {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  const std::string uid = "cs-nb-" + std::to_string(rd()) + "-" + std::to_string(counter++);
  std::string out = "<div class=\"cs-nb\" id=\"" + uid + "\">\n<div class=\"cs-root\" data-cs-root></div>\n";
  out += static_report(t, f, source);
  out += inline_blob("cs-trace", write_trace_compact(t), source, false);
  out += inline_blob("cs-findings-data", findings_to_json(f).dump(), "findings.json", false);
  out += "</div>\n";
  if (include_bundle) out += notebook_bundle(assets_dir);
  // Mount when the bundle is on the page (this output or an earlier one); else say how to get it.
  out += "<script>(function () {\n  var el = document.getElementById('" + uid +
         "');\n"
         "  if (window.ChunkscopeDashboard) { window.ChunkscopeDashboard.mount(el.querySelector('[data-cs-root]'), "
         "{mode: 'inline', scope: el}); return; }\n"
         "  var n = el.querySelector('.cs-noscript');\n"
         "  if (n) n.textContent = 'The interactive view needs the chunkscope script, which an earlier output of this "
         "notebook loads: re-run the first cell that displays a trace, or set chunkscope.notebook_bundle = \"always\" "
         "and re-run this one. Below: the layer table and the findings.';\n"
         "})();</script>\n";
  return out;
}

std::string fallback_note(const std::string& missing) {
  return "The interactive dashboard is not included because " + missing + ". Below: the layer table and the findings.";
}

std::string static_page(const Trace& t, const Findings& f, const std::string& source, const std::string& why) {
  // The page's own small style: style.css may be among the missing files.
  std::string page =
      head("chunkscope — " + (t.meta.pipeline.empty() ? source : t.meta.pipeline),
           ".cs-static { font: 13px/1.4 system-ui, sans-serif; color: #222; padding: 8px 16px; }\n"
           ".cs-table { border-collapse: collapse; } .cs-table td, .cs-table th { border: 1px solid #ddd; padding: 2px "
           "8px; }\n"
           ".cs-fallback { background: #fff8e1; border: 1px solid #e08a00; border-radius: 4px; padding: 6px 10px; }");
  page += static_report(t, f, source, why);
  page += "</body></html>\n";
  return page;
}

std::string static_report(const Trace& t, const Findings& f, const std::string& source, const std::string& note) {
  const TraceSummary s = summarize(t);
  std::ostringstream o;
  o << "<section id=\"cs-static\" class=\"cs-static\">\n";
  if (!note.empty())
    o << "<p class=\"cs-fallback\" id=\"cs-fallback\">" << html_escape(note) << "</p>\n";
  else
    o << "<p class=\"cs-noscript\" id=\"cs-noscript\">Scripts are blocked or failed, so the interactive dashboard is "
         "not shown: "
         "below are the layer table and the findings.</p>\n";
  o << "<h2>" << html_escape(t.meta.pipeline.empty() ? source : t.meta.pipeline) << "</h2>\n<p class=\"cs-meta\">"
    << html_escape(source) << " · " << html_escape(t.meta.executor) << " executor, " << t.meta.threads
    << " workers · status " << html_escape(t.meta.status) << " · wall "
    << html_escape(format_duration_ns(static_cast<double>(t.meta.wall_ns))) << " · " << t.tasks.size()
    << " tasks · peak memory " << html_escape(format_bytes(static_cast<double>(t.memory.peak_bytes)));
  if (t.memory.peak_layer >= 0 && t.memory.peak_layer < static_cast<int>(t.layers.size()))
    o << " during “" << html_escape(t.layers[static_cast<size_t>(t.memory.peak_layer)].id) << "”";
  o << "</p>\n";
  if (!t.meta.error.empty()) o << "<p class=\"cs-error\">" << html_escape(t.meta.error) << "</p>\n";
  o << "<h3>Layers</h3>\n<table "
       "class=\"cs-table\"><thead><tr><th>layer</th><th>group</th><th>op</th><th>shape</th><th>chunks in → out</th>"
       "<th>tasks</th><th>time</th><th>critical</th><th>bytes</th><th>peak mem</th></tr></thead><tbody>\n";
  for (const LayerSummary& ls : s.layers) {
    const TraceLayer& l = t.layers[static_cast<size_t>(ls.layer)];
    o << "<tr><td>" << html_escape(l.id) << "</td><td>" << html_escape(l.group) << "</td><td>" << html_escape(l.op)
      << "</td><td>" << shape_text(l.shape) << "</td><td>"
      << (ls.in_chunk_shape.empty() ? "" : shape_text(ls.in_chunk_shape) + " → ") << shape_text(ls.out_chunk_shape)
      << "</td><td>" << ls.tasks << "</td><td>" << html_escape(format_duration_ns(static_cast<double>(ls.busy_ns)))
      << "</td><td>" << html_escape(format_duration_ns(static_cast<double>(ls.critical_ns))) << "</td><td>"
      << html_escape(format_bytes(static_cast<double>(ls.output_bytes))) << "</td><td>"
      << html_escape(format_bytes(static_cast<double>(ls.peak_live_bytes))) << "</td></tr>\n";
  }
  o << "</tbody></table>\n<h3>Findings (" << f.size() << ")</h3>\n<ol class=\"cs-findings-static\">\n";
  for (const Finding& x : f) {
    std::string layers;
    for (const auto& id : x.layers) layers += (layers.empty() ? "" : ", ") + id;
    o << "<li class=\"sev-" << severity_text(x.severity) << "\"><b>" << severity_text(x.severity) << "</b> ["
      << html_escape(x.rule) << "] " << html_escape(layers) << "<br>" << html_escape(x.message) << "<br><i>"
      << html_escape(x.advice) << "</i>";
    for (const auto& e : x.edits) o << "<br><code>" << html_escape(e.dump()) << "</code>";
    o << "</li>\n";
  }
  o << "</ol>\n</section>\n";
  return o.str();
}

std::string trace_to_html(const Trace& t, const Findings& f, const std::string& assets_dir, const std::string& source) {
  const std::string css = read_asset(assets_dir, "style.css");
  const std::string app = read_asset(assets_dir, "app.js");
  const std::string wasm = read_asset(assets_dir, "chunkscope_web.js");
  const std::string graphviz = read_asset(assets_dir, "viz-global.js");
  std::string page = head("chunkscope — " + (t.meta.pipeline.empty() ? source : t.meta.pipeline), css);
  page += "<div id=\"cs-root\"></div>\n";
  page += static_report(t, f, source);
  // Inlined data: gzip + base64 in non-executed script elements (base64 cannot close the element).
  auto blob = [](const char* id, const std::string& data, const std::string& name) {
    return inline_blob(id, data, name, true);
  };
  page += blob("cs-trace", write_trace_compact(t), source);
  page += blob("cs-findings-data", findings_to_json(f).dump(), "findings.json");
  page += blob("cs-wasm", wasm, "chunkscope_web.js");
  page += blob("cs-graphviz", graphviz, "viz-global.js");
  page += "<script>window.CHUNKSCOPE_CONFIG = {mode: \"inline\"};</script>\n<script>\n" + app +
          "\n</script>\n</body></html>\n";
  return page;
}

std::string served_page(const std::string& assets_dir, const std::string& title) {
  std::string page = head(title, read_asset(assets_dir, "style.css"), kServedCsp);
  page +=
      "<div id=\"cs-root\"></div>\n<section id=\"cs-static\" class=\"cs-static\"><p class=\"cs-noscript\" "
      "id=\"cs-noscript\">"
      "The dashboard needs JavaScript; <code>chunkscope report TRACE</code> prints the same tables in a "
      "terminal.</p></section>\n";
  page += "<script src=\"assets/config.js\"></script>\n<script src=\"assets/app.js\"></script>\n</body></html>\n";
  return page;
}

std::string served_config_script(bool live) {
  return std::string("window.CHUNKSCOPE_CONFIG = {mode: \"served\", live: ") + (live ? "true" : "false") + "};\n";
}

std::string served_csp() { return kServedCsp; }

}  // namespace chunkscope::web
