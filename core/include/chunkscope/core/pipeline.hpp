#pragma once
// The pipeline format (docs/pipeline-format.md): JSON -> validated Graph.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "chunkscope/core/error.hpp"
#include "chunkscope/core/graph.hpp"
#include "chunkscope/core/limits.hpp"

namespace chunkscope {

/// Options for reading pipelines.
struct PipelineOptions {
  /// Reads the header of .npy / .zarr sources to learn shape and dtype. core/ has no file access
  /// of its own: the caller (exec/, the CLI) passes a function; when empty, from_npy/from_zarr
  /// need explicit `shape` and `dtype` fields. A file that stores regular chunks (Zarr) gives their
  /// sizes in `chunk_shape`, not as lists, so that their count is checked before any list is made.
  struct SourceInfo {
    Shape shape;
    DType dtype;
    Chunks chunks;      ///< the file's chunks as lists, or empty
    Shape chunk_shape;  ///< the file's regular chunk sizes, or empty
  };
  std::function<SourceInfo(const Layer&)> probe_source;
  /// Push a rechunk/slice that directly follows a source into the source (see docs/design/).
  bool push_into_sources = true;
  /// Most chunks a layer, and tasks the whole pipeline, may have (a failed Result beyond it, before
  /// anything of that size is allocated). The default is Graph::build's limit; tests and fuzzing
  /// pass less, so that a short pipeline cannot ask for gigabytes of tasks. Applies to the chunks
  /// of sources read from disk too.
  std::int64_t max_tasks = kMaxTasks;
};

/// Parses and validates a pipeline document. `source` is the file name used in messages and
/// `base_dir` the folder relative paths are resolved against. Throws only std::bad_alloc.
Result<Graph> parse_pipeline(const nlohmann::json& doc, const std::string& source, const std::string& base_dir,
                             const PipelineOptions& options = {});
/// Parses pipeline JSON text (syntax errors give the line and column). Throws only std::bad_alloc.
Result<Graph> parse_pipeline_text(const std::string& text, const std::string& source, const std::string& base_dir,
                                  const PipelineOptions& options = {});

}  // namespace chunkscope
