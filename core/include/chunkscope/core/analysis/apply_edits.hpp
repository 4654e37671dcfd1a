#pragma once
// Applying findings' pipeline edits to a pipeline document (`chunkscope apply-advice`). Only the
// edited fields of the named layers change; everything else in the document is kept as written.
//
//   auto edits = edits_of(analyze(trace));              // most important first
//   EditResult r = apply_edits(pipeline_json, edits);
//   for (const auto& c : r.changes) std::cout << c.text << "\n";
//   write r.doc (then re-run and compare)
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/analysis/findings.hpp"

namespace chunkscope {

/// One applied (or skipped) edit.
struct EditChange {
  std::string layer;      ///< layer id
  std::string field;      ///< "chunks" or "split_every"
  nlohmann::json before;  ///< the field as written before (null when absent)
  nlohmann::json after;
  std::string rule;  ///< the finding it came from, when known
  std::string text;  ///< `layer "x": chunks [32, 32] -> [64, -1] (tiny-chunks)`, or why it was skipped
};

/// Result of apply_edits.
struct EditResult {
  nlohmann::json doc;               ///< the pipeline with the edits applied
  std::vector<EditChange> changes;  ///< applied, in order
  std::vector<EditChange> skipped;  ///< not applied: unknown layer, field the op does not take, conflict, no-op
};

/// An edit with the rule it came from.
struct PipelineEdit {
  nlohmann::json edit;  ///< {"layer": id, "chunks": [...]} or {"layer": id, "split_every": n}
  std::string rule;
};

/// The edits of `findings` in order (findings sorted most important first, so earlier edits win
/// conflicts).
std::vector<PipelineEdit> edits_of(const Findings& findings);
/// Applies edits to a pipeline document (docs/pipeline-format.md). The first edit of a field of a
/// layer wins; later edits of the same field are skipped as conflicts. "chunks" applies to
/// sources and rechunks, "split_every" to reductions. Never throws; a document without a
/// "layers" list is returned unchanged with every edit skipped.
EditResult apply_edits(const nlohmann::json& pipeline, const std::vector<PipelineEdit>& edits);

}  // namespace chunkscope
