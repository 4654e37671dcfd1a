// Rule rechunk-fan: rechunks whose output chunks read many input chunks or whose input chunks feed
// many outputs (all-to-all), with the bytes moved and the memory they make live at once; and
// rechunks chunkscope inserted to align inputs. Advice: chunk the origin upstream so that the
// rechunk has nothing to move (or square chunks when an array meets its own transpose), else an
// intermediate plan.
#include <algorithm>
#include <cmath>
#include <map>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {

void rule_rechunk_fan(const Context& c, Findings& out) {
  const TraceTasks& k = c.t.tasks;
  for (size_t ri = 0; ri < c.t.layers.size(); ++ri) {
    const int r = static_cast<int>(ri);
    const TraceLayer& R = c.t.layers[r];
    if (R.kind != "rechunk" || c.ran[r].empty()) continue;
    const int in = R.inputs.empty() ? -1 : c.ids.find(R.inputs[0]);
    // A rechunk pushed into its source reads the source directly: nothing is copied.
    if (in < 0 || c.t.layers[in].pushed_into == R.id) continue;
    // Dask's intermediate stages of the user's rechunk: the finding goes to the user's rechunk.
    if (c.dask && R.inserted && !c.consumers[r].empty() &&
        std::all_of(c.consumers[r].begin(), c.consumers[r].end(),
                    [&](int u) { return c.t.layers[u].kind == "rechunk"; }))
      continue;
    std::int64_t fan_in = 0, edges = 0, stages = 0, inter = 0;
    double moved = 0, busy = 0;
    std::map<std::int64_t, std::int64_t> readers;  // input task -> rechunk tasks reading it
    for (auto i : c.ran[r]) {
      const auto deps = k.dep_offsets[i + 1] - k.dep_offsets[i];
      if (k.stage[i] == 0)
        fan_in = std::max(fan_in, deps);
      else
        ++inter;
      stages = std::max<std::int64_t>(stages, k.stage[i]);
      edges += deps;
      moved += static_cast<double>(k.bytes[i]);
      busy += static_cast<double>(k.duration(i));
      for (auto e = k.dep_offsets[i]; e < k.dep_offsets[i + 1]; ++e)
        if (k.layer[k.dep_index[e]] != r) ++readers[k.dep_index[e]];
    }
    std::int64_t fan_out = 0;
    for (const auto& [t, n] : readers) fan_out = std::max(fan_out, n);
    const bool wide = static_cast<double>(std::max(fan_in, fan_out)) >= c.o.rechunk_fan;
    if (c.t.layers[in].chunks == R.chunks) {
      // A rechunk to the chunks it already has copies every chunk for nothing.
      Finding f;
      f.rule = "rechunk-fan";
      f.layers.push_back(R.id);
      f.stake_ns = busy;
      f.stake_bytes = moved;
      f.stake_share = c.time_share(busy);
      f.severity = c.grade(f.stake_share, busy, false);
      f.message = c.q(r) + " rechunks " + c.q(in) + " to the chunks it already has (" + format_chunk_shape(R.chunks) +
                  "): " + format_count(static_cast<std::int64_t>(c.ran[r].size())) + " tasks copy " +
                  format_bytes(moved) + " unchanged.";
      f.add("tasks", static_cast<double>(c.ran[r].size()), "count")
          .add("bytes_moved", moved, "B")
          .add("busy_ns", busy, "ns");
      f.advice = R.inserted ? std::string(c.engine()) + " inserted it; nothing to change in the " +
                                  (c.dask ? "code." : "pipeline.")
                            : "Delete " + c.q(r) + " and let its consumers read " + c.q(in) + " directly.";
      if (!R.inserted) out.push_back(std::move(f));
      continue;
    }
    if (!wide && !R.inserted) continue;
    const double in_bytes = static_cast<double>(c.array_bytes(in));
    const double peak = static_cast<double>(c.t.memory.peak_bytes);
    const double during = static_cast<double>(c.sum.layers[r].peak_live_bytes);
    Finding f;
    f.rule = "rechunk-fan";
    f.layers.push_back(R.id);
    f.stake_ns = busy;
    // An all-to-all rechunk cannot finish an output chunk before every input chunk exists: the
    // whole input is live at once.
    f.stake_bytes = wide ? in_bytes : 0;
    const double tshare = c.time_share(busy);
    const double mshare = peak > 0 ? f.stake_bytes / peak : 0;
    f.stake_share = std::max(tshare, mshare);
    const Severity by_time = c.grade(tshare, busy, tshare >= 0.25);
    const Severity by_mem = wide ? c.grade_bytes(mshare, f.stake_bytes, false) : Severity::Info;
    f.severity = std::max(by_time, by_mem);
    const std::string from = format_chunk_shape(c.t.layers[in].chunks), to = format_chunk_shape(R.chunks);
    if (R.inserted) {
      f.message = std::string(c.engine()) + " inserted " + c.q(r) + " to give " + c.q(in) +
                  " the chunks its consumer needs (" + from + " → " + to +
                  "): " + format_count(static_cast<std::int64_t>(c.ran[r].size())) + " extra tasks copying " +
                  format_bytes(moved) + ".";
    } else {
      f.message = "Each output chunk of " + c.q(r) + " reads up to " + format_count(fan_in) +
                  " input chunks and each input chunk feeds up to " + format_count(fan_out) + " outputs (" + from +
                  " → " + to + "), so it moves " + format_bytes(moved) + " and needs all " + format_bytes(in_bytes) +
                  " of " + c.q(in) + " in memory at once.";
    }
    f.add("fan_in", static_cast<double>(fan_in), "count")
        .add("fan_out", static_cast<double>(fan_out), "count")
        .add("edges", static_cast<double>(edges), "count")
        .add("bytes_moved", moved, "B")
        .add("input_bytes", in_bytes, "B")
        .add("peak_during_bytes", during, "B")
        .add("busy_ns", busy, "ns")
        .add("intermediate_tasks", static_cast<double>(inter), "count")
        .add_text("chunks_in", from)
        .add_text("chunks_out", to);
    const int origin = upstream_origin(c, in);
    const std::int64_t square = parallel_target(c.array_bytes(origin), c.o.target_chunk_bytes, c.o.min_chunk_bytes,
                                                c.workers, c.o.chunks_per_worker);
    const RechunkRemoval rm = rechunk_removal(c.t.layers, c.flow, c.consumers, r, square);
    bool advised = rm.ok;
    if (advised) {
      f.edits = rm.edits;
      f.advice = rm.text;
    }
    // 3. A rechunk that only makes axes whole for reductions over those axes: reduce directly.
    bool only_reduced = !advised && !R.inserted && !c.consumers[r].empty();
    std::vector<int> made_whole;
    const TraceLayer& I = c.t.layers[in];
    for (size_t a = 0; a < R.chunks.size() && a < I.chunks.size(); ++a)
      if (R.chunks[a].size() == 1 && I.chunks[a].size() > 1) made_whole.push_back(static_cast<int>(a));
    only_reduced &= !made_whole.empty();
    std::string reducers;
    for (int u : c.consumers[r]) {
      if (!only_reduced) break;
      const TraceLayer& U = c.t.layers[u];
      const auto red = reduced_axes(U, static_cast<int>(R.shape.size()));
      for (int a : made_whole) only_reduced &= std::binary_search(red.begin(), red.end(), a);
      reducers += std::string(reducers.empty() ? "" : ", ") + c.q(u);
    }
    if (only_reduced) {
      f.advice = c.q(r) + " only makes whole the axes that " + reducers +
                 (c.consumers[r].size() == 1 ? " reduces" : " reduce") + ": reduce " + c.q(in) +
                 " directly instead (delete the rechunk and use " + c.q(in) +
                 " as the input); the reduction then combines small partial "
                 "results instead of moving " +
                 format_bytes(moved) + ".";
      advised = true;
    }
    if (!advised) {
      // 4. An intermediate chunking halfway (geometric mean per axis) bounds fan-in and fan-out.
      Shape mid(R.shape.size());
      const Shape a = c.t.layers[in].meta().max_chunk_shape(), b = R.meta().max_chunk_shape();
      for (size_t x = 0; x < mid.size() && x < a.size() && x < b.size(); ++x)
        mid[x] =
            std::max<std::int64_t>(1, std::llround(std::sqrt(static_cast<double>(a[x]) * static_cast<double>(b[x]))));
      if (stages > 0) {
        f.advice = std::string(c.engine()) + " already routes this rechunk through an intermediate chunking (" +
                   format_count(inter) + " tasks); to avoid it, chunk the data upstream (" + c.q(origin) +
                   ") the way " + c.q(r) + " needs it, or split the work so that " + "the consumers of " + c.q(r) +
                   " read " + from + " chunks directly.";
      } else if (wide) {
        f.advice = "Rechunk in two steps, first to about " + format_shape(mid) + " then to " + to +
                   ", so that no chunk reads or feeds more than a few others; or chunk the data upstream (" +
                   c.q(origin) + ") the way " + c.q(r) + " needs it.";
      } else {
        f.advice = "Chunk the inputs of " + c.q(c.consumers[r].empty() ? r : c.consumers[r][0]) +
                   " alike so that no rechunk is needed.";
      }
    }
    out.push_back(std::move(f));
  }
}

}  // namespace chunkscope::analysis
