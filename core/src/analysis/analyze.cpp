#include <algorithm>

#include "chunkscope/core/analysis/analysis.hpp"
#include "context.hpp"

namespace chunkscope {

const std::vector<RuleInfo>& analysis_rules() {
  static const std::vector<RuleInfo> rules{
      {"tiny-chunks", "tasks so short that per-task overhead dominates"},
      {"huge-chunks", "chunks so large that they crowd the memory limit or starve threads"},
      {"rechunk-fan", "rechunks where output chunks read many input chunks (all-to-all)"},
      {"low-parallelism", "workers idle because fewer tasks were ready than workers"},
      {"stragglers", "tasks much longer than the median of their layer"},
      {"irregular-chunks", "chunk sizes that vary along an axis, or a sliver of a last chunk"},
      {"memory-peak", "where peak memory occurs and how much it amplifies the input"},
      {"held-chunks", "chunks waiting in memory for a consumer that runs much later"},
      {"reduction-split", "reduction trees that are too deep or end in a serial combine"},
      {"unfused-chain", "element-wise layers that materialise an intermediate instead of fusing"},
      {"repeated-reads", "the same input read more than once"},
      {"critical-path", "the chain of dependent tasks that bounds the wall time"},
      {"transfer-bound", "layers whose time goes to host<->device copies"},
      {"sparse-chunks", "sparse chunks bigger than dense ones, and layers that make sparse chunks dense"},
      {"unmanaged-memory", "process memory (RSS) at its peak mostly outside the chunks"},
      {"cpu-underuse", "far fewer cores busy than tasks running: GIL- or I/O-bound"},
  };
  return rules;
}

double task_overhead_ns(const Trace& t, const AnalysisOptions& options) {
  if (options.task_overhead_ns > 0) return options.task_overhead_ns;
  return analysis::measure_overhead(t, options.max_trivial_task_ns, nullptr);
}

Findings analyze(const Trace& t, const AnalysisOptions& options) {
  Findings out;
  if (t.layers.empty()) return out;
  // A plan document (chunkscope.dask.plan(...).save(): no tasks, meta.status "plan") carries the
  // findings its planner made without timings; the rules here need a run. Unreadable ones: none.
  if (t.meta.status == "plan") {
    const nlohmann::json& e = t.meta.extra;
    if (e.is_object() && e.contains("plan") && e["plan"].is_object() && e["plan"].contains("findings")) {
      try {
        out = findings_from_json(e["plan"]["findings"]);
      } catch (const std::runtime_error&) {
        out.clear();
      }
      sort_findings(out);
    }
    return out;
  }
  const analysis::Context c = analysis::make_context(t, options);
  using Rule = void (*)(const analysis::Context&, Findings&);
  static constexpr Rule kRules[] = {
      analysis::rule_tiny_chunks,     analysis::rule_huge_chunks,    analysis::rule_rechunk_fan,
      analysis::rule_low_parallelism, analysis::rule_stragglers,     analysis::rule_irregular_chunks,
      analysis::rule_memory_peak,     analysis::rule_held_chunks,    analysis::rule_reduction_split,
      analysis::rule_unfused_chain,   analysis::rule_repeated_reads, analysis::rule_critical_path,
      analysis::rule_transfer_bound,  analysis::rule_sparse_chunks,  analysis::rule_unmanaged_memory,
      analysis::rule_cpu_underuse,
  };
  for (Rule r : kRules) r(c, out);
  analysis::write_in_dask_terms(c, out);
  sort_findings(out);
  return out;
}

}  // namespace chunkscope
