// The task columns of a Dask trace document, built natively (issue 15 item 13: the profiler's own
// work after a run). python/chunkscope/dask/document.py resolves every task to its layer (a pass
// that calls Python per key name); this function does the per-task pass that follows, which had no
// Python left in it but dict look-ups and arithmetic: chunk index -> (stage, chunk), worker lanes,
// dependency edges, clamped times and bytes, and the columns themselves.
#pragma once

#include <pybind11/pybind11.h>

namespace chunkscope::python {

/// Per-task columns of a trace document (docs/trace-format.md "tasks") from the capture's task
/// tuples, in their (causal) order.
///
/// `tasks`: a list of (key, layer, index, start_ns, end_ns, worker, bytes, is_output, status).
/// `geometry`: layer -> (layer index, chunks per axis as a tuple, scalar): a task of an output key
/// whose index falls in the grid, the first one for its chunk, is that chunk's stage-0 task; every
/// other task is stage 1, numbered per layer. `aliases`: a set of alias keys (or None): their
/// (stage, chunk) pairs are returned per layer. `dependencies`: key -> iterable of keys (or None);
/// edges to keys that are not earlier tasks are dropped. Times and bytes are made ints (floats
/// truncated, None bytes 0) and clamped: start >= 0, end >= start, bytes >= 0. Workers become
/// lanes in order of first appearance; an unknown (None) worker after the first lane is drawn on
/// lane 0.
///
/// Returns a dict: the columns "layer", "stage", "chunk", "worker", "start_ns", "end_ns", "bytes",
/// "status", "fused" (lists of ints), "dep_offsets", "dep_index", "edge_end" (when each edge's
/// reader ended), "workers" (the worker objects by lane), "alias_tasks" (layer index -> [[stage,
/// chunk], ...]), "layer_tasks" (tasks per layer index, `layer_count` long) and "first_failed"
/// (the first task of status 2, or -1). Raises TypeError on a malformed tuple, ValueError on a
/// layer that `geometry` lacks.
pybind11::dict dask_task_columns(const pybind11::list& tasks, const pybind11::dict& geometry, int layer_count,
                                 const pybind11::object& aliases, const pybind11::object& dependencies);

}  // namespace chunkscope::python
