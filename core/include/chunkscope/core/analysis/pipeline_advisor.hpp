#pragma once
// Chunk advice for a whole pipeline before it runs (`chunkscope advise PIPELINE`): for every layer
// whose chunks the user writes (sources and rechunks), a chunk shape near the byte target that
// respects how the layers computed from it read it, and rechunks that chunking upstream removes.
//
//   auto layers = trace_layers_of(graph);             // chunk_flow.hpp
//   auto advice = advise_pipeline(layers, {.threads = 16});
//   std::cout << pipeline_advice_text(graph.name(), advice, {.threads = 16});
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/chunking.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope {

/// Options of advise_pipeline.
struct PipelineAdviceOptions {
  /// Pipelines run on chunkscope's executors: their target (analysis.hpp, kExecutorChunkTarget),
  /// the same as the findings on their traces use, so that `advise` and `apply-advice` agree.
  std::int64_t target_bytes = 1LL << 20;
  int threads = 0;  ///< 0 = do not size for parallelism
  std::int64_t min_bytes = 1LL << 20;
  double chunks_per_worker = 2;
};

/// Advice for one layer that takes a "chunks" field.
struct LayerAdvice {
  std::string layer;
  std::string op;
  Shape shape;
  std::string dtype;
  Chunks current;
  Shape proposed;  ///< advised chunk shape (equal to the current one when kept)
  std::int64_t current_chunks = 0, proposed_chunks = 0;
  std::int64_t current_bytes = 0, proposed_bytes = 0;  ///< bytes of the largest chunk
  bool change = false;
  std::vector<std::string> reasons;   ///< sentences
  std::vector<nlohmann::json> edits;  ///< pipeline edits (apply_edits.hpp); empty when kept
  std::vector<std::string> family;    ///< layers chunked like this one
};

/// Advice for every source and rechunk of `layers` (in order). Pure; never throws.
std::vector<LayerAdvice> advise_pipeline(const std::vector<TraceLayer>& layers, const PipelineAdviceOptions& o = {});
/// A text report: per layer current -> proposed, chunk bytes, chunk counts, reasons.
std::string pipeline_advice_text(const std::string& name, const std::vector<LayerAdvice>& a,
                                 const PipelineAdviceOptions& o);
/// {"pipeline", "target_bytes", "threads", "layers": [{layer, op, shape, dtype, current, proposed, ... reasons,
/// edits}]}.
nlohmann::json pipeline_advice_json(const std::string& name, const std::vector<LayerAdvice>& a,
                                    const PipelineAdviceOptions& o);

}  // namespace chunkscope
