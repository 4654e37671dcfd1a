#pragma once
// The pipeline parser's state, shared by its three files (private to core/src):
//   pipeline.cpp          document parsing: top-level fields, layers' common fields, outputs
//   pipeline_infer.cpp    type and shape inference, one function per op family
//   pipeline_rewrite.cpp  rewrite passes: chunk unification, output sinks, push-down into sources
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/chunking.hpp"
#include "chunkscope/core/limits.hpp"
#include "chunkscope/core/pipeline.hpp"
#include "json_reader.hpp"

namespace chunkscope::detail {

/// The fields every layer has, whatever its op.
inline const std::set<std::string> kCommonLayerFields{"id", "op", "name", "group", "description"};

/// Checks that a layer has no field beyond its op's (`allow({"input", "axes"})`); fails naming it.
using Allow = std::function<void(std::initializer_list<const char*>)>;

/// Parses one pipeline document layer by layer; each layer may only use the layers before it.
struct Parser {
  using json = nlohmann::json;

  std::string file;
  std::string base_dir;
  const PipelineOptions& options;
  std::int64_t chunk_target = kDefaultChunkTarget;
  std::vector<Layer> layers;
  std::map<std::string, int> index;

  /// The most chunks a layer, or tasks the pipeline, may have: kMaxTasks, or less when the options
  /// ask (the one cap every check uses).
  std::int64_t task_cap() const { return std::min(options.max_tasks, kMaxTasks); }

  // ---- document parsing (pipeline.cpp)
  std::string resolve(const std::string& p) const;
  ChunkSpec chunk_spec(const FieldReader& r, const char* field, const json& v, int ndim) const;
  Chunks chunks_for(const FieldReader& r, const char* field, const json& v, const Shape& shape, DType dt) const;
  Shape shape_field(const FieldReader& r) const;
  DType dtype_field(const FieldReader& r, const char* f, DType d) const;
  int input_ref(const FieldReader& r, const char* f, const json& v) const;
  const ArrayMeta& meta(int l) const;
  void parse_layer(const json& j, size_t position);

  // ---- type and shape inference per op family (pipeline_infer.cpp)
  void parse_source(const FieldReader& r, Layer& l, const Allow& allow);
  void parse_elementwise(const FieldReader& r, Layer& l, const Allow& allow);
  void parse_slice(const FieldReader& r, Layer& l, const Allow& allow, int in);
  void parse_concatenate(const FieldReader& r, Layer& l, const Allow& allow);
  void parse_reduce(const FieldReader& r, Layer& l, const Allow& allow, int in);
  void parse_stencil(const FieldReader& r, Layer& l, const Allow& allow, int in);
  void parse_matmul(const FieldReader& r, Layer& l, const Allow& allow);

  // ---- rewrite passes (pipeline_rewrite.cpp)
  /// Inserts a rechunk of layer `in` to `chunks` in front of layer `consumer_id`; returns its index.
  int insert_unify(int in, const Chunks& chunks, const std::string& consumer_id, const std::string& group);
  /// Aligns the chunks of the array operands `ins` of `l` (Dask's unify_chunks), inserting rechunks.
  void unify(Layer& l, std::vector<int>& ins, const std::vector<std::vector<int>>& axis_map, int n_unified,
             std::vector<std::vector<std::int64_t>>& unified);
  /// The sink layer (`<id>:to_npy` / `<id>:to_zarr`) that writes an output.
  Layer sink_for(const OutputSpec& spec) const;
  /// Whether reading Zarr source `src` in chunks `read` decodes its stored chunks twice or more.
  static bool rereads_stored_chunks(const Layer& src, const Chunks& read);
  /// Moves a rechunk or slice that directly follows a source into the source.
  void push_into_sources(const std::set<int>& outputs);
};

}  // namespace chunkscope::detail
