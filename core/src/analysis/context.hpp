#pragma once
// Internal to core/src/analysis: what every rule needs, computed once per analyze() call, and the
// rule entry points (one per rule_*.cpp file).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/analysis/chunk_flow.hpp"
#include "chunkscope/core/layer_index.hpp"
#include "chunkscope/core/trace_summary.hpp"

namespace chunkscope::analysis {

/// Shared, read-only facts about the trace.
struct Context {
  const Trace& t;
  AnalysisOptions o;  ///< the caller's, with target_chunk_bytes resolved for the trace's engine
  TraceSummary sum;
  LayerIndex ids;                              ///< layer id -> position
  std::vector<ChunkOrigin> flow;               ///< chunk origin of every layer
  std::vector<std::vector<int>> consumers;     ///< layer -> consuming layers
  std::vector<std::vector<std::int64_t>> ran;  ///< layer -> ids of its tasks that ran (done or failed)
  std::vector<std::int64_t> ready_ns;          ///< task -> when its last input was done (0 without inputs)
  std::vector<double> median_ns;               ///< layer -> median duration of its stage-0 tasks that ran
  int workers = 1;
  double wall_ns = 0;
  double worker_ns = 0;    ///< workers x wall
  double work_ns = 0;      ///< min(worker_ns, busy + tasks x overhead)
  double overhead_ns = 0;  ///< per-task overhead used by the rules
  bool overhead_measured = false;
  bool dask = false;  ///< recorded from Dask (meta.executor "dask-…"): advice is written as Dask code

  /// Who ran the graph and inserted its helper layers, for messages: "Dask" or "chunkscope".
  const char* engine() const { return dask ? "Dask" : "chunkscope"; }

  bool task_ran(std::int64_t i) const { return t.tasks.status[i] == 1 || t.tasks.status[i] == 2; }
  const std::string& id(int l) const { return t.layers[l].id; }
  /// The layer's name for people: on a Dask trace its display name where it has one apart from its
  /// id (a trace that kept Dask's token in the id: "rechunk-merge-330fc6…" named "rechunk-merge"),
  /// else the id. Messages and advice use it; machine-readable fields (layers, edits, evidence
  /// names) keep ids.
  const std::string& label(int l) const {
    const TraceLayer& L = t.layers[l];
    return dask && !L.name.empty() ? L.name : L.id;
  }
  /// "x" with quotes, for messages (the label).
  std::string q(int l) const { return "\"" + label(l) + "\""; }
  int itemsize(int l) const;
  std::int64_t array_bytes(int l) const;
  std::int64_t max_chunk_bytes(int l) const;
  /// Share of the run's work: the task time plus the per-task overhead (at most the worker time).
  /// Unlike the worker time it does not grow when the machine is oversubscribed.
  double time_share(double ns) const { return work_ns > 0 ? ns / work_ns : 0; }
  /// Share of the run's worker time (workers x wall), for idle time.
  double idle_share(double ns) const { return worker_ns > 0 ? ns / worker_ns : 0; }
  /// Layers whose chunks come from `origin`, in order (the origin first when it is one of them).
  std::vector<int> family(int origin) const;
  /// Info below the stake floors, else warning, or critical when `critical` holds.
  Severity grade(double share, double ns, bool critical) const;
  Severity grade_bytes(double share, double bytes, bool critical) const;
};

Context make_context(const Trace& t, const AnalysisOptions& o);
/// The measured per-task overhead (see docs/rules.md); `measured` tells whether it came from the trace.
double measure_overhead(const Trace& t, double max_trivial_ns, bool* measured);
double median(std::vector<double> v);

/// A concrete chunk change for the family of `origin`.
struct ChunkFix {
  bool ok = false;        ///< false: no shape could be computed (bad layer)
  bool editable = false;  ///< the origin takes a "chunks" field; then `edit` is set
  Shape before;           ///< the origin's current (largest) chunk shape
  Shape chunk;            ///< advised chunk shape of the origin
  std::int64_t chunk_bytes = 0;
  std::int64_t chunks_before = 0;  ///< chunks of the origin now
  std::int64_t chunks_after = 0;
  nlohmann::json edit;  ///< {"layer": id, "chunks": [...]}
  std::string why;      ///< how the shape respects its consumers ("rows whole for row_sums")
  /// "set "x" chunks to [64, -1] (1 MiB per chunk, 64 chunks instead of 16384)"
  std::string text(const Context& c, int origin) const;
};
/// Chunk shape near `target_bytes` for `origin`, respecting how its family reads it: axes that
/// every partial reduction reduces stay whole when possible, stencil axes stay >= 4x the halo,
/// other axes keep the current chunk's proportions.
ChunkFix chunk_fix(const Context& c, int origin, std::int64_t target_bytes);

// ---- Dask traces (dask_terms.cpp): advice names what the user wrote, as a line of Python ----
/// False for layers of a Dask trace that the user did not write (Dask's own rechunks, block-info
/// sources, partial reductions): no edit names them.
bool dask_user_layer(const Context& c, int l);
/// The reduction the user called, from Dask's op name: "mean_agg-aggregate" -> "mean".
std::string dask_user_op(const std::string& op);
/// The Dask call that gives layer `l` these chunks: `da.from_zarr(..., chunks=(512, 512))`,
/// `.rechunk((40, 300))`, `da.random.random_sample(..., chunks=(…))`, `ds["tas"].chunk(…)`.
std::string dask_chunks_line(const Context& c, int l, const nlohmann::json& spec);
std::string dask_chunks_line(const Context& c, int l, const Shape& chunk);
/// ChunkFix::text on a Dask trace: "write da.from_zarr(..., chunks=(512, 512)) for "from-zarr" (…)".
std::string dask_fix_text(const Context& c, int origin, const ChunkFix& fix);
/// The origin of `l`'s chunks; on a Dask trace, looking through the rechunks Dask inserted to the
/// layer the user wrote.
int upstream_origin(const Context& c, int l);
/// The last layer of the reduction that `l` is a step of (the array the user got back).
int dask_reduction_result(const Context& c, int l);
/// How to keep waiting chunks from piling up: --memory-limit on chunkscope's executor,
/// dask.compute(a, b) on Dask.
std::string hold_back_advice(const Context& c);
/// Per task, 1 for a Dask alias task (its key's value is another key: a rechunk's output chunk that
/// is an input chunk whole, a concatenate's chunk, a whole-chunk getitem; no work of its own), from
/// the layers' params.dask_alias_tasks ([stage, chunk] pairs); empty when the trace marks none.
/// Rules that compare tasks' durations or bytes leave them out.
std::vector<char> dask_alias_tasks(const Context& c);
/// Dask traces: every edit gets its line of Python ("python"), the advice quotes it, and edits on
/// layers the user did not write are dropped. Called once by analyze(), after every rule.
void write_in_dask_terms(const Context& c, Findings& out);

// ---- process resources (resource_intervals.cpp): tasks against the sample intervals ----
/// Task time in one interval of a resource series: interval j is (t_ns[j-1], t_ns[j]], j >= 1.
struct IntervalTaskTime {
  std::size_t interval = 0;
  int layer = -1;
  double ns = 0;
};
/// Every piece of a task that ran inside an interval of `t_ns` (in task order). `lanes`, when not
/// empty, keeps the tasks of the worker lanes marked 1 (a distributed worker's threads).
std::vector<IntervalTaskTime> task_time_in_intervals(const Context& c, const std::vector<std::int64_t>& t_ns,
                                                     const std::vector<char>& lanes = {});
/// Per worker lane, 1 for the threads of the distributed worker at `address` (meta.extra.workers
/// names them "<address> thread <id>"); empty when the trace does not name its workers.
std::vector<char> worker_lanes(const Context& c, const std::string& address);

void rule_tiny_chunks(const Context& c, Findings& out);
void rule_huge_chunks(const Context& c, Findings& out);
void rule_rechunk_fan(const Context& c, Findings& out);
void rule_low_parallelism(const Context& c, Findings& out);
void rule_stragglers(const Context& c, Findings& out);
void rule_irregular_chunks(const Context& c, Findings& out);
void rule_memory_peak(const Context& c, Findings& out);
void rule_held_chunks(const Context& c, Findings& out);
void rule_reduction_split(const Context& c, Findings& out);
void rule_unfused_chain(const Context& c, Findings& out);
void rule_repeated_reads(const Context& c, Findings& out);
void rule_critical_path(const Context& c, Findings& out);
void rule_transfer_bound(const Context& c, Findings& out);
void rule_sparse_chunks(const Context& c, Findings& out);
void rule_unmanaged_memory(const Context& c, Findings& out);
void rule_cpu_underuse(const Context& c, Findings& out);

}  // namespace chunkscope::analysis
