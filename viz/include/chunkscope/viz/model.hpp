#pragma once
// Model: a trace and its findings plus everything the views need, computed once per trace —
// per-layer numbers, the group tree, per-worker task lists sorted by start (timeline), the
// host<->device transfers per device and direction (timeline), the tasks of each layer (chunk grids)
// and min/max blocks of every memory series, host and GPUs (memory). Immutable and cheap to query; a 1,000,000-task
// trace builds in a fraction of a second (numbers in docs/viz.md).
//
//   viz::Model m(trace, analyze(trace));
//   m.layers()[2].time_share;           // 0.35
//   m.groups()[m.group_of_layer(2)].path;  // "denoise/blur"
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chunkscope/core/analysis/findings.hpp"
#include "chunkscope/core/chunk_lifetimes.hpp"
#include "chunkscope/core/layer_index.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope::viz {

/// What a node's fill colour shows.
enum class ColorBy { TimeShare, PeakMemory, Tasks, ChunkBytes, Worker, CriticalPath, Findings };
/// "time", "memory", "tasks", "chunk-bytes", "worker", "critical", "findings".
const char* color_by_name(ColorBy c);
/// The mode of a name as color_by_name writes it; nullopt when unknown.
std::optional<ColorBy> parse_color_by(std::string_view name);

/// Numbers of one trace layer (same index as Trace::layers).
struct LayerStats {
  int layer = -1;
  std::string id, name, op, group;
  Shape shape;
  Shape chunk_shape;             ///< the first (largest) chunk per axis
  std::string shape_text;        ///< shape for labels: "3000×32×2", "?×32×2" where Dask left sizes unknown
  std::string chunk_shape_text;  ///< chunk_shape for labels, "?" where unknown
  std::int64_t chunks = 0;       ///< output chunks
  std::int64_t tasks = 0;      ///< all tasks, intermediate stages included; a plan's planned tasks (no tasks recorded)
  std::int64_t busy_ns = 0;    ///< summed durations of the tasks that ran
  double time_share = 0;       ///< busy_ns / busy time of the whole run (0..1)
  std::int64_t bytes_out = 0;  ///< summed output bytes
  std::int64_t chunk_bytes = 0;      ///< bytes of the first chunk
  std::int64_t peak_held_bytes = 0;  ///< bytes of this layer's chunks held on the host at the run's memory peak
  std::int64_t critical_ns = 0;      ///< time of this layer on the critical path
  int main_worker = -1;              ///< worker that ran most of its tasks (-1 none)
  int severity = -1;                 ///< worst finding naming it: -1 none, 0 info, 1 warning, 2 critical
  int findings = 0;                  ///< number of findings naming it
  std::string created_at;  ///< Dask: where the user's code made it, "analysis.py:12" (params.created_at), else ""
  /// Id of the layer whose tasks did this layer's work, else "": Dask fused it away
  /// (params.dask_fused_into), or a source's reading was pushed into a later layer (pushed_into).
  /// Such a layer runs no tasks of its own: front-ends say "fused into <layer>", not "not run".
  std::string fused_into;
};

/// One group of the tree made from the layers' group paths ("a/b/c"); groups()[0] is the root.
struct GroupNode {
  std::string path;         ///< "" for the root, else "a/b"
  std::string name;         ///< last path component
  int parent = -1;          ///< -1 for the root
  std::vector<int> groups;  ///< child groups, in order of first appearance
  std::vector<int> layers;  ///< layers directly in this group, in trace order
};

/// Maximum number of input chunks per output task from one input layer (per layer edge).
struct EdgeFanIn {
  int input = -1;  ///< input layer index
  int fan_in = 0;  ///< most tasks of the input read by one task of the layer
};

/// The host<->device copies of one device in one direction (a timeline lane of CUDA traces).
struct TransferLane {
  int device = 0;                          ///< Trace::transfers.device (1 = the first GPU)
  bool to_device = true;                   ///< true: host->device, false: device->host
  std::string name;                        ///< "cuda:0 host→device", "cuda:0 device→host" (see Model::device_name)
  std::vector<std::int64_t> transfers;     ///< transfer ids (into Trace::transfers) sorted by start
  std::vector<std::int64_t> max_end;       ///< running maximum of end_ns along `transfers`
  std::vector<std::int64_t> bytes_before;  ///< bytes of transfers[0..k), size + 1 (a fold's bytes in O(1))
};

/// A trace, its findings and precomputed indexes. The trace must be valid (core's validate(Trace):
/// the trace readers call it, and so does code that builds a trace in memory); Model does not check.
class Model {
 public:
  Model(Trace trace, Findings findings);

  const Trace& trace() const { return trace_; }
  const Findings& findings() const { return findings_; }
  /// Replaces the findings, and with them the layers' severity and finding counts (a viewer can
  /// show the trace first and attach the analysis when it is done). Not thread-safe against readers.
  void set_findings(Findings findings);
  const std::vector<LayerStats>& layers() const { return layers_; }
  const std::vector<GroupNode>& groups() const { return groups_; }
  /// Group index of a layer (0 = root); -1 when the layer index is out of range.
  int group_of_layer(int layer) const;
  /// Group index of a path ("" = root), or -1.
  int find_group(std::string_view path) const;
  /// Index of a layer id, or -1.
  int find_layer(std::string_view id) const;
  /// Group indices from the root's child down to the layer's own group (empty for a top-level layer).
  std::vector<int> ancestors_of_layer(int layer) const;

  /// Worker lanes: lane k shows worker lane_workers()[k] (workers that ran at least one task, sorted).
  const std::vector<int>& lane_workers() const { return lane_workers_; }
  /// Task ids of lane k sorted by start time.
  const std::vector<std::int64_t>& lane_tasks(int lane) const { return lane_tasks_[static_cast<size_t>(lane)]; }
  /// Running maximum of end_ns along lane_tasks(lane) (for binary search on overlap).
  const std::vector<std::int64_t>& lane_max_end(int lane) const { return lane_max_end_[static_cast<size_t>(lane)]; }
  /// Transfer lanes, one per (device, direction) that has a transfer: by device, host->device
  /// first. Empty for traces without transfers (CPU runs, Dask).
  const std::vector<TransferLane>& transfer_lanes() const { return transfer_lanes_; }
  /// Name of a transfer device index (1 = the first GPU): the device's entry among the non-"host"
  /// names of meta.worker_devices (TraceMeta::device_name: ["cuda:0", "host"]: 1 -> "cuda:0"), else the name of
  /// device_memory[device - 1], else "device N".
  std::string device_name(int device) const;
  /// Task ids of a layer in id order (all stages).
  const std::vector<std::int64_t>& layer_tasks(int layer) const { return layer_tasks_[static_cast<size_t>(layer)]; }
  /// Input layers of a layer (resolved ids; unknown ids skipped), in the layer's order.
  const std::vector<int>& layer_inputs(int layer) const { return inputs_[static_cast<size_t>(layer)]; }
  /// Fan-in per input layer of a layer.
  const std::vector<EdgeFanIn>& fan_in(int layer) const { return fan_in_[static_cast<size_t>(layer)]; }
  /// True when task is on the critical path.
  bool on_critical_path(std::int64_t task) const;
  /// When each task's output is freed and whether it is on the host (core::chunk_lifetimes, once per trace).
  const ChunkLifetimes& lifetimes() const { return lifetimes_; }
  /// Summed busy time of all tasks.
  std::int64_t busy_ns() const { return busy_ns_; }
  /// A memory series by device index, as transfers number them: 0 = the host (Trace::memory),
  /// k >= 1 = Trace::device_memory[k - 1]; an index out of range gives the host.
  const MemorySeries& memory_series(int device) const;
  /// Smallest and largest live bytes of memory_series(device) over entries [a, b) (a < b), in
  /// O(log-free constant blocks): memory_view asks it once per pixel column and curve.
  std::pair<std::int64_t, std::int64_t> memory_minmax(std::size_t a, std::size_t b, int device = 0) const;

 private:
  Trace trace_;
  Findings findings_;
  std::vector<LayerStats> layers_;
  LayerIndex layer_ids_;  ///< layer id -> index, O(1)
  std::vector<GroupNode> groups_;
  std::vector<int> layer_group_;
  std::map<std::string, int, std::less<>> group_index_;
  std::vector<int> lane_workers_;
  std::vector<std::vector<std::int64_t>> lane_tasks_, lane_max_end_, layer_tasks_;
  std::vector<TransferLane> transfer_lanes_;
  std::vector<std::vector<int>> inputs_;
  std::vector<std::vector<EdgeFanIn>> fan_in_;
  std::vector<std::uint8_t> critical_;
  std::int64_t busy_ns_ = 0;
  ChunkLifetimes lifetimes_;
  void apply_findings();
  // min/max of a memory series per block of 64 entries (level 1) and of 4096 entries (level 2)
  struct MinMaxBlocks {
    std::vector<std::int64_t> min1, max1, min2, max2;
    static MinMaxBlocks of(const std::vector<std::int64_t>& live_bytes);
  };
  std::vector<MinMaxBlocks> mem_blocks_;  ///< [0] the host, [k] device_memory[k - 1]
};

}  // namespace chunkscope::viz
