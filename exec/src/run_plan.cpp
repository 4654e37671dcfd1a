#include "chunkscope/exec/run_plan.hpp"

#include <chrono>
#include <exception>
#include <ostream>

#include "chunkscope/core/error.hpp"
#include "chunkscope/core/ops.hpp"
#include "chunkscope/core/task_order.hpp"
#include "chunkscope/core/units.hpp"
#include "chunkscope/exec/sink_finalize.hpp"
#include "output_assembly.hpp"

namespace chunkscope {

RunPlan plan_run(const Graph& graph, const PrepareOptional& optional) {
  const TaskGraph& tg = graph.tasks();
  const std::int64_t n = tg.size();
  const int nl = static_cast<int>(graph.layers().size());
  RunPlan p;
  p.kernels.resize(static_cast<size_t>(nl));
  p.states.resize(static_cast<size_t>(nl));
  for (int l = 0; l < nl; ++l) {
    p.kernels[l] = &kernel_for(graph.layer(l));
    if (!p.kernels[l]->prepare || graph.layer_task_count(l) == 0) continue;
    try {
      p.states[l] = p.kernels[l]->prepare(graph, l);
    } catch (const std::exception& e) {
      if (!(optional && optional(l))) throw InputError("layer \"" + graph.layer(l).id + "\": " + e.what());
    }
  }
  p.out_bytes.resize(static_cast<size_t>(n));
  for (std::int64_t t = 0; t < n; ++t) {
    const TaskKey k = tg.key(t);
    p.out_bytes[t] = p.kernels[k.layer]->output_bytes(graph, k.layer, k, p.states[k.layer].get());
  }
  p.keep.assign(static_cast<size_t>(n), 0);
  for (const auto& o : graph.outputs())
    if (o.to_npy.empty() && o.to_zarr.empty())
      for (std::int64_t c = 0; c < graph.layer(o.layer).meta.num_chunks(); ++c) p.keep[tg.output_task(o.layer, c)] = 1;
  p.prio = memory_aware_priorities(tg);
  return p;
}

void check_task_fits(const Graph& graph, std::int64_t task, std::int64_t need, std::int64_t output, std::int64_t limit,
                     const std::string& memory, const std::string& option) {
  if (limit <= 0 || need <= limit) return;
  const TaskKey k = graph.tasks().key(task);
  const std::string against =
      memory.empty() ? " but the memory limit is " : " of " + memory + " memory but the limit is ";
  throw InputError("layer \"" + graph.layer(k.layer).id + "\", chunk " + std::to_string(k.index) + ": needs " +
                   format_bytes(static_cast<double>(need)) + " (output " + format_bytes(static_cast<double>(output)) +
                   " plus inputs)" + against + format_bytes(static_cast<double>(limit)) +
                   "; use smaller chunks or a larger " + option);
}

void check_fits(const Graph& graph, const RunPlan& plan, std::int64_t memory_limit) {
  if (memory_limit <= 0) return;
  const TaskGraph& tg = graph.tasks();
  for (std::int64_t t = 0; t < tg.size(); ++t) {
    std::int64_t need = plan.out_bytes[t];
    for (auto d : tg.deps(t)) need += plan.out_bytes[d];
    check_task_fits(graph, t, need, plan.out_bytes[t], memory_limit);
  }
}

std::string task_location(const Graph& graph, TaskKey k) {
  const Layer& l = graph.layer(k.layer);
  std::string where = "layer \"" + l.id + "\" (" + std::string(op_name(l.op)) + ")";
  if (k.stage != 0)
    return where + ", intermediate task " + std::to_string(k.index) + " of stage " + std::to_string(k.stage);
  where += ", chunk " + std::to_string(k.index);
  if (k.index < l.meta.num_chunks()) where += " (chunk shape " + format_shape(l.meta.chunk_shape(k.index)) + ")";
  return where;
}

void RunStop::fail(const Graph& graph, TaskKey key, const std::string& what) {
  if (failed()) return;
  failed_layer = key.layer;
  failed_chunk = key.index;
  error = task_location(graph, key) + ": " + what;
}

RunResult make_run_result(const RunStop& stop, std::int64_t tasks_run, std::int64_t total, std::int64_t wall_ns) {
  RunResult r;
  r.wall_ns = wall_ns;
  r.tasks_run = tasks_run;
  if (stop.failed()) {
    r.status = RunStatus::Failed;
    r.error = stop.error;
    r.failed_layer = stop.failed_layer;
    r.failed_chunk = stop.failed_chunk;
  } else if (stop.cancelled || tasks_run < total) {
    r.status = RunStatus::Cancelled;
    r.error = "cancelled after " + std::to_string(tasks_run) + " of " + std::to_string(total) + " tasks";
  }
  return r;
}

void collect_outputs(const Graph& graph, const std::vector<Buffer>& buffers, std::int64_t max_output_bytes,
                     RunResult& result) {
  if (!result.ok()) return;
  try {
    for (const auto& o : graph.outputs())
      if (o.to_npy.empty() && o.to_zarr.empty())
        result.outputs.push_back(assemble_output(graph, o.layer, buffers, max_output_bytes));
  } catch (const std::exception& e) {
    result.outputs.clear();
    result.status = RunStatus::Failed;
    result.error = std::string("assembling the outputs: ") + e.what();
  }
}

RunOutputs::RunOutputs(const Graph& graph) : graph_(graph) {
  // Outputs that would destroy a file that is not theirs are refused before anything is written.
  check_run_paths(graph);
  try {
    folders_.create_for(graph);
  } catch (const std::exception& e) {
    throw InputError(e.what());
  }
}

RunOutputs::~RunOutputs() {
  if (committed_) return;
  try {
    finalize_sinks(graph_, false);
  } catch (...) {
  }
  folders_.remove_empty();
}

void RunOutputs::commit(RunResult& result) {
  committed_ = true;
  try {
    finalize_sinks(graph_, result.ok());
  } catch (const std::exception& e) {
    if (result.ok()) {
      result.status = RunStatus::Failed;
      result.error = e.what();
    }
  }
  if (!result.ok()) folders_.remove_empty();
}

void report_run_end(ExecutionObserver* observer, const std::vector<std::uint8_t>& status, const RunResult& result) {
  if (!observer) return;
  if (!result.ok())
    for (std::int64_t t = 0; t < static_cast<std::int64_t>(status.size()); ++t)
      if (status[t] == static_cast<std::uint8_t>(TaskStatus::NotRun))
        observer->on_task_end(0, {t, 0, 0, 0, -1, TaskStatus::Cancelled, false});
  observer->on_run_end(result.wall_ns, result.status, result.error);
}

const char* run_status_name(RunStatus s) {
  switch (s) {
    case RunStatus::Ok: return "ok";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, RunStatus s) { return os << run_status_name(s); }

std::int64_t unix_time_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace chunkscope
