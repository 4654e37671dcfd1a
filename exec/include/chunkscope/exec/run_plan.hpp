#pragma once
// The run skeleton both executors share (CpuExecutor in exec/, CudaExecutor in gpu/): what is
// prepared before the first task, the refusal of a task that can never fit, the sinks'
// temporaries committed or removed, the RunResult and the observer's end of the run. Each
// executor keeps only its own scheduling (work queues and memory admission on the CPU; streams,
// residency and transfers on the GPU). docs/design/004-run-plan.md says why.
//
//   RunOutputs outputs(graph);                // InputError: an output would destroy a file
//   RunPlan plan = plan_run(graph);           // InputError: a layer's prepare() failed
//   check_fits(graph, plan, options.memory_limit);  // InputError: a task can never fit
//   ... run the tasks; on the way note the first error (RunStop) ...
//   RunResult result = make_run_result(stop, tasks_run, n, wall_ns);
//   collect_outputs(graph, buffers, options.max_output_bytes, result);
//   outputs.commit(result);                   // sinks moved into place, or removed
//   report_run_end(options.observer, status, result);
//
// A run refused before commit() (an exception out of plan_run, check_fits, or anything else)
// leaves nothing behind: ~RunOutputs removes every `<out>.tmp-<pid>` the sinks' prepare()
// created and the parent folders it made that are still empty.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chunkscope/core/graph.hpp"
#include "chunkscope/exec/executor.hpp"
#include "chunkscope/exec/kernel.hpp"
#include "chunkscope/exec/output_paths.hpp"

namespace chunkscope {

/// What both executors compute before a run. Per-layer vectors are indexed by layer, per-task
/// vectors by task id.
struct RunPlan {
  std::vector<const KernelInfo*> kernels;           ///< per layer: kernel_for(layer)
  std::vector<std::shared_ptr<const void>> states;  ///< per layer: what prepare() returned (may be null)
  std::vector<std::int64_t> out_bytes;              ///< per task: exact output bytes
  std::vector<std::uint8_t> keep;                   ///< per task: 1 = a chunk of an in-memory output (kept to the end)
  std::vector<std::int64_t> prio;                   ///< per task: memory_aware_priorities (lower runs first)
};

/// Layers whose prepare() may fail without refusing the run (its state stays null), e.g. the
/// CUDA executor's device matmul, which does not need the host BLAS that prepare() loads.
using PrepareOptional = std::function<bool(int layer)>;

/// Prepares every layer with tasks, sizes every task's output, marks the kept chunks and orders
/// the tasks. Throws InputError naming the layer when a prepare() fails (unless `optional` says
/// it may). Call it after RunOutputs: prepare() creates the sinks' temporaries.
RunPlan plan_run(const Graph& graph, const PrepareOptional& optional = {});

/// Throws InputError naming the layer and chunk of task `task` when `need` bytes (its output of
/// `output` bytes plus inputs, and any scratch) exceed `limit` (0 = no limit). `memory` names the
/// memory on a machine with two ("device", "host"), or is empty; `option` is the flag to raise.
void check_task_fits(const Graph& graph, std::int64_t task, std::int64_t need, std::int64_t output, std::int64_t limit,
                     const std::string& memory = "", const std::string& option = "--memory-limit");

/// check_task_fits for every task with its output plus all its inputs against `memory_limit`
/// (the CPU executor's rule: a task holds all of them while it runs).
void check_fits(const Graph& graph, const RunPlan& plan, std::int64_t memory_limit);

/// "layer "id" (op), chunk 3 (chunk shape 64×64)" or "..., intermediate task 3 of stage 1":
/// where a task failed, for RunResult::error.
std::string task_location(const Graph& graph, TaskKey key);

/// How a run stopped, as its executor saw it. The first error wins; an error makes the run
/// failed even if it was also cancelled.
struct RunStop {
  std::string error;  ///< empty unless the run failed
  int failed_layer = -1;
  std::int64_t failed_chunk = -1;
  bool cancelled = false;  ///< the cancel flag was seen
  bool failed() const { return !error.empty(); }
  /// Notes a failure of `key` (the first one only); `error` becomes task_location + ": " + what.
  void fail(const Graph& graph, TaskKey key, const std::string& what);
};

/// The result of a run that stopped as `stop` says after `tasks_run` of `total` tasks: failed,
/// cancelled (also when fewer tasks ran than there are without an error) or ok. No outputs yet.
RunResult make_run_result(const RunStop& stop, std::int64_t tasks_run, std::int64_t total, std::int64_t wall_ns);

/// When `result` is ok, appends the graph's in-memory outputs (the outputs without a sink)
/// assembled from `buffers` (indexed by task; see OutputArray); an error while assembling (out
/// of memory) makes the result failed instead.
void collect_outputs(const Graph& graph, const std::vector<Buffer>& buffers, std::int64_t max_output_bytes,
                     RunResult& result);

/// The run's files: its outputs' paths checked and their folders made before the run, the sinks'
/// temporaries moved into place or removed after it. Not copyable.
///
/// Construct it before plan_run (whose prepare() creates the temporaries); call commit() once
/// every task has stopped. Without a commit (the run was refused, or an exception left run()),
/// the destructor removes the temporaries and the empty folders made here.
class RunOutputs {
 public:
  /// check_run_paths(graph), then the sinks' missing parent folders; throws InputError.
  explicit RunOutputs(const Graph& graph);
  RunOutputs(const RunOutputs&) = delete;
  RunOutputs& operator=(const RunOutputs&) = delete;
  ~RunOutputs();
  /// finalize_sinks(graph, result.ok()): a sink that cannot be moved into place makes an ok
  /// result failed with its message. When the result is not ok, the empty folders made are
  /// removed. Call once.
  void commit(RunResult& result);

 private:
  const Graph& graph_;
  OutputFolders folders_;
  bool committed_ = false;
};

/// The end of a run for `observer` (may be null): when the run did not finish, every task whose
/// `status` is still TaskStatus::NotRun is reported cancelled (worker -1), then on_run_end.
void report_run_end(ExecutionObserver* observer, const std::vector<std::uint8_t>& status, const RunResult& result);

/// Nanoseconds since the Unix epoch, for RunInfo::start_unix_ns.
std::int64_t unix_time_ns();

}  // namespace chunkscope
