// Advice on a Dask trace, written as the Dask code the user can change (issue 15, item 8).
//
// The rules compute their advice in chunkscope's terms: an edit {"layer": id, "chunks": spec} or
// {"layer": id, "split_every": n}. On a trace recorded from Dask (meta.executor "dask-…") this file
// is the one place that words it in the user's terms: the call that created the array
// (`da.from_zarr(..., chunks=(512, 512))`), a `.rechunk(…)`, a reduction's `split_every=`; edits on
// layers the user did not write (Dask's own rechunks, block-info sources) are dropped.
#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope::analysis {
namespace {

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

bool ends_with(const std::string& s, const std::string& x) {
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

std::string param_text(const TraceLayer& L, const char* key) {
  if (L.params.is_object() && L.params.contains(key) && L.params[key].is_string())
    return L.params[key].get<std::string>();
  return "";
}

// Python's tuple notation: (512, 512), (12,), ((10, 20), 300).
std::string py_tuple(const std::vector<std::string>& items) {
  std::string s = "(";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s + (items.size() == 1 ? ",)" : ")");
}

// Per-axis chunk sizes for Dask from a chunk spec (-1 = the whole axis, n = regular, [..] = explicit).
std::string py_chunks(const TraceLayer& L, const nlohmann::json& spec) {
  std::vector<std::string> axes;
  for (size_t a = 0; a < spec.size(); ++a) {
    const auto& s = spec[a];
    if (s.is_array()) {
      std::vector<std::string> sizes;
      for (const auto& v : s) sizes.push_back(std::to_string(v.is_number_integer() ? v.get<std::int64_t>() : 0));
      axes.push_back(py_tuple(sizes));
    } else if (s.is_number_integer() && s.get<std::int64_t>() > 0) {
      axes.push_back(std::to_string(s.get<std::int64_t>()));
    } else {
      axes.push_back(std::to_string(a < L.shape.size() ? L.shape[a] : -1));
    }
  }
  return py_tuple(axes);
}

// Dask's random generators (da.random.<op> / RandomState().<op>).
bool random_op(const std::string& op) {
  static const char* kOps[] = {"random_sample",   "random",  "normal",    "uniform",
                               "standard_normal", "randint", "integers",  "choice",
                               "permutation",     "poisson", "binomial",  "exponential",
                               "gamma",           "beta",    "lognormal", "standard_exponential",
                               "standard_gamma"};
  return std::any_of(std::begin(kOps), std::end(kOps), [&](const char* o) { return op == o; });
}

}  // namespace

bool dask_user_layer(const Context& c, int l) {
  if (l < 0 || l >= static_cast<int>(c.t.layers.size())) return false;
  const TraceLayer& L = c.t.layers[l];
  if (L.inserted) return false;
  const std::string& op = L.op;
  return !(starts_with(op, "block-info") || starts_with(op, "block_info") || starts_with(op, "original-") ||
           starts_with(op, "rechunk-split") || ends_with(op, "-partial"));
}

std::string dask_user_op(const std::string& op) {
  std::string o = op;
  for (const char* suffix : {"-aggregate", "-partial", "-reduce", "_aggregate", "_agg", "_combine", "_chunk"})
    if (ends_with(o, suffix)) o = o.substr(0, o.size() - std::string(suffix).size());
  if (starts_with(o, "chunk_")) o = o.substr(6);
  while (!o.empty() && o[0] == '_') o = o.substr(1);
  return o.empty() ? op : o;
}

std::string dask_chunks_line(const Context& c, int l, const nlohmann::json& spec) {
  const TraceLayer& L = c.t.layers[l];
  const std::string chunks = py_chunks(L, spec);
  if (L.kind == "rechunk") return ".rechunk(" + chunks + ")";
  const std::string type = param_text(L, "source_type");
  if (starts_with(type, "in-memory")) return ".rechunk(" + chunks + ").persist()";
  const std::string variable = param_text(L, "source_variable");
  if (!param_text(L, "source_wrapped_by").empty() || starts_with(L.op, "open_dataset"))
    return "ds[\"" + (variable.empty() ? std::string("var") : variable) + "\"].chunk(" + chunks + ")";
  if (L.op == "from-zarr" || L.op == "from_zarr") return "da.from_zarr(..., chunks=" + chunks + ")";
  if (L.op == "array" || L.op == "from-array" || L.op == "from_array" || !type.empty())
    return "da.from_array(..., chunks=" + chunks + ")";
  if (random_op(L.op)) return "da.random." + L.op + "(..., chunks=" + chunks + ")";
  std::string op = L.op;
  if (ends_with(op, "_like")) op = op.substr(0, op.size() - 5);
  return "da." + op + "(..., chunks=" + chunks + ")";
}

int upstream_origin(const Context& c, int l) {
  int o = c.flow[l].origin;
  for (int guard = 0; c.dask && guard < 64 && o >= 0 && c.t.layers[o].inserted && !c.t.layers[o].inputs.empty();
       ++guard) {
    const int in = c.ids.find(c.t.layers[o].inputs[0]);
    if (in < 0 || in >= o) break;
    o = c.flow[in].origin;
  }
  return o;
}

std::string dask_chunks_line(const Context& c, int l, const Shape& chunk) {
  nlohmann::json spec = nlohmann::json::array();
  for (auto n : chunk) spec.push_back(n);
  return dask_chunks_line(c, l, spec);
}

int dask_reduction_result(const Context& c, int l) {
  const std::string op = dask_user_op(c.t.layers[l].op);
  for (int guard = 0; guard < 64; ++guard) {
    if (c.consumers[l].size() != 1) break;
    const int u = c.consumers[l][0];
    if (c.t.layers[u].kind != "reduce" || dask_user_op(c.t.layers[u].op) != op) break;
    l = u;
  }
  return l;
}

std::string dask_fix_text(const Context& c, int origin, const ChunkFix& fix) {
  std::string s = "write " + dask_chunks_line(c, origin, fix.chunk) + " for " + c.q(origin) + " (" +
                  format_shape(fix.chunk) + ", " + format_bytes(static_cast<double>(fix.chunk_bytes)) +
                  " per chunk): " + std::to_string(fix.chunks_after) + (fix.chunks_after == 1 ? " chunk" : " chunks") +
                  " instead of " + std::to_string(fix.chunks_before);
  if (!fix.why.empty()) s += "; " + fix.why;
  return s;
}

std::string hold_back_advice(const Context& c) {
  return c.dask ? "compute the results that read them in one call (dask.compute(a, b)) so that Dask's ordering "
                  "consumes each chunk soon after it is made"
                : "set --memory-limit near the current peak so that the executor finishes what frees memory first";
}

void write_in_dask_terms(const Context& c, Findings& out) {
  if (!c.dask) return;
  for (Finding& f : out) {
    std::vector<nlohmann::json> kept;
    std::string lines;
    for (nlohmann::json e : f.edits) {
      if (!e.is_object() || !e.contains("layer") || !e["layer"].is_string()) continue;
      int l = c.ids.find(e["layer"].get<std::string>());
      if (!dask_user_layer(c, l)) continue;
      std::string line;
      if (e.contains("chunks") && e["chunks"].is_array()) {
        line = dask_chunks_line(c, l, e["chunks"]);
      } else if (e.contains("split_every") && e["split_every"].is_number_integer()) {
        l = dask_reduction_result(c, l);
        if (!dask_user_layer(c, l)) continue;
        e["layer"] = c.t.layers[l].id;
        line = "." + dask_user_op(c.t.layers[l].op) +
               "(..., split_every=" + std::to_string(e["split_every"].get<std::int64_t>()) + ")";
      } else {
        continue;
      }
      e["python"] = line;
      if (f.advice.find(line) == std::string::npos) lines += std::string(lines.empty() ? "" : "; ") + line;
      kept.push_back(std::move(e));
    }
    f.edits = std::move(kept);
    if (!lines.empty()) f.advice += " In your Dask code: " + lines;
  }
}

std::vector<char> dask_alias_tasks(const Context& c) {
  std::vector<std::set<std::pair<std::int64_t, std::int64_t>>> marked(c.t.layers.size());
  bool any = false;
  for (size_t l = 0; c.dask && l < c.t.layers.size(); ++l) {
    const nlohmann::json& p = c.t.layers[l].params;
    if (!p.is_object() || !p.contains("dask_alias_tasks") || !p["dask_alias_tasks"].is_array()) continue;
    for (const auto& e : p["dask_alias_tasks"])
      if (e.is_array() && e.size() == 2 && e[0].is_number_integer() && e[1].is_number_integer()) {
        marked[l].insert({e[0].get<std::int64_t>(), e[1].get<std::int64_t>()});
        any = true;
      }
  }
  std::vector<char> out;
  if (!any) return out;
  const TraceTasks& k = c.t.tasks;
  out.assign(static_cast<size_t>(k.size()), 0);
  for (std::int64_t i = 0; i < k.size(); ++i) {
    const auto& m = marked[static_cast<size_t>(k.layer[i])];
    if (!m.empty() && m.count({k.stage[i], k.chunk[i]})) out[static_cast<size_t>(i)] = 1;
  }
  return out;
}

}  // namespace chunkscope::analysis
