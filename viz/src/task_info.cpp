// task_info: the facts of one task for a tooltip.
#include <stdexcept>

#include "chunkscope/viz/chunk_grid.hpp"

namespace chunkscope::viz {

TaskInfo task_info(const Model& m, std::int64_t task) {
  const TraceTasks& c = m.trace().tasks;
  if (task < 0 || task >= c.size()) throw std::out_of_range("task_info: no task " + std::to_string(task));
  const TraceLayer& tl = m.trace().layers[static_cast<size_t>(c.layer[task])];
  TaskInfo info;
  info.layer = tl.id;
  info.stage = c.stage[task];
  const std::int64_t chunks = m.layers()[static_cast<size_t>(c.layer[task])].chunks;
  if (info.stage == 0 && c.chunk[task] >= 0 && c.chunk[task] < chunks) {
    const ArrayMeta meta = tl.meta();
    info.chunk_index = meta.chunk_coords(c.chunk[task]);
    info.chunk_shape = meta.chunk_shape(c.chunk[task]);
  } else {
    info.chunk_index = {c.chunk[task]};
  }
  info.bytes = c.bytes[task];
  info.duration_ns = c.duration(task);
  info.start_ns = c.start_ns[task];
  info.worker = c.worker[task];
  info.fused = c.fused[task] != 0;
  info.status = trace_status_name(c.status[task]);
  return info;
}

}  // namespace chunkscope::viz
