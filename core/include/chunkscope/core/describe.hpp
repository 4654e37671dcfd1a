#pragma once
// Human-readable and JSON descriptions of a validated pipeline (`chunkscope describe`).
#include <string>

#include <nlohmann/json.hpp>

#include "chunkscope/core/graph.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope {

/// A table of layers: id, op, group, shape, chunk shape, chunks, tasks, bytes per chunk; then totals.
/// User strings (ids, names, paths) are passed through terminal_safe (terminal_text.hpp).
std::string describe_text(const Graph& g);
/// The same as JSON: {"name", "description", "layers": [{id, op, group, shape, chunks, chunk_shape,
/// num_chunks, tasks, chunk_bytes, dtype, inputs, inserted, pushed_into}], "tasks", "edges"}.
nlohmann::json describe_json(const Graph& g);

/// The same table for the layers of a trace or a plan document (a trace with no tasks whose layers
/// carry `params.planned_tasks`, docs/trace-format.md): layer, op, group, dtype, shape, chunk shape
/// ("?" where unknown), chunks, tasks (planned ones for a plan), chunk bytes, where it was created.
std::string describe_trace_text(const Trace& t);
/// {"name", "status", "layers": [{id, op, group, dtype, shape, chunk_shape, num_chunks, tasks,
/// chunk_bytes, inputs, created_at}], "tasks"}; unknown sizes are null.
nlohmann::json describe_trace_json(const Trace& t);

}  // namespace chunkscope
