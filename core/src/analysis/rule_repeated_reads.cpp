// Rule repeated-reads: the same input read more than once — two source layers reading the same
// file or generating the same values, stencils whose halo re-reads a large share of each chunk
// from its neighbours (chunks thin along a filtered axis), and a Zarr array read in chunks that
// cut across its stored chunks (each stored chunk decoded once per read chunk it touches).
#include <algorithm>
#include <cmath>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/chunking.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {
namespace {

// What identifies the data of a source (its params without "chunks").
std::string source_key(const TraceLayer& l) {
  nlohmann::json p = l.params.is_object() ? l.params : nlohmann::json::object();
  p.erase("chunks");
  return l.op + "|" + l.dtype + "|" + nlohmann::json(l.shape).dump() + "|" + p.dump();
}

// A Zarr source's stored chunk shape (params.stored_chunks, recorded by the pipeline parser), or
// empty.
Shape stored_chunks(const TraceLayer& l) {
  if (!l.params.is_object()) return {};
  const auto it = l.params.find("stored_chunks");
  if (it == l.params.end() || !it->is_array() || it->size() != l.shape.size()) return {};
  Shape s;
  for (const auto& v : *it) {
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) return {};
    s.push_back(v.get<std::int64_t>());
  }
  return s;
}

/// Stored chunks decoded at least this many times each, on average, make a finding.
constexpr double kStoredRereadRatio = 2.0;
/// ... and at least this many times make it a warning whatever the run's length (the cost grows
/// with the array: 128 decodes per stored chunk is seconds on a 128 MiB array).
constexpr double kStoredRereadWarn = 8.0;

// 3. A Zarr source read (by itself or by the rechunk pushed into it) in chunks that cut across the
// stored chunks: every read chunk decodes each stored chunk it touches, whole.
void stored_chunk_rereads(const Context& c, Findings& out) {
  const size_t n = c.t.layers.size();
  for (size_t s = 0; s < n; ++s) {
    const TraceLayer& S = c.t.layers[s];
    if (S.kind != "source") continue;
    const Shape stored = stored_chunks(S);
    if (stored.empty()) continue;
    int reader = static_cast<int>(s);
    if (!S.pushed_into.empty()) reader = c.ids.find(S.pushed_into);
    if (reader < 0) continue;
    const TraceLayer& R = c.t.layers[reader];
    if (R.op == "slice" || R.chunks.size() != stored.size()) continue;  // a slice reads each stored chunk at most once
    const double decodes = stored_chunk_decodes(R.chunks, stored);
    const double count = stored_chunk_count(S.shape, stored);
    if (count <= 0 || decodes < kStoredRereadRatio * count) continue;
    const double ratio = decodes / count;
    double busy = 0;
    for (auto t : c.ran[reader]) busy += static_cast<double>(c.t.tasks.duration(t));
    std::int64_t stored_bytes = c.itemsize(static_cast<int>(s));
    for (auto x : stored) stored_bytes *= x;
    Finding f;
    f.rule = "repeated-reads";
    f.layers.push_back(c.id(static_cast<int>(s)));
    if (reader != static_cast<int>(s)) f.layers.push_back(c.id(reader));
    f.stake_ns = busy * (1 - 1 / ratio);
    f.stake_bytes = (decodes - count) * static_cast<double>(stored_bytes);
    f.stake_share = c.time_share(f.stake_ns);
    f.severity = c.grade(f.stake_share, f.stake_ns, false);
    if (ratio >= kStoredRereadWarn) f.severity = std::max(f.severity, Severity::Warning);
    const std::string read = format_chunk_shape(R.chunks), kept = nlohmann::json(stored).dump();
    f.message = "The Zarr array " + c.q(static_cast<int>(s)) + " is stored in chunks of " + kept + " but read" +
                (reader != static_cast<int>(s) ? " (by the rechunk " + c.q(reader) + " pushed into it)" : "") +
                " in chunks of " + read +
                ": each read chunk decodes every stored chunk it touches, so each stored chunk is decoded " +
                format_number(ratio) + " times (" +
                format_bytes((decodes - count) * static_cast<double>(stored_bytes)) + " decoded again).";
    f.add("decode_ratio", ratio, "ratio")
        .add("stored_chunks", count, "count")
        .add("stored_chunk_decodes", decodes, "count")
        .add("extra_decoded_bytes", f.stake_bytes, "B")
        .add_text("stored_chunk_shape", kept)
        .add_text("read_chunk_shape", read);
    f.advice =
        "Read " + c.q(static_cast<int>(s)) + " in its stored chunks " + kept +
        " and rechunk in memory (each stored chunk is then read once; a rechunk after the source is not pushed into it "
        "when it would decode stored chunks twice or more), or store the array again in chunks like " +
        read + " if it is always read this way.";
    if (reader == static_cast<int>(s) && !c.dask) {  // the source's own "chunks" field cut across the stored ones
      nlohmann::json chunks = nlohmann::json::array();
      for (size_t a = 0; a < stored.size(); ++a) chunks.push_back(stored[a] >= S.shape[a] ? -1 : stored[a]);
      f.edits.push_back({{"layer", c.id(static_cast<int>(s))}, {"chunks", chunks}});
    }
    out.push_back(std::move(f));
  }
}

}  // namespace

void rule_repeated_reads(const Context& c, Findings& out) {
  stored_chunk_rereads(c, out);
  const TraceTasks& k = c.t.tasks;
  const size_t n = c.t.layers.size();
  // 1. The same source twice.
  std::vector<bool> seen(n, false);
  for (size_t a = 0; a < n; ++a) {
    const TraceLayer& A = c.t.layers[a];
    if (A.kind != "source" || seen[a]) continue;
    const std::string key = source_key(A);
    std::vector<int> same{static_cast<int>(a)};
    for (size_t b = a + 1; b < n; ++b)
      if (c.t.layers[b].kind == "source" && source_key(c.t.layers[b]) == key) {
        same.push_back(static_cast<int>(b));
        seen[b] = true;
      }
    if (same.size() < 2) continue;
    double busy = 0;
    for (size_t i = 1; i < same.size(); ++i)
      for (auto t : c.ran[same[i]]) busy += static_cast<double>(k.duration(t));
    Finding f;
    f.rule = "repeated-reads";
    for (int l : same) f.layers.push_back(c.id(l));
    const double bytes = static_cast<double>(c.array_bytes(static_cast<int>(a))) * static_cast<double>(same.size() - 1);
    f.stake_ns = busy;
    f.stake_bytes = bytes;
    f.stake_share = c.time_share(busy);
    f.severity =
        std::max(c.grade(f.stake_share, busy, false),
                 c.grade_bytes(c.t.memory.peak_bytes > 0 ? bytes / static_cast<double>(c.t.memory.peak_bytes) : 0,
                               bytes, false));
    const bool file = A.op == "from_npy" || A.op == "from_zarr";
    f.message = std::string(file ? "The same file is read" : "The same data is generated") + " by " +
                format_count(static_cast<std::int64_t>(same.size())) + " layers (" + c.q(same[0]) + " and " +
                c.q(same[1]) + (same.size() > 2 ? ", ..." : "") + "): " + format_bytes(bytes) + " read again.";
    f.add("copies", static_cast<double>(same.size()), "count")
        .add("extra_bytes", bytes, "B")
        .add("extra_busy_ns", busy, "ns");
    f.advice = "Read it once: keep " + c.q(same[0]) +
               " and make the consumers of the others use it (if they need other chunks, add one rechunk of " +
               c.q(same[0]) + ").";
    out.push_back(std::move(f));
  }
  // 2. Stencil halos: the extended blocks gathered (stage >= 1) versus the chunks themselves,
  // one finding per chunk family.
  std::vector<std::vector<int>> thin(n);  // origin -> stencils with a large halo ratio
  std::vector<double> ratio(n, 0), gathered(n, 0), own(n, 0), gather_ns(n, 0), filter_ns(n, 0);
  for (size_t l = 0; l < n; ++l) {
    const TraceLayer& S = c.t.layers[l];
    if (S.kind != "stencil" || c.ran[l].empty()) continue;
    for (auto t : c.ran[l]) {
      if (k.stage[t] >= 1) {
        gathered[l] += static_cast<double>(k.bytes[t]);
        gather_ns[l] += static_cast<double>(k.duration(t));
      } else {
        own[l] += static_cast<double>(k.bytes[t]);
        filter_ns[l] += static_cast<double>(k.duration(t));
      }
    }
    if (own[l] <= 0 || gathered[l] <= 0) continue;
    ratio[l] = gathered[l] / own[l];  // 1 = no halo; 2 = every element read twice
    if (ratio[l] >= 1.5) thin[c.flow[l].origin].push_back(static_cast<int>(l));
  }
  for (size_t o = 0; o < n; ++o) {
    if (thin[o].empty()) continue;
    const int origin = static_cast<int>(o);
    double g = 0, w = 0, ns = 0, worst = 0;
    int worst_layer = thin[o][0];
    for (int l : thin[o]) {
      g += gathered[l];
      w += own[l];
      // Gathering and filtering both work on the extended blocks: (ratio - 1) / ratio of it is halo.
      ns += (gather_ns[l] + filter_ns[l]) * (ratio[l] - 1) / ratio[l];
      if (ratio[l] > worst) {
        worst = ratio[l];
        worst_layer = l;
      }
    }
    const std::int64_t target = parallel_target(c.array_bytes(origin), c.o.target_chunk_bytes, c.o.min_chunk_bytes,
                                                c.workers, c.o.chunks_per_worker);
    const ChunkFix fix = chunk_fix(c, origin, std::max<std::int64_t>(target, c.max_chunk_bytes(origin)));
    const bool edit = fix.ok && fix.editable && fix.chunk != fix.before;
    Finding f;
    f.rule = "repeated-reads";
    if (edit) f.layers.push_back(c.id(origin));
    for (int l : thin[o]) f.layers.push_back(c.id(l));
    f.stake_ns = ns;
    f.stake_bytes = g - w;
    f.stake_share = c.time_share(ns);
    f.severity = c.grade(f.stake_share, ns, false);
    const auto halo = stencil_halo(c.t.layers[worst_layer]);
    f.message = "The filter " + c.q(worst_layer) + " reads each chunk with a halo of " + nlohmann::json(halo).dump() +
                " elements from its neighbours: " + format_ratio(worst) +
                " the chunk's own data, because the chunks (" + format_chunk_shape(c.t.layers[worst_layer].chunks) +
                ") are thin next to the filter's reach" +
                (thin[o].size() > 1 ? " (" + std::to_string(thin[o].size()) + " filters read these chunks)." : ".");
    f.add("halo_ratio", worst, "ratio")
        .add("gathered_bytes", g, "B")
        .add("chunk_bytes_total", w, "B")
        .add("halo_ns", ns, "ns");
    if (edit) {
      f.advice = "Use chunks at least 4× the halo along filtered axes: " + fix.text(c, origin) + ".";
      f.edits.push_back(fix.edit);
    } else {
      f.advice = "Use chunks at least 4× the halo (" + nlohmann::json(halo).dump() + ") along the filtered axes.";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace chunkscope::analysis
