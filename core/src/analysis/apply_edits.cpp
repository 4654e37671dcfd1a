#include "chunkscope/core/analysis/apply_edits.hpp"

#include <algorithm>
#include <set>

#include "chunkscope/core/ops.hpp"

namespace chunkscope {
namespace {

bool op_takes(const std::string& op, const std::string& field) {
  const auto parsed = parse_op(op);
  if (!parsed) return false;
  const OpKind k = op_kind(*parsed);
  if (field == "chunks") return k == OpKind::Source || k == OpKind::Rechunk;
  if (field == "split_every") return k == OpKind::Reduce;
  return false;
}

std::string describe(const EditChange& c) {
  return "layer \"" + c.layer + "\": " + c.field + " " +
         (c.before.is_null() ? std::string("(not set)") : c.before.dump()) + " -> " + c.after.dump() +
         (c.rule.empty() ? "" : " (" + c.rule + ")");
}

}  // namespace

std::vector<PipelineEdit> edits_of(const Findings& findings) {
  std::vector<PipelineEdit> out;
  for (const auto& f : findings)
    for (const auto& e : f.edits) out.push_back({e, f.rule});
  return out;
}

EditResult apply_edits(const nlohmann::json& pipeline, const std::vector<PipelineEdit>& edits) {
  EditResult r;
  r.doc = pipeline;
  const bool has_layers = r.doc.is_object() && r.doc.contains("layers") && r.doc["layers"].is_array();
  std::set<std::pair<std::string, std::string>> done;
  for (const auto& pe : edits) {
    const nlohmann::json& e = pe.edit;
    if (!e.is_object() || !e.contains("layer") || !e["layer"].is_string()) continue;
    const std::string id = e["layer"].get<std::string>();
    for (const char* field : {"chunks", "split_every"}) {
      if (!e.contains(field)) continue;
      EditChange c{id, field, nullptr, e[field], pe.rule, ""};
      nlohmann::json* layer = nullptr;
      if (has_layers)
        for (auto& l : r.doc["layers"])
          if (l.is_object() && l.contains("id") && l["id"] == id) layer = &l;
      if (!layer) {
        c.text = "layer \"" + id + "\": not in the pipeline (chunkscope inserted it); " + c.field + " " +
                 c.after.dump() + " not applied" + (c.rule.empty() ? "" : " (" + c.rule + ")");
        r.skipped.push_back(std::move(c));
        continue;
      }
      const std::string op =
          layer->contains("op") && (*layer)["op"].is_string() ? (*layer)["op"].get<std::string>() : "";
      if (!op_takes(op, field)) {
        c.text =
            "layer \"" + id + "\": op \"" + op + "\" has no field " + c.field + "; " + c.after.dump() + " not applied";
        r.skipped.push_back(std::move(c));
        continue;
      }
      if (layer->contains(field)) c.before = (*layer)[field];
      if (!done.insert({id, field}).second) {
        c.text = "layer \"" + id + "\": " + c.field + " " + c.after.dump() +
                 " conflicts with an earlier edit; not applied" + (c.rule.empty() ? "" : " (" + c.rule + ")");
        r.skipped.push_back(std::move(c));
        continue;
      }
      if (c.before == c.after) {
        c.text = "layer \"" + id + "\": " + c.field + " already " + c.after.dump();
        r.skipped.push_back(std::move(c));
        continue;
      }
      (*layer)[field] = c.after;
      c.text = describe(c);
      r.changes.push_back(std::move(c));
    }
  }
  return r;
}

}  // namespace chunkscope
