#pragma once
// The compare page of two runs, before and after a change (issue 20): both traces and their
// comparison (core/compare.hpp, computed natively and inlined as JSON: the page never recomputes
// it) with the dashboard script, which draws the compare view — both timelines on one time axis,
// the graph of the second run annotated with the changes per layer, and the diff table. Written by
// `chunkscope diff A B --html`, Python's Comparison.to_html and Comparison._repr_html_.
//
//   const TraceComparison c = compare_traces(before, after);
//   write_file_atomic("compare.html", compare_to_html({before, after, c, "a.cstrace.json", "b.cstrace.json"}, dir));
//
// Every string that comes from a trace or a file name is HTML-escaped.
#include <string>

#include "chunkscope/core/compare.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope::web {

/// Two runs and their comparison (references: the caller keeps them alive).
struct ComparePair {
  const Trace& before;
  const Trace& after;
  const TraceComparison& comparison;
  std::string source_before, source_after;  ///< the file names shown (escaped)
};

/// The comparison as plain HTML: a line naming both runs, the run rows and one row per layer
/// (regressions and improvements marked in words, not only in colour). What a reader sees where
/// scripts are blocked; `note` replaces the "scripts are blocked" line when given.
std::string compare_static_report(const ComparePair& p, const std::string& note = {});

/// The whole self-contained page (opens from file://, no network). Throws std::runtime_error when a
/// dashboard file cannot be read (find_web_assets says which).
std::string compare_to_html(const ComparePair& p, const std::string& assets_dir);

/// The page with the static comparison alone, for when the dashboard files are missing (`why` at
/// the top). Needs no asset.
std::string compare_static_page(const ComparePair& p, const std::string& why);

/// The line the static comparison shows when the dashboard files are missing (`missing` from WebAssets).
std::string compare_fallback_note(const std::string& missing);

/// The compare view as a notebook output (Comparison._repr_html_): the static comparison, both
/// traces and the comparison inlined, and a script that mounts the view; with include_bundle also
/// the scripts (~2 MB), which a page needs once (as notebook_fragment).
std::string compare_fragment(const ComparePair& p, const std::string& assets_dir, bool include_bundle);

}  // namespace chunkscope::web
