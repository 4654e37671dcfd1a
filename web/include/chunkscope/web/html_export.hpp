#pragma once
// One self-contained HTML page for a trace: the dashboard (app.js), core + viz as WebAssembly,
// Graphviz as WebAssembly and the trace itself, all inlined (gzip + base64), so the file opens from
// file:// with no network. A static report (the layer table and the findings as plain HTML) comes
// first in the page and is what a reader sees where scripts are blocked.
//
//   const std::string dir = find_web_assets(argv0);            // throws with what is missing
//   write_file_atomic("report.html", trace_to_html(trace, findings, dir, "cells.cstrace.json"));
//
// Every string that comes from a trace or a pipeline is HTML-escaped.
#include <string>
#include <string_view>

#include "chunkscope/core/analysis/findings.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope::web {

/// Where the dashboard files are looked up, and whether they are all there.
struct WebAssets {
  std::string dir;      ///< $CHUNKSCOPE_WEB_DIR when set, else <dir of exe>/../share/chunkscope/web
  std::string missing;  ///< "" when complete, else why not: names the missing file and how to get it
};
/// Looks for app.js, style.css, chunkscope_web.js and viz-global.js; never throws.
WebAssets locate_web_assets(const std::string& exe_path);

/// The folder holding the dashboard files (locate_web_assets). Throws std::runtime_error with
/// WebAssets::missing when a file is missing.
std::string find_web_assets(const std::string& exe_path);

/// The whole page. `source` names the trace file (shown, escaped). Throws std::runtime_error when
/// an asset cannot be read.
std::string trace_to_html(const Trace& t, const Findings& f, const std::string& assets_dir, const std::string& source);

/// The dashboard page served by `chunkscope serve`: the same app, which fetches its assets and the
/// traces from the server. Its scripts are files (assets/config.js, then assets/app.js), never
/// inline, so served_csp() needs neither 'unsafe-inline' nor 'unsafe-eval' for scripts.
std::string served_page(const std::string& assets_dir, const std::string& title);
/// assets/config.js of the served page: sets window.CHUNKSCOPE_CONFIG (mode "served"; `live`
/// makes the page poll for a growing trace).
std::string served_config_script(bool live);
/// The Content-Security-Policy of the served page (in its <meta>; the server sends it as a header
/// too): scripts from the server and the blob: URLs the page makes, WebAssembly, no eval.
std::string served_csp();

/// A dashboard as an HTML fragment for a notebook output (Trace._repr_html_): the static report
/// (shown until the script runs, and where scripts are blocked), the trace and its findings inlined,
/// and a script that mounts the dashboard. With include_bundle, the fragment also carries the
/// WebAssembly module, Graphviz, the style and the dashboard script (~2 MB) — a page needs them
/// once: later fragments reuse what an earlier one loaded (window.ChunkscopeDashboard). Every
/// script runs with AMD hidden, so require.js on the page does not matter.
std::string notebook_fragment(const Trace& t, const Findings& f, const std::string& assets_dir,
                              const std::string& source, bool include_bundle);

/// Only the bundle part of notebook_fragment (for an explicit "load the viewer" output).
std::string notebook_bundle(const std::string& assets_dir);

/// One inlined blob: <script type="application/octet-stream" data-cs=key ...> with gzip+base64 data.
std::string inline_blob(const char* key, const std::string& data, const std::string& name, bool with_id);

/// The static report: summary line, layer table and findings, as plain (escaped) HTML. Its first
/// line says scripts are blocked (shown until the dashboard mounts), or `note` when one is given.
std::string static_report(const Trace& t, const Findings& f, const std::string& source, const std::string& note = {});

/// A whole page with the static report alone, for when the dashboard files are missing: `why`
/// (escaped) says so at the top. Needs no asset; never throws for a valid trace.
std::string static_page(const Trace& t, const Findings& f, const std::string& source, const std::string& why);

/// The line a static report shows when the dashboard files are missing (`missing` from WebAssets).
std::string fallback_note(const std::string& missing);

/// The start of a page: doctype, the Content-Security-Policy of the self-contained pages, the
/// (escaped) title and `css` in a <style>, up to and including <body class="cs-page">.
std::string page_head(const std::string& title, const std::string& css);

/// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view s);

/// gzip (level 9) of bytes, then base64: how assets and traces are inlined.
std::string gzip_base64(std::string_view bytes);

/// The contents of a file in the assets folder; throws std::runtime_error naming it.
std::string read_asset(const std::string& assets_dir, const std::string& name);

}  // namespace chunkscope::web
