#pragma once
// Importing runs recorded by other tools into a Trace that every front-end opens and the analysis
// reads: the Chrome trace-event format (Perfetto, chrome://tracing; `chunkscope export` output
// included) and distributed's task stream (`Client.get_task_stream()`, saved with json.dump).
//
//   auto t = import_trace_text(text, "run.json");   // detects the format
//   if (!t) std::cerr << t.error() << "\n";          // one line naming the file and the event
//
// Layers come from task names: a Dask key "('add-3a8f…', 2, 0)" is layer "add-3a8f…" (named "add"),
// chunk index (2, 0); other names are a layer each. Sizes are not known to these formats: imported
// layers have unknown sizes (docs/trace-format.md, "Imported traces"), their tasks stage 1.
#include <string>

#include <nlohmann/json.hpp>

#include "chunkscope/core/error.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope {

/// Parses JSON text and imports it: a Chrome trace (an object with traceEvents, or an array of
/// events with "ph") or a task stream (an array of objects with "startstops"). Errors name `name`.
/// Throws only std::bad_alloc.
Result<Trace> import_trace_text(const std::string& text, const std::string& name);
/// Complete (X) and begin/end (B/E) events per thread; flows (s/f) become dependencies, the
/// "live memory (host)" counter the memory timeline; other events are skipped.
Result<Trace> import_chrome_trace(const nlohmann::json& doc, const std::string& name);
/// distributed's task stream: each entry's compute span, worker and thread, nbytes; transfers into
/// meta.extra.worker_transfers.
Result<Trace> import_task_stream(const nlohmann::json& doc, const std::string& name);

}  // namespace chunkscope
