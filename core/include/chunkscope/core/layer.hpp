#pragma once
// Layer: one step of a pipeline (an op over whole chunked arrays) and its parameters.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/array_meta.hpp"
#include "chunkscope/core/numpy_elements.hpp"

namespace chunkscope {

/// Every op of the pipeline format. The string names are in ops.hpp (op_name / parse_op).
enum class Op : std::uint8_t {
  // sources
  Random,
  Zeros,
  Ones,
  Full,
  FromNpy,
  FromZarr,
  // element-wise, binary
  Add,
  Subtract,
  Multiply,
  Divide,
  Power,
  Maximum,
  Minimum,
  Greater,
  GreaterEqual,
  Less,
  LessEqual,
  Equal,
  // element-wise, ternary / unary
  Where,
  Negative,
  Abs,
  Sqrt,
  Exp,
  Log,
  Sin,
  Cos,
  AsType,
  // structure
  Transpose,
  Slice,
  Rechunk,
  Concatenate,
  // reductions
  Sum,
  Mean,
  Min,
  Max,
  Std,
  Var,
  // stencils
  GaussianFilter,
  UniformFilter,
  // linear algebra
  Matmul,
  // sinks (written by the `outputs` section)
  ToNpy,
  ToZarr,
};

/// Broad family of an op: decides how a layer expands into tasks.
enum class OpKind : std::uint8_t {
  Source,
  Elementwise,
  Transpose,
  Slice,
  Rechunk,
  Concatenate,
  Reduce,
  Stencil,
  Matmul,
  Sink
};

/// Boundary handling of the filters (scipy.ndimage names).
enum class BoundaryMode : std::uint8_t { Reflect, Nearest, Constant, Wrap };

/// An element-wise input: another layer's output or a number.
struct Operand {
  int layer = -1;     ///< index into Graph::layers(), or -1 for a scalar
  double scalar = 0;  ///< value when layer == -1 (an integer literal: its nearest double)
  bool scalar_is_integral = false;
  numpy::IntScalar integer;  ///< an integer literal's exact value (when scalar_is_integral)
  bool is_scalar() const { return layer < 0; }
};

/// One axis of a slice, normalised to NumPy's rules (step != 0, start/stop resolved).
struct AxisSlice {
  std::int64_t start = 0;
  std::int64_t step = 1;
  std::int64_t count = 0;  ///< number of selected elements
  /// Global input index of the i-th selected element.
  std::int64_t at(std::int64_t i) const { return start + i * step; }
};

/// Typed parameters of a layer; each op uses the fields named in its comment.
struct LayerParams {
  std::string path;                ///< from_npy, from_zarr, to_npy, to_zarr (resolved against the pipeline's folder)
  double value = 0;                ///< full
  std::uint64_t seed = 0;          ///< random
  std::vector<Operand> operands;   ///< element-wise ops (2 for binary, 3 for where, 1 for unary)
  std::vector<int> axes;           ///< transpose: permutation; reductions: sorted reduced axes
  bool keepdims = false;           ///< reductions
  int split_every = 4;             ///< reductions: fan-in of the reduction tree (Dask's default 4)
  std::vector<AxisSlice> slices;   ///< slice
  int axis = 0;                    ///< concatenate
  std::vector<double> sigma;       ///< gaussian_filter, per axis
  double truncate = 4.0;           ///< gaussian_filter
  std::vector<std::int64_t> size;  ///< uniform_filter, per axis
  BoundaryMode mode = BoundaryMode::Reflect;  ///< filters
  double cval = 0.0;                          ///< filters with mode "constant"
  /// For a rechunk/slice pushed into its source: the source layer it reads from, and for each axis
  /// the mapping from this layer's coordinates to the source's (source = start + i * step).
  int pushed_source = -1;
  std::vector<AxisSlice> source_view;
};

/// One layer of a pipeline: an op applied to whole arrays, with its output's ArrayMeta.
struct Layer {
  std::string id;    ///< unique id from the pipeline
  std::string name;  ///< display name (defaults to the id)
  Op op = Op::Zeros;
  OpKind kind = OpKind::Source;
  std::string group;        ///< "/"-separated collapsible group path ("denoise/blur"); may be empty
  std::vector<int> inputs;  ///< indices of the input layers (array operands only), in order
  ArrayMeta meta;           ///< output array
  LayerParams params;
  nlohmann::json raw_params = nlohmann::json::object();  ///< the op's fields as written, for traces and display
  bool inserted = false;  ///< added by chunkscope (chunk unification), not written by the user
  int pushed_into = -1;   ///< a source whose work moved into this later layer (it runs no tasks itself)
};

}  // namespace chunkscope
