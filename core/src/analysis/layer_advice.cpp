#include "chunkscope/core/analysis/layer_advice.hpp"

#include <algorithm>

#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "context.hpp"

namespace chunkscope {

nlohmann::json layer_chunk_edit(const Trace& t, const std::string& layer, const AnalysisOptions& o) {
  const analysis::Context c = analysis::make_context(t, o);
  const int l = c.ids.find(layer);
  if (l < 0 || t.layers[static_cast<size_t>(l)].unknown_sizes()) return nullptr;
  const int origin = c.flow[static_cast<size_t>(l)].origin;
  if (origin < 0 || t.layers[static_cast<size_t>(origin)].unknown_sizes()) return nullptr;
  // The target of rule_tiny_chunks and rule_huge_chunks (without a memory limit): one advisor.
  const std::int64_t target =
      parallel_target(c.array_bytes(origin), c.o.target_chunk_bytes,
                      std::min(c.o.min_chunk_bytes, c.o.target_chunk_bytes), c.workers, c.o.chunks_per_worker);
  const analysis::ChunkFix fix = analysis::chunk_fix(c, origin, target);
  if (!fix.ok || !fix.editable || fix.chunks_after == fix.chunks_before || !fix.edit.is_object()) return nullptr;
  nlohmann::json e = fix.edit;
  if (c.dask) {  // as write_in_dask_terms: only layers the user wrote, with the line to paste
    if (!analysis::dask_user_layer(c, origin)) return nullptr;
    e["python"] = analysis::dask_chunks_line(c, origin, e["chunks"]);
  }
  e["chunk_shape"] = format_shape(fix.chunk);
  e["chunk_bytes"] = fix.chunk_bytes;
  e["chunks_before"] = fix.chunks_before;
  e["chunks_after"] = fix.chunks_after;
  return e;
}

}  // namespace chunkscope
