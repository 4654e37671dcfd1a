// The compare page of two runs (compare_export.hpp).
#include "chunkscope/web/compare_export.hpp"

#include <atomic>
#include <random>
#include <sstream>

#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/core/units.hpp"
#include "chunkscope/web/html_export.hpp"

namespace chunkscope::web {
namespace {

/// The comparison as JSON for the page, with the names of both files.
std::string comparison_blob(const ComparePair& p) {
  nlohmann::json j = comparison_to_json(p.comparison);
  j["before"] = p.source_before;
  j["after"] = p.source_after;
  return j.dump();
}

/// "regression" / "improvement" / "" as a CSS class of a changed number.
const char* change_class(const ComparedValue& v) {
  return v.regression ? "cs-worse" : v.improvement ? "cs-better" : "";
}

/// A cell with a change: its text and, for a regression or an improvement, the word.
std::string change_cell(const ComparedValue& v, const char* unit, bool both) {
  if (!both) return "<td></td>";
  std::string word = v.regression ? " (regression)" : v.improvement ? " (better)" : "";
  return std::string("<td class=\"") + change_class(v) + "\">" + html_escape(change_text(v, unit) + word) + "</td>";
}

std::string pair_text(const LayerComparison& l, const std::string& a, const std::string& b) {
  if (l.layer_a < 0) return "→ " + b;
  if (l.layer_b < 0) return a + " →";
  return a == b ? a : a + " → " + b;
}

/// The blobs both traces and the comparison travel in (gzip + base64).
std::string data_blobs(const ComparePair& p, bool with_id) {
  return inline_blob("cs-trace-before", write_trace_compact(p.before), p.source_before, with_id) +
         inline_blob("cs-trace-after", write_trace_compact(p.after), p.source_after, with_id) +
         inline_blob("cs-compare-data", comparison_blob(p), "comparison.json", with_id);
}

}  // namespace

std::string compare_static_report(const ComparePair& p, const std::string& note) {
  const TraceComparison& c = p.comparison;
  std::ostringstream o;
  o << "<section class=\"cs-static cs-compare-static\">\n";
  if (!note.empty())
    o << "<p class=\"cs-fallback\">" << html_escape(note) << "</p>\n";
  else
    o << "<p class=\"cs-noscript\">Scripts are blocked or failed, so the compare view is not shown: below is the "
         "comparison table.</p>\n";
  auto run_line = [&](const char* which, const std::string& src, const Trace& t) {
    o << "<p class=\"cs-meta\"><b>" << which << "</b> " << html_escape(src) << ": pipeline "
      << html_escape(t.meta.pipeline.empty() ? "?" : t.meta.pipeline) << " on " << html_escape(t.meta.executor) << ", "
      << html_escape(t.meta.status) << ", wall " << html_escape(format_duration_ns(static_cast<double>(t.meta.wall_ns)))
      << "</p>\n";
  };
  o << "<h2>Compare two runs</h2>\n";
  run_line("before:", p.source_before, p.before);
  run_line("after:", p.source_after, p.after);
  o << "<table class=\"cs-table cs-compare-run\"><thead><tr><th>run</th><th>before</th><th>after</th><th>change</th>"
       "</tr></thead><tbody>\n";
  auto run_row = [&](const char* name, const ComparedValue& v, const char* unit) {
    auto fmt = [&](double x) {
      return std::string(unit) == "ns"      ? format_duration_ns(x)
             : std::string(unit) == "bytes" ? format_bytes(x)
                                            : std::to_string(static_cast<long long>(x));
    };
    o << "<tr><td>" << name << "</td><td>" << html_escape(fmt(v.a)) << "</td><td>" << html_escape(fmt(v.b)) << "</td>"
      << change_cell(v, unit, true) << "</tr>\n";
  };
  run_row("wall time", c.wall_ns, "ns");
  run_row("peak memory", c.peak_bytes, "bytes");
  run_row("tasks", c.tasks, "");
  run_row("busy time", c.busy_ns, "ns");
  run_row("critical path", c.critical_ns, "ns");
  o << "</tbody></table>\n<h3>Layers</h3>\n<table class=\"cs-table cs-compare-layers\"><thead><tr><th>layer</th>"
       "<th>op</th><th>chunks before → after</th><th>tasks</th><th>time</th><th>time change</th><th>peak mem</th>"
       "<th>mem change</th></tr></thead><tbody>\n";
  for (const LayerComparison& l : c.layers) {
    const bool both = l.layer_a >= 0 && l.layer_b >= 0;
    const std::string name = l.layer_a < 0      ? l.id_b + " (only after)"
                             : l.layer_b < 0    ? l.id_a + " (only before)"
                             : l.id_a == l.id_b ? l.id_a
                                                : l.id_a + " → " + l.id_b;
    auto count = [](double x) { return std::to_string(static_cast<long long>(x)); };
    o << "<tr" << (l.regression() ? " class=\"cs-regressed\"" : "") << "><td>" << html_escape(name) << "</td><td>"
      << html_escape(l.op) << "</td><td>" << html_escape(pair_text(l, l.chunk_shape_a, l.chunk_shape_b)) << "</td><td>"
      << html_escape(pair_text(l, count(l.tasks.a), count(l.tasks.b))) << "</td><td>"
      << html_escape(pair_text(l, format_duration_ns(l.busy_ns.a), format_duration_ns(l.busy_ns.b))) << "</td>"
      << change_cell(l.busy_ns, "ns", both) << "<td>"
      << html_escape(pair_text(l, format_bytes(l.peak_live_bytes.a), format_bytes(l.peak_live_bytes.b))) << "</td>"
      << change_cell(l.peak_live_bytes, "bytes", both) << "</tr>\n";
  }
  o << "</tbody></table>\n<p>"
    << (c.regressions == 0 ? std::string("no regressions")
                           : std::to_string(c.regressions) + (c.regressions == 1 ? " regression" : " regressions"))
    << "</p>\n</section>\n";
  return o.str();
}

std::string compare_to_html(const ComparePair& p, const std::string& assets_dir) {
  const std::string css = read_asset(assets_dir, "style.css");
  const std::string app = read_asset(assets_dir, "app.js");
  const std::string wasm = read_asset(assets_dir, "chunkscope_web.js");
  const std::string graphviz = read_asset(assets_dir, "viz-global.js");
  std::string page = page_head("chunkscope — compare " + p.source_before + " → " + p.source_after, css);
  page += "<div id=\"cs-compare-root\" class=\"cs-compare-page\"></div>\n";
  page += compare_static_report(p);
  page += data_blobs(p, true);
  page += inline_blob("cs-wasm", wasm, "chunkscope_web.js", true);
  page += inline_blob("cs-graphviz", graphviz, "viz-global.js", true);
  // No CHUNKSCOPE_CONFIG: the dashboard script does not mount a dashboard; the compare view instead.
  page += "<script>\n" + app +
          "\n</script>\n<script>window.ChunkscopeDashboard.mountCompare(document.getElementById('cs-compare-root'), "
          "{mode: 'inline', standalone: true});</script>\n</body></html>\n";
  return page;
}

std::string compare_fallback_note(const std::string& missing) {
  return "The compare view is not included because " + missing + ". Below: the comparison table.";
}

std::string compare_static_page(const ComparePair& p, const std::string& why) {
  std::string page =
      page_head("chunkscope — compare " + p.source_before + " → " + p.source_after,
                ".cs-static { font: 13px/1.4 system-ui, sans-serif; color: #222; padding: 8px 16px; }\n"
                ".cs-table { border-collapse: collapse; } .cs-table td, .cs-table th { border: 1px solid #ddd; "
                "padding: 2px 8px; }\n.cs-worse { color: #c62828; } .cs-better { color: #1b7f3b; }\n"
                ".cs-fallback { background: #fff8e1; border: 1px solid #e08a00; border-radius: 4px; padding: 6px 10px; "
                "}");
  page += compare_static_report(p, why);
  page += "</body></html>\n";
  return page;
}

std::string compare_fragment(const ComparePair& p, const std::string& assets_dir, bool include_bundle) {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  const std::string uid = "cs-cmp-" + std::to_string(rd()) + "-" + std::to_string(counter++);
  std::string out = "<div class=\"cs-nb cs-nb-compare\" id=\"" + uid +
                    "\">\n<div class=\"cs-compare-root\" data-cs-compare-root></div>\n";
  out += compare_static_report(p);
  out += data_blobs(p, false);
  out += "</div>\n";
  if (include_bundle) out += notebook_bundle(assets_dir);
  out += "<script>(function () {\n  var el = document.getElementById('" + uid +
         "');\n"
         "  if (window.ChunkscopeDashboard && window.ChunkscopeDashboard.mountCompare) { "
         "window.ChunkscopeDashboard.mountCompare(el.querySelector('[data-cs-compare-root]'), {mode: 'inline', scope: "
         "el}); return; }\n"
         "  var n = el.querySelector('.cs-noscript');\n"
         "  if (n) n.textContent = 'The compare view needs the chunkscope script, which an earlier output of this "
         "notebook loads: re-run the first cell that displays a trace, or set chunkscope.notebook_bundle = \"always\" "
         "and re-run this one. Below: the comparison table.';\n"
         "})();</script>\n";
  return out;
}

}  // namespace chunkscope::web
