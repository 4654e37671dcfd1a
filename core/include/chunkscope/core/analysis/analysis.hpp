#pragma once
// The inefficiency analysis: a pure, deterministic function from a Trace to Findings. One rule
// per file in core/src/analysis/rule_*.cpp; every rule, threshold and evidence field is
// documented in docs/rules.md.
//
//   Trace t = ...;                            // recorded by exec/, or imported from Dask
//   AnalysisOptions o;                        // documented defaults
//   o.task_overhead_ns = 50'000;              // optional: Dask's per-task cost, if known
//   Findings f = analyze(t, o);               // sorted: critical first, then by what is at stake
//
// Works on traces of chunkscope's executors (per-task overheads of about a microsecond) and of
// Dask (tens of microseconds): the per-task overhead is measured from the trace unless given.
#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/core/analysis/findings.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope {

struct TraceSummary;

/// Thresholds of the rules. Defaults are explained in docs/rules.md.
/// Byte target of advised chunks for chunkscope's own executors (pipelines): 1 MiB. A task there
/// costs about a microsecond, which 1 MiB of work amortises, and a chunk this size stays in a
/// core's cache: on the tiny-chunks sample 1 MiB chunks ran 1.6-2× faster than 2-4 MiB ones and
/// several times faster than the 16 MiB that Dask's 128 MiB target gives (docs/rules.md, "Chunk
/// targets"). Dask's per-task cost is ~100× larger, so Dask traces keep Dask's 128 MiB.
inline constexpr std::int64_t kExecutorChunkTarget = 1LL << 20;
/// The advice's byte target for traces of `executor` (meta.executor): 128 MiB for "dask-…",
/// else kExecutorChunkTarget.
std::int64_t chunk_target_for(const std::string& executor);

struct AnalysisOptions {
  // ---- shared ----
  /// Fixed cost of one task (scheduling + the cheapest possible task body), ns. 0 = measure it
  /// from the trace (median idle gap between back-to-back ready tasks on a worker plus the median
  /// duration of trivial tasks, see docs/rules.md).
  double task_overhead_ns = 0;
  /// When measuring: the trivial-task part of the overhead is capped here (a task that moves a few
  /// KiB and takes longer is doing work, not paying overhead; engines' fixed costs are below this).
  double max_trivial_task_ns = 100e3;
  /// Byte target of advised chunk shapes; 0 = by engine (chunk_target_for): 128 MiB on a Dask
  /// trace (Dask's array.chunk-size), kExecutorChunkTarget on chunkscope's executors.
  std::int64_t target_chunk_bytes = 0;
  /// Smallest chunk the advice proposes (unless the array is smaller).
  std::int64_t min_chunk_bytes = 1LL << 20;
  /// Advised chunkings keep at least this many chunks per worker where the array is big enough.
  double chunks_per_worker = 2;
  /// A warning needs at least this share of the run's worker time (or of its peak memory) at stake;
  /// below it the finding is info.
  double min_stake_share = 0.02;
  /// ... and at least this much worker time, ns (tiny runs are not worth a warning).
  double min_stake_ns = 5e6;
  /// ... or, for memory findings, at least this many bytes.
  double min_stake_bytes = 64.0 * (1 << 20);
  /// The trace's summarize(), when the caller already has it (not computed again); must be of the
  /// trace analyzed.
  const TraceSummary* summary = nullptr;

  // ---- tiny-chunks ----
  /// Share of a chunk family's task time spent in per-task overhead that makes a warning ...
  double tiny_overhead_share = 0.10;
  /// ... and a critical finding.
  double tiny_critical_share = 0.50;
  /// Advised chunks make the overhead at most this share of a task.
  double tiny_target_overhead_share = 0.01;
  /// Families with fewer tasks are never "tiny" (a few short tasks cost nothing).
  std::int64_t tiny_min_tasks = 64;

  // ---- huge-chunks ----
  /// A chunk at least this big is huge whatever the memory limit.
  std::int64_t huge_chunk_bytes = 512LL << 20;
  /// With a memory limit: workers x chunk bytes above this share of the limit is huge.
  double huge_limit_share = 0.5;
  /// Starved threads: a family whose layers have fewer output chunks than workers, and that takes
  /// at least this share of the run's worker time.
  double starve_min_share = 0.10;

  // ---- rechunk-fan ----
  /// Output chunks that read at least this many input chunks (or input chunks read by at least
  /// this many outputs) make an all-to-all rechunk.
  double rechunk_fan = 8;

  // ---- low-parallelism ----
  /// Share of the run's worker time lost idle while fewer tasks were ready than workers: warning.
  double idle_share = 0.25;
  /// A layer is named when the idle time attributed to it is at least this share.
  double idle_layer_share = 0.05;

  // ---- stragglers / irregular-chunks ----
  /// A task this many times longer than its layer's median is a straggler.
  double straggler_factor = 3.0;
  /// ... and at least this much longer, ns.
  double straggler_min_ns = 2e6;
  /// Chunks along an axis whose largest/smallest size (the last chunk excepted) reach this ratio
  /// are irregular; a last chunk below `sliver_share` of the others is a sliver.
  double irregular_ratio = 2.0;
  double sliver_share = 0.25;

  // ---- memory-peak / held-chunks ----
  /// Peak at or above this share of the memory limit: warning (>= 0.98: critical).
  double memory_limit_share = 0.8;
  /// Peak / input bytes at or above this: the computation amplifies memory.
  double amplification = 4.0;
  /// Chunks waiting in memory for a later consumer make at least this share of the peak.
  double held_share = 0.25;

  // ---- reduction-split ----
  /// A tree deeper than this many combine levels is deep ...
  int reduction_max_levels = 4;
  /// ... and a final combine reading more partials than this is a serial bottleneck.
  std::int64_t reduction_max_fan_in = 16;
  /// The tree must take at least this share of the critical path to be worth a warning.
  double reduction_critical_share = 0.05;

  // ---- critical-path ----
  /// Critical path / wall at or above this, with parallel efficiency below `critical_efficiency`:
  /// the run is bound by a chain of dependent tasks (warning).
  double critical_wall_share = 0.8;
  double critical_efficiency = 0.5;

  // ---- transfer-bound ----
  /// Host<->device copy time at or above this share of a layer's time: warning.
  double transfer_share = 0.5;
  /// Copies smaller than this are latency-bound (advise bigger chunks).
  std::int64_t small_transfer_bytes = 1LL << 20;

  // ---- sparse-chunks ----
  /// Sparse chunks taking at least this many times the bytes of the same values dense: too dense
  /// for a sparse format.
  double sparse_dense_ratio = 1.0;
  /// A layer whose dense output takes at least this many times the bytes of its sparse input
  /// densifies it.
  double densify_ratio = 4.0;
};

/// Id and one-line description of a rule.
struct RuleInfo {
  const char* id;
  const char* title;
};
/// Every rule, in the order analyze() runs them.
const std::vector<RuleInfo>& analysis_rules();

/// Runs every rule over `t`; returns the findings sorted by sort_findings(). Pure and
/// deterministic; never throws on a trace that trace_from_json accepted (a rule that cannot
/// measure what it needs stays silent).
Findings analyze(const Trace& t, const AnalysisOptions& options = {});

/// The per-task overhead analyze() uses: options.task_overhead_ns when > 0, else measured
/// (median ready gap + median trivial task, the latter capped at options.max_trivial_task_ns).
double task_overhead_ns(const Trace& t, const AnalysisOptions& options = {});

}  // namespace chunkscope
