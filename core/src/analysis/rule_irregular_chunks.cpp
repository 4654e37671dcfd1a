// Rule irregular-chunks: chunk sizes that vary along an axis (the last chunk excepted), or a last
// chunk that is a sliver of the others, on a layer whose chunks the user wrote (or that
// chunkscope inserted). Uneven chunks make uneven tasks; slivers make tasks that are all overhead.
#include <algorithm>
#include <cmath>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_irregular_chunks(const Context& c, Findings& out) {
  const std::vector<char> alias = dask_alias_tasks(c);
  for (size_t o = 0; o < c.t.layers.size(); ++o) {
    const TraceLayer& L = c.t.layers[o];
    if (c.flow[o].origin != static_cast<int>(o) || (L.kind != "source" && L.kind != "rechunk")) continue;
    if (L.chunks.size() != L.shape.size() || L.shape.empty()) continue;
    // Used: some task computed from these chunks (Dask's alias tasks, which only pass a chunk on,
    // do not count).
    bool used = false;
    for (int l : c.family(static_cast<int>(o)))
      for (auto i : c.ran[l]) used |= alias.empty() || !alias[static_cast<size_t>(i)];
    if (!used) continue;
    double worst_ratio = 1, sliver = 1;
    int worst_axis = -1, sliver_axis = -1;
    Shape even(L.shape.size());
    for (size_t a = 0; a < L.chunks.size(); ++a) {
      const auto& s = L.chunks[a];
      const std::int64_t mx = *std::max_element(s.begin(), s.end());
      even[a] = mx;
      if (s.size() < 2) continue;
      const std::int64_t body_min = *std::min_element(s.begin(), s.end() - 1);
      const double ratio = static_cast<double>(mx) / static_cast<double>(std::max<std::int64_t>(1, body_min));
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        worst_axis = static_cast<int>(a);
      }
      const double last = static_cast<double>(s.back()) / static_cast<double>(mx);
      if (last < sliver) {
        sliver = last;
        sliver_axis = static_cast<int>(a);
      }
      // An even split with the same number of chunks (or one fewer when the last is a sliver).
      std::int64_t count = static_cast<std::int64_t>(s.size());
      if (last < c.o.sliver_share) --count;
      even[a] = (L.shape[a] + count - 1) / count;
    }
    const bool irregular = worst_ratio >= c.o.irregular_ratio;
    const bool has_sliver = sliver < c.o.sliver_share;
    if (!irregular && !has_sliver) continue;
    Finding f;
    f.rule = "irregular-chunks";
    f.layers.push_back(L.id);
    f.severity = Severity::Info;
    const int axis = irregular ? worst_axis : sliver_axis;
    f.message = irregular
                    ? "Chunks of " + c.q(static_cast<int>(o)) + " along axis " + std::to_string(axis) + " range from " +
                          format_count(*std::min_element(L.chunks[axis].begin(), L.chunks[axis].end() - 1)) + " to " +
                          format_count(*std::max_element(L.chunks[axis].begin(), L.chunks[axis].end())) +
                          ", so its tasks do unequal work."
                    : "The last chunk of " + c.q(static_cast<int>(o)) + " along axis " + std::to_string(axis) +
                          " is only " + format_count(L.chunks[axis].back()) + " long, a sliver next to chunks of " +
                          format_count(*std::max_element(L.chunks[axis].begin(), L.chunks[axis].end())) +
                          ": those tasks are mostly overhead.";
    f.add_text("chunks", format_chunk_shape(L.chunks))
        .add("axis", axis, "count")
        .add("size_ratio", worst_ratio, "ratio")
        .add("last_chunk_share", sliver, "share")
        .add_text("advised_chunk_shape", format_shape(even));
    // Slivers multiply tasks: the family runs one extra task per sliver chunk.
    const double extra = has_sliver
                             ? static_cast<double>(L.meta().num_chunks()) /
                                   std::max<std::int64_t>(1, static_cast<std::int64_t>(L.chunks[sliver_axis].size()))
                             : 0;
    f.stake_ns = extra * c.overhead_ns;
    f.stake_share = c.time_share(f.stake_ns);
    const nlohmann::json spec = chunk_spec_json(L.shape, even);
    if (c.flow[o].editable) {
      f.advice = "Use even chunks: set the chunks of " + c.q(static_cast<int>(o)) + " to " + spec.dump() + " (" +
                 format_shape(even) + ", " +
                 format_bytes(static_cast<double>(chunk_nbytes(even, c.itemsize(static_cast<int>(o))))) +
                 " per chunk).";
      f.edits.push_back({{"layer", L.id}, {"chunks", spec}});
    } else {
      f.advice = std::string(c.engine()) +
                 " made these chunks to align differently chunked inputs: chunk those inputs alike (for example " +
                 spec.dump() + ").";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace chunkscope::analysis
