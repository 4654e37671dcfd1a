#pragma once
// JSON of the view structs, for the browser (embind passes strings) and notebooks. Field names
// are the struct members' names; enums as their names ("group", "layer", "task", "heatmap";
// timeline rects: "task", "transfer").
#include <nlohmann/json.hpp>

#include "chunkscope/viz/chunk_grid.hpp"
#include "chunkscope/viz/memory.hpp"
#include "chunkscope/viz/memory_stack.hpp"
#include "chunkscope/viz/model.hpp"
#include "chunkscope/viz/resources.hpp"
#include "chunkscope/viz/scene.hpp"
#include "chunkscope/viz/timeline.hpp"
#include "chunkscope/viz/view.hpp"

namespace chunkscope::viz {

/// "group", "layer", "task", "heatmap".
const char* node_kind_name(VNode::Kind k);

nlohmann::json to_json(const Scene& s);
nlohmann::json to_json(const Timeline& t);
/// {t_ns, bytes, limit, peak, peak_t, peak_layer} of the host, plus "devices": [{device, t_ns, bytes,
/// limit, peak, peak_t, peak_layer}] only when the trace has device series.
nlohmann::json to_json(const MemoryView& m);
/// {by, note, t_ns, at_ns, total, bands: [{label, color, layers, peak_bytes, bytes}], limit, peak, peak_t}:
/// per column, the bands' bytes sum to total (bands bottom to top, largest at the peak first).
nlohmann::json to_json(const MemoryStack& s);
/// {t_ns, processes: [{process, rss, cpu_percent, cores, rss_peak}], rss, cpu_percent, cores, unmanaged,
/// unmanaged_note, rss_peak}: per column; NaN (outside the samples) written as null.
nlohmann::json to_json(const ResourceView& r);
/// NaN values are written as null.
nlohmann::json to_json(const ChunkGrid& g);
nlohmann::json to_json(const TaskInfo& t);
nlohmann::json to_json(const TransferInfo& t);
nlohmann::json to_json(const VisibleGraph& g);
nlohmann::json to_json(const LayerStats& l);
/// {"layers": [LayerStats...], "groups": [{path, name, parent, groups, layers}], "findings":
/// [{rule, severity, layers, message, evidence: [{name, value, unit, text}], advice, edits}],
/// "meta": {pipeline, executor, threads, wall_ns, status, tasks, peak_bytes, peak_layer, memory_limit}}.
nlohmann::json model_summary(const Model& m);

}  // namespace chunkscope::viz
