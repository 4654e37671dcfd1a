// Rule unfused-chain: element-wise layers that each run their own task per chunk and materialise
// an intermediate that only the next element-wise layer reads: one task per chunk could do the
// whole chain. chunkscope's executor fuses such chains (tasks marked `fused`); Dask traces show
// where its optimizer did not.
#include <algorithm>

#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_unfused_chain(const Context& c, Findings& out) {
  const TraceTasks& k = c.t.tasks;
  const bool own_executor = c.t.meta.executor.rfind("dask", 0) != 0;
  const size_t n = c.t.layers.size();
  // link[b] = a when b could have been fused onto a and was not.
  std::vector<int> link(n, -1);
  for (size_t b = 0; b < n; ++b) {
    const TraceLayer& B = c.t.layers[b];
    if (B.kind != "elementwise" || B.inserted || c.ran[b].empty()) continue;
    std::int64_t fused = 0;
    for (auto i : c.ran[b]) fused += k.fused[i];
    if (fused > 0) continue;
    const int a = c.flow[b].primary_input;
    if (a < 0 || c.ran[a].empty() || c.t.layers[a].chunks != B.chunks) continue;
    const std::string& ak = c.t.layers[a].kind;
    // chunkscope's executor never fuses a source into its consumer: only element-wise producers count there.
    if (!(ak == "elementwise" || (!own_executor && ak == "source"))) continue;
    if (c.consumers[a].size() != 1) continue;  // a shared intermediate has to be materialised
    link[b] = a;
  }
  std::vector<bool> done(n, false);
  for (size_t e = n; e-- > 0;) {
    if (link[e] < 0 || done[e]) continue;
    std::vector<int> chain{static_cast<int>(e)};
    while (link[chain.back()] >= 0) chain.push_back(link[chain.back()]);
    std::reverse(chain.begin(), chain.end());
    for (int l : chain) done[l] = true;
    double bytes = 0, tasks = 0;
    for (size_t i = 0; i + 1 < chain.size(); ++i)
      for (auto t : c.ran[chain[i]]) bytes += static_cast<double>(k.bytes[t]);
    for (size_t i = 1; i < chain.size(); ++i) tasks += static_cast<double>(c.ran[chain[i]].size());
    Finding f;
    f.rule = "unfused-chain";
    for (int l : chain) f.layers.push_back(c.id(l));
    f.stake_ns = tasks * c.overhead_ns;
    f.stake_bytes = bytes;
    f.stake_share = c.time_share(f.stake_ns);
    f.severity = c.grade(f.stake_share, f.stake_ns, false);
    std::string names;
    for (size_t i = 0; i < chain.size(); ++i) names += (i ? " → " : "") + c.q(chain[i]);
    f.message = "The element-wise chain " + names + " runs one task per chunk per layer and writes " +
                format_bytes(bytes) + " of intermediates that only the next layer reads.";
    f.add("layers", static_cast<double>(chain.size()), "count")
        .add("extra_tasks", tasks, "count")
        .add("intermediate_bytes", bytes, "B")
        .add("task_overhead_ns", c.overhead_ns, "ns");
    f.advice =
        own_executor
            ? "chunkscope fuses such chains unless a layer in between is an output or has another consumer; check that "
              "nothing else reads " +
                  c.q(chain[chain.size() - 2]) + "."
            : "Let Dask fuse them: build the chain in one expression without persist()/compute() between the steps "
              "(its optimizer fuses blockwise layers), or use map_blocks with one function for the chain.";
    out.push_back(std::move(f));
  }
}

}  // namespace chunkscope::analysis
