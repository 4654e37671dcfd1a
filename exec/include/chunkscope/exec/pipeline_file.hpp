#pragma once
// Reading pipeline files from disk (core/ has no file access; this adds it).
#include <string>

#include "chunkscope/core/pipeline.hpp"

namespace chunkscope {

/// Reads and validates a pipeline file. Relative paths inside resolve against its folder;
/// from_npy / from_zarr headers are read to learn shapes and dtypes. Never throws.
///
///   auto g = load_pipeline("samples/pipelines/cells.json");
///   if (!g) { std::cerr << g.error() << "\n"; return 2; }
Result<Graph> load_pipeline(const std::string& path, PipelineOptions options = {});
/// The probe used by load_pipeline: reads .npy / Zarr headers.
PipelineOptions::SourceInfo probe_source_file(const Layer& layer);
/// Reads a whole file; throws InputError("<path>: cannot read: <reason>").
std::string read_file(const std::string& path);

}  // namespace chunkscope
