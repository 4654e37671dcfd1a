#pragma once
// Trace: what a run did — layers, every task (columnar), dependencies, live memory, transfers.
// The file format (docs/trace-format.md) is read and written by trace_io.hpp only.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/array_meta.hpp"

namespace chunkscope {

/// How a task ended: the executors' TaskEvent::status and the codes stored in
/// Trace::tasks.status (one enum for both).
enum class TaskStatus : std::uint8_t { NotRun = 0, Done = 1, Failed = 2, Cancelled = 3 };
/// "not_run", "done", "failed", "cancelled".
const char* trace_status_name(std::uint8_t s);

/// One layer as recorded (ids rather than indices for inputs, dtype as a name).
struct TraceLayer {
  std::string id, name, op, kind, group;
  std::vector<std::string> inputs;  ///< layer ids
  Shape shape;
  Chunks chunks;
  std::string dtype = "float64";
  std::int64_t tasks = 0;  ///< tasks of this layer (all stages)
  nlohmann::json params = nlohmann::json::object();
  bool inserted = false;    ///< added by chunkscope (chunk unification)
  std::string pushed_into;  ///< id of the layer that absorbed this source, or empty
  /// ArrayMeta view (dtype parsed; float64 when unknown).
  ArrayMeta meta() const;
  /// True when the sizes are unknown (a Dask layer after boolean indexing: params.unknown_chunks,
  /// `shape` and `chunks` empty; docs/trace-format.md). Such a layer has no chunk grid.
  bool unknown_sizes() const;
  /// The shape for people: "3000×32×2", with "?" for each size that is unknown ("?×32×2").
  std::string shape_text() const;
  /// The largest chunk per axis: "500×32×2", with "?" where unknown.
  std::string chunk_shape_text() const;
};

/// Every task, columnar: equal-length arrays; task i's dependencies are
/// dep_index[dep_offsets[i] .. dep_offsets[i+1]) and always have smaller ids.
struct TraceTasks {
  std::vector<std::int32_t> layer;
  std::vector<std::int32_t> stage;   ///< 0 = output chunk; >= 1 intermediate (tree level, halo, rechunk split)
  std::vector<std::int64_t> chunk;   ///< flat chunk index (in the stage's grid)
  std::vector<std::int32_t> worker;  ///< -1 when it never ran
  std::vector<std::int64_t> start_ns;
  std::vector<std::int64_t> end_ns;
  std::vector<std::int64_t> bytes;   ///< output bytes
  std::vector<std::uint8_t> status;  ///< TaskStatus
  std::vector<std::uint8_t> fused;   ///< 1 = ran fused into its producer's chain
  std::vector<std::int64_t> dep_offsets{0};
  std::vector<std::int64_t> dep_index;
  std::int64_t size() const { return static_cast<std::int64_t>(layer.size()); }
  std::int64_t duration(std::int64_t i) const { return end_ns[i] - start_ns[i]; }
};

/// Exact live-memory timeline of one device ("host", "cuda:0").
struct MemorySeries {
  std::string device = "host";
  std::vector<std::int64_t> t_ns;
  std::vector<std::int64_t> live_bytes;
  std::int64_t peak_bytes = 0;
  std::int64_t peak_t_ns = 0;
  std::int32_t peak_layer = -1;  ///< index of the layer whose allocation reached the peak
  std::int64_t limit_bytes = 0;  ///< 0 = none
};

/// Host<->device copies, columnar.
struct TraceTransfers {
  std::vector<std::int64_t> task, start_ns, end_ns, bytes;
  std::vector<std::uint8_t> to_device;  ///< 1 = host->device, 0 = device->host
  std::vector<std::int32_t> device;
  std::int64_t size() const { return static_cast<std::int64_t>(task.size()); }
};

/// Run metadata.
struct TraceMeta {
  std::string tool_version;
  std::string executor = "cpu";
  std::string device = "cpu";
  std::string pipeline;
  std::string start_time;     ///< ISO 8601 UTC
  std::string status = "ok";  ///< ok | failed | cancelled
  std::string error;
  int threads = 1;
  std::int64_t memory_limit = 0;
  std::int64_t wall_ns = 0;
  /// The device of each worker lane, e.g. {"cuda:0", "host"} (CUDA executor); empty = every
  /// lane is a host worker. In the file: meta.extra.worker_devices (docs/trace-format.md).
  std::vector<std::string> worker_devices;
  nlohmann::json extra = nlohmann::json::object();  ///< importer-specific facts (e.g. Dask)

  /// The one naming rule for devices: device d >= 1 (MemoryEvent/TransferEvent numbering, 0 =
  /// host) is the d-th distinct non-host name in worker_devices; "" when they do not name it.
  std::string device_name(int device) const;
  /// The device of worker lane w ("cuda:0"), or "" when the lane is not named.
  std::string worker_device(int worker) const;
  /// `extra` as written to a file: with worker_devices under "worker_devices" when there are any.
  nlohmann::json file_extra() const;
  /// Takes "worker_devices" (an array of strings) out of `extra` into worker_devices (reading).
  void lift_worker_devices();
};

/// One process's resources sampled during the run (issue 20 item 2; docs/trace-format.md).
struct ResourceSeries {
  std::string process;                  ///< "local" (the process that ran the work) or a worker's address
  std::vector<std::int64_t> t_ns;       ///< sample times on the trace's time base
  std::vector<std::int64_t> rss_bytes;  ///< resident set size
  std::vector<double> cpu_percent;      ///< 100 = one core busy over the interval before the sample
  int cores = 0;                        ///< logical CPUs the process may use
};
struct TraceResources {
  std::int64_t interval_ns = 0;     ///< sampling interval asked for
  bool workers_in_process = false;  ///< Dask LocalCluster(processes=False): "local" stands for the workers
  std::vector<ResourceSeries> processes;
  bool empty() const { return processes.empty(); }
};

/// A whole trace.
struct Trace {
  TraceMeta meta;
  std::vector<TraceLayer> layers;
  TraceTasks tasks;
  MemorySeries memory;                      ///< host
  std::vector<MemorySeries> device_memory;  ///< GPUs
  TraceTransfers transfers;
  TraceResources resources;  ///< RSS and CPU% per process; empty when not sampled
  /// Index of a layer id, or -1.
  int find_layer(const std::string& id) const;
};

/// Checks everything that code reading a Trace relies on (docs/trace-format.md, "Validation"):
/// layer ids, inputs, shapes and chunks; equal column lengths; task layers, chunks, workers,
/// times, statuses and dependencies; memory series, transfers and process resources. Throws
/// InputError `<name>: field "<path>": <what>` at the first fault, e.g. `run.cstrace.json: field
/// "tasks.dep_index[7]": task 3 depends on task 9, ...`. The trace readers call it; so must code that
/// builds a Trace in memory before handing it on (viz::Model relies on it and does not check).
void validate(const Trace& t, const std::string& name);

}  // namespace chunkscope
