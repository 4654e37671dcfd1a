// Rule sparse-chunks: chunks that are sparse arrays (pydata sparse, scipy.sparse; recorded by the
// Dask capture as params chunk_type, density = nnz / elements and sparse_bytes) when
//  (a) they take more bytes than the same values dense (every stored value also stores its
//      coordinates, so above a density of about itemsize / (itemsize + 8 x ndim) sparse loses), or
//  (b) a layer makes dense chunks from them: its dense output takes many times the bytes of its
//      sparse input, memory that the sparse format was saving.
#include <cstdio>
#include <string>

#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {
namespace {

std::string chunk_type(const TraceLayer& L) {
  if (L.params.is_object() && L.params.contains("chunk_type") && L.params["chunk_type"].is_string())
    return L.params["chunk_type"].get<std::string>();
  return "";
}

double num(const TraceLayer& L, const char* key) {
  if (L.params.is_object() && L.params.contains(key) && L.params[key].is_number()) return L.params[key].get<double>();
  return -1;
}

bool is_sparse(const TraceLayer& L) {
  return chunk_type(L).find("sparse") != std::string::npos && num(L, "sparse_bytes") >= 0 && num(L, "density") >= 0;
}

bool is_dense(const TraceLayer& L) {
  const std::string t = chunk_type(L);
  return t.rfind("numpy.", 0) == 0 && t.find("ndarray") != std::string::npos;
}

// Bytes of the layer's output chunks as recorded (its stage-0 tasks), else from its shape and dtype.
double output_bytes(const Context& c, int l) {
  double b = 0;
  for (auto i : c.ran[l])
    if (c.t.tasks.stage[i] == 0) b += static_cast<double>(c.t.tasks.bytes[i]);
  if (b > 0) return b;
  return c.t.layers[l].unknown_sizes() ? 0 : static_cast<double>(c.array_bytes(l));
}

std::string percent(double share) {
  const double p = 100 * share;
  char buf[32];
  std::snprintf(buf, sizeof buf, p < 10 ? "%.2g%%" : "%.3g%%", p);
  return buf;
}

}  // namespace

void rule_sparse_chunks(const Context& c, Findings& out) {
  const double peak = static_cast<double>(c.t.memory.peak_bytes);
  auto share_of_peak = [&](double bytes) { return peak > 0 ? bytes / peak : 0; };
  for (size_t li = 0; li < c.t.layers.size(); ++li) {
    const int l = static_cast<int>(li);
    const TraceLayer& L = c.t.layers[l];
    if (!is_sparse(L) || L.unknown_sizes() || L.shape.empty()) continue;
    const double sparse = num(L, "sparse_bytes"), density = num(L, "density");
    const double dense = static_cast<double>(c.array_bytes(l));
    if (sparse <= 0 || dense <= 0) continue;
    // (a) Too dense for a sparse format.
    if (sparse >= c.o.sparse_dense_ratio * dense) {
      Finding f;
      f.rule = "sparse-chunks";
      f.layers.push_back(L.id);
      f.stake_bytes = sparse - dense;
      f.stake_share = share_of_peak(f.stake_bytes);
      f.severity = c.grade_bytes(f.stake_share, f.stake_bytes, false);
      f.message = "The sparse chunks of " + c.q(l) + " take " + format_bytes(sparse) + ", " +
                  format_evidence({"", sparse / dense, "ratio", ""}) + " the " + format_bytes(dense) +
                  " of the same array dense: at a density of " + percent(density) +
                  " storing each value's coordinates costs more than storing every value.";
      f.add("density", density, "share")
          .add("sparse_bytes", sparse, "B")
          .add("dense_bytes", dense, "B")
          .add("sparse_to_dense", sparse / dense, "ratio");
      f.advice = "Keep " + c.q(l) + " dense" +
                 std::string(c.dask ? " (convert its chunks once: .map_blocks(lambda b: b.todense()))" : "") +
                 ": it takes less memory and dense kernels are faster at this density.";
      out.push_back(std::move(f));
    }
    // (b) Consumers that make the chunks dense.
    for (int u : c.consumers[l]) {
      const TraceLayer& U = c.t.layers[u];
      // A consumer fused into a later task (Dask) made its dense chunks there: counted from its shape.
      if (!is_dense(U) || (c.ran[u].empty() && !U.params.contains("dask_fused_into"))) continue;
      const double made = output_bytes(c, u);
      if (made < c.o.densify_ratio * sparse) continue;
      Finding f;
      f.rule = "sparse-chunks";
      f.layers = {U.id, L.id};
      f.stake_bytes = made - sparse;
      f.stake_share = share_of_peak(f.stake_bytes);
      f.severity = c.grade_bytes(f.stake_share, f.stake_bytes, false);
      f.message = c.q(u) + " makes dense chunks from the sparse chunks of " + c.q(l) + " (density " + percent(density) +
                  "): " + format_bytes(sparse) + " of sparse chunks become " + format_bytes(made) + " dense, " +
                  format_evidence({"", made / sparse, "ratio", ""}) + " the memory.";
      f.add("density", density, "share")
          .add("sparse_bytes", sparse, "B")
          .add("dense_bytes", made, "B")
          .add("extra_bytes", made - sparse, "B")
          .add("dense_to_sparse", made / sparse, "ratio");
      f.advice = "Keep the chunks sparse through " + c.q(u) +
                 " (a function that accepts sparse arrays keeps their type), or make them dense only after the "
                 "step that makes them small (a reduction)" +
                 (c.dask ? "; if dense chunks are needed, smaller chunks of " + c.q(l) +
                               " keep fewer dense chunks alive at once."
                         : ".");
      out.push_back(std::move(f));
    }
  }
}

}  // namespace chunkscope::analysis
