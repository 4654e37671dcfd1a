#pragma once
// Human-readable and JSON descriptions of a validated pipeline (`chunkscope describe`).
#include <string>

#include <nlohmann/json.hpp>

#include "chunkscope/core/graph.hpp"

namespace chunkscope {

/// A table of layers: id, op, group, shape, chunk shape, chunks, tasks, bytes per chunk; then totals.
/// User strings (ids, names, paths) are passed through terminal_safe (terminal_text.hpp).
std::string describe_text(const Graph& g);
/// The same as JSON: {"name", "description", "layers": [{id, op, group, shape, chunks, chunk_shape,
/// num_chunks, tasks, chunk_bytes, dtype, inputs, inserted, pushed_into}], "tasks", "edges"}.
nlohmann::json describe_json(const Graph& g);

}  // namespace chunkscope
