#pragma once
// One layer's chunk edit from the one chunk advisor, for traces without timings (a Dask plan).
#include <string>

#include <nlohmann/json.hpp>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope {

/// The chunk edit that the tiny-chunks and huge-chunks findings of a run propose for the chunks of
/// `layer`, made where those chunks originate: the chunk advisor's shape for the byte target of
/// `chunkscope advise` and the trace's workers (meta.threads). {"layer", "chunks", "python" (a
/// Dask trace: the line to paste), "chunk_shape", "chunk_bytes", "chunks_before", "chunks_after"}.
/// So that a Dask plan, which has no timings to run the rules on, advises the same edit as its run
/// (issue 19 item 10). Null when the layer is unknown, its chunks are not editable (not a layer the
/// user wrote, or unknown sizes), or the advice would keep them.
nlohmann::json layer_chunk_edit(const Trace& t, const std::string& layer, const AnalysisOptions& o = {});

}  // namespace chunkscope
