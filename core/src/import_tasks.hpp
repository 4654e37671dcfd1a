#pragma once
// What the importers share: tasks as read (name, times, worker, bytes, dependencies), made into a
// Trace with layers from the task names (core/src/import_tasks.cpp).
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/core/trace.hpp"

namespace chunkscope::detail {

struct ImportedTask {
  std::string layer_id, layer_name, op;  ///< from the name (dask_key_layer) or the event's args
  std::vector<std::int64_t> index;       ///< the chunk index of a Dask key, empty when none
  std::int64_t start_ns = 0, end_ns = 0, bytes = 0;
  int worker = 0;
  std::vector<std::int64_t> deps;  ///< indices into the imported tasks
  bool failed = false;
};

/// A Dask key's layer and chunk index: "('add-3a8f', 2, 0)" -> ("add-3a8f", "add", {2, 0});
/// "finalize-77ab" -> ("finalize-77ab", "finalize", {}); any other text -> (text, text, {}).
void split_task_name(const std::string& name, std::string& layer_id, std::string& layer_name,
                     std::vector<std::int64_t>& index);

/// The trace: tasks ordered by start (dependencies that do not end before their task starts are
/// dropped), layers in order of their first task, worker names in meta.extra.workers, times from 0.
Trace build_imported_trace(std::vector<ImportedTask> tasks, const std::vector<std::string>& worker_names,
                           const std::string& executor, const std::string& source);

}  // namespace chunkscope::detail
