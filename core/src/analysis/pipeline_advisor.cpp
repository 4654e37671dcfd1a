#include "chunkscope/core/analysis/pipeline_advisor.hpp"

#include <algorithm>
#include <sstream>
#include <unordered_map>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/analysis/chunk_flow.hpp"
#include "chunkscope/core/units.hpp"

namespace chunkscope {

std::vector<LayerAdvice> advise_pipeline(const std::vector<TraceLayer>& layers, const PipelineAdviceOptions& o) {
  std::vector<LayerAdvice> out;
  const auto flow = chunk_origins(layers);
  const auto consumers = layer_consumers(layers);
  const FlowIndex index(layers, flow);
  std::vector<bool> planned(layers.size(), false);  // origins already given an edit by a rechunk removal
  // Rechunks that chunking upstream removes: per layer, the edit and why.
  struct Planned {
    nlohmann::json edit;
    std::string why;
  };
  // By layer id; a later entry for the same layer replaces an earlier one.
  std::unordered_map<std::string, Planned> removals;
  std::unordered_map<std::string, std::string> emptied;  // rechunk id -> why it will have nothing to move
  for (size_t r = 0; r < layers.size(); ++r) {
    const TraceLayer& R = layers[r];
    if (R.kind != "rechunk" || R.inputs.empty()) continue;
    const int input = index.ids.find_before(R.inputs[0], r);
    if (input < 0) continue;
    const int origin = flow[input].origin;
    if (origin < 0 || planned[origin]) continue;
    const ArrayMeta om = layers[origin].meta();
    const std::int64_t square =
        parallel_target(om.nbytes(), o.target_bytes, o.min_bytes, o.threads, o.chunks_per_worker);
    const RechunkRemoval rm = rechunk_removal(layers, flow, consumers, static_cast<int>(r), square, &index);
    if (!rm.ok) continue;
    planned[origin] = true;
    bool edits_r = false;
    for (const auto& e : rm.edits) {
      removals.insert_or_assign(e["layer"].get<std::string>(), Planned{e, rm.text});
      edits_r |= e["layer"] == R.id;
    }
    if (!edits_r)
      emptied.insert_or_assign(R.id,
                               "Keep: once \"" + layers[origin].id +
                                   "\" is chunked as advised, this rechunk has nothing to move (you can delete it).");
  }
  for (size_t l = 0; l < layers.size(); ++l) {
    const TraceLayer& L = layers[l];
    if (!takes_chunks(L) || L.shape.empty() || L.chunks.size() != L.shape.size()) continue;
    // A source pushed into a rechunk is read with the rechunk's chunks: its own do not matter.
    if (!L.pushed_into.empty()) {
      const int x = index.ids.find(L.pushed_into);
      const bool into_rechunk = x >= 0 && layers[x].kind == "rechunk";
      if (into_rechunk) continue;
    }
    const ArrayMeta m = L.meta();
    const int isz = dtype_size(m.dtype);
    LayerAdvice a;
    a.layer = L.id;
    a.op = L.op;
    a.shape = L.shape;
    a.dtype = L.dtype;
    a.current = L.chunks;
    a.current_chunks = m.num_chunks();
    a.current_bytes = m.max_chunk_bytes();
    for (const int k : index.members[l])
      if (static_cast<size_t>(k) != l) a.family.push_back(layers[k].id);
    const Shape cur = m.max_chunk_shape();
    const std::int64_t t = parallel_target(m.nbytes(), o.target_bytes, std::min(o.min_bytes, o.target_bytes), o.threads,
                                           o.chunks_per_worker);
    const FamilyAccess fa = family_access(layers, flow, static_cast<int>(l), &index);
    a.proposed = chunk_shape_near(L.shape, isz, t, fa.wishes, cur);
    if (const auto found = removals.find(L.id); found != removals.end()) {
      const Planned& p = found->second;
      a.reasons = {p.why};
      a.edits = {p.edit};
      // The chunking the removal asks for, as a shape (largest chunk per axis).
      Shape s(L.shape.size());
      for (size_t x = 0; x < s.size(); ++x) {
        const auto& v = p.edit["chunks"][x];
        s[x] = v.is_array() ? v[0].get<std::int64_t>() : v.get<std::int64_t>() < 0 ? L.shape[x] : v.get<std::int64_t>();
      }
      a.proposed = s;
      a.change = true;
    }
    bool keep = false;
    if (const auto found = emptied.find(L.id); found != emptied.end() && !a.change) {
      const std::string& why = found->second;
      a.proposed = cur;
      a.reasons = {why};
      keep = true;
    }
    if (!a.change && !keep) {
      const double ratio = static_cast<double>(a.current_bytes) / static_cast<double>(t);
      bool whole_gain = false, halo_fix = false;
      for (size_t x = 0; x < cur.size(); ++x) {
        whole_gain |= fa.wishes[x].whole && cur[x] < L.shape[x] && a.proposed[x] == L.shape[x];
        halo_fix |= cur[x] < fa.wishes[x].min && cur[x] < L.shape[x];
      }
      const std::string tb = format_bytes(static_cast<double>(t));
      if (ratio < 0.25)
        a.reasons.push_back("Chunks of " + format_bytes(static_cast<double>(a.current_bytes)) +
                            " are small next to the " + tb + " target: " + std::to_string(a.current_chunks) +
                            " chunks make as many tasks per layer, each paying the per-task overhead.");
      else if (ratio > 4)
        a.reasons.push_back("Chunks of " + format_bytes(static_cast<double>(a.current_bytes)) +
                            " are large next to the " + tb +
                            " target: few tasks for the workers, and each holds a lot of memory.");
      if (whole_gain) a.reasons.push_back("Chunks that span the reduced axes: " + fa.why(a.proposed, L.shape) + ".");
      if (halo_fix) a.reasons.push_back("Thin chunks next to the filters' reach: " + fa.why(a.proposed, L.shape) + ".");
      a.change = !a.reasons.empty() && a.proposed != cur;
      if (a.change) {
        a.edits.push_back({{"layer", L.id}, {"chunks", chunk_spec_json(L.shape, a.proposed)}});
        if (t < o.target_bytes && o.threads > 0)
          a.reasons.push_back("The target is " + tb + " rather than " +
                              format_bytes(static_cast<double>(o.target_bytes)) + " so that " +
                              std::to_string(o.threads) + " threads get at least " +
                              std::to_string(static_cast<int>(o.chunks_per_worker)) + " chunks each.");
      } else {
        a.proposed = cur;
        a.reasons.clear();
        a.reasons.push_back("Keep: " + format_bytes(static_cast<double>(a.current_bytes)) + " per chunk is near the " +
                            tb + " target" + (fa.why(cur, L.shape).empty() ? "" : ", and " + fa.why(cur, L.shape)) +
                            ".");
      }
    }
    a.proposed_chunks = chunk_count(L.shape, a.proposed);
    a.proposed_bytes = chunk_nbytes(a.proposed, isz);
    out.push_back(std::move(a));
  }
  return out;
}

std::string pipeline_advice_text(const std::string& name, const std::vector<LayerAdvice>& a,
                                 const PipelineAdviceOptions& o) {
  std::ostringstream s;
  s << "pipeline " << name << ": chunk advice for a target of " << format_bytes(static_cast<double>(o.target_bytes))
    << " per chunk";
  if (o.threads > 0) s << " and " << o.threads << " threads";
  s << "\n";
  int changes = 0;
  for (const auto& x : a) {
    s << "\n" << x.layer << " (" << x.op << ", " << format_shape(x.shape) << " " << x.dtype << ")";
    if (!x.family.empty()) {
      s << ", read by";
      for (size_t i = 0; i < x.family.size() && i < 6; ++i) s << (i ? ", " : " ") << x.family[i];
      if (x.family.size() > 6) s << ", +" << x.family.size() - 6 << " more";
    }
    s << "\n  now:     " << format_chunk_shape(x.current) << ", " << format_bytes(static_cast<double>(x.current_bytes))
      << " per chunk, " << x.current_chunks << " chunks\n";
    if (x.change) {
      ++changes;
      s << "  advised: " << format_shape(x.proposed) << ", " << format_bytes(static_cast<double>(x.proposed_bytes))
        << " per chunk, " << x.proposed_chunks << " chunks\n";
    }
    for (const auto& r : x.reasons) s << "  " << r << "\n";
    for (const auto& e : x.edits) s << "  edit: " << e.dump() << "\n";
  }
  s << "\n" << changes << (changes == 1 ? " layer" : " layers") << " to change\n";
  return s.str();
}

nlohmann::json pipeline_advice_json(const std::string& name, const std::vector<LayerAdvice>& a,
                                    const PipelineAdviceOptions& o) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& x : a)
    layers.push_back({{"layer", x.layer},
                      {"op", x.op},
                      {"shape", x.shape},
                      {"dtype", x.dtype},
                      {"current", x.current},
                      {"proposed", x.proposed},
                      {"current_chunks", x.current_chunks},
                      {"proposed_chunks", x.proposed_chunks},
                      {"current_bytes", x.current_bytes},
                      {"proposed_bytes", x.proposed_bytes},
                      {"change", x.change},
                      {"reasons", x.reasons},
                      {"edits", x.edits},
                      {"family", x.family}});
  return {{"pipeline", name}, {"target_bytes", o.target_bytes}, {"threads", o.threads}, {"layers", std::move(layers)}};
}

}  // namespace chunkscope
