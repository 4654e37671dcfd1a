#pragma once
// Helpers of the numeric kernel tests (elementwise, reduce, stencil, matmul): inline pipelines
// whose inputs have varied values in any dtype, and whole arrays read back as float64.
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "chunkscope/core/dtype.hpp"
#include "serial_run.hpp"

namespace chunkscope::test {

/// The dtypes of the pipeline format (float16, whose arithmetic rounds after every op, is checked
/// against NumPy in tests/e2e: dtypes.json, dtypes_io.py).
inline const std::vector<DType> kPipelineDTypes{DType::Bool,    DType::Int8,   DType::UInt8,  DType::Int16,
                                                DType::UInt16,  DType::Int32,  DType::UInt32, DType::Int64,
                                                DType::Float32, DType::Float64};

inline std::string name(DType t) { return std::string(dtype_name(t)); }

/// A pipeline document around a comma-separated list of layer objects.
inline std::string pipeline(const std::string& layers) { return "{\"name\": \"t\", \"layers\": [" + layers + "]}"; }

/// Layers ending in array `id` of dtype `t`: uniform random values scaled to [-shift, scale - shift)
/// and cast (integers truncate toward zero); bool is random > 0.5.
inline std::string input_layers(const std::string& id, DType t, int seed, const std::string& shape,
                                const std::string& chunks, double scale = 200, double shift = 100) {
  const std::string u = id + "_u";
  std::string s = "{\"id\": \"" + u + "\", \"op\": \"random\", \"shape\": " + shape + ", \"chunks\": " + chunks +
                  ", \"seed\": " + std::to_string(seed) + (t == DType::Float32 ? ", \"dtype\": \"float32\"" : "") +
                  "},";
  if (t == DType::Bool) return s + "{\"id\": \"" + id + "\", \"op\": \"greater\", \"inputs\": [\"" + u + "\", 0.5]}";
  s += "{\"id\": \"" + id + "_s\", \"op\": \"multiply\", \"inputs\": [\"" + u + "\", " + std::to_string(scale) + "]},";
  s += "{\"id\": \"" + id + "_t\", \"op\": \"subtract\", \"inputs\": [\"" + id + "_s\", " + std::to_string(shift) +
       "]},";
  return s + "{\"id\": \"" + id + "\", \"op\": \"astype\", \"input\": \"" + id + "_t\", \"dtype\": \"" + name(t) +
         "\"}";
}

/// Storage type of a dtype's elements as read back from a run (bool as uint8).
template <class T>
using Store = std::conditional_t<std::is_same_v<T, bool>, std::uint8_t, T>;

/// Whole array of layer `id` converted to double (exact for every value the tests use).
inline std::vector<double> as_double(const SerialRun& r, const std::string& id) {
  const int l = r.graph->find_layer(id);
  if (l < 0) throw std::runtime_error("no layer " + id);
  return dispatch_dtype(r.graph->layer(l).meta.dtype, [&](auto x) {
    using T = decltype(x);
    const auto v = r.array<Store<T>>(id);
    return std::vector<double>(v.begin(), v.end());
  });
}

/// The dtype of layer `id`.
inline DType dtype_of(const Graph& g, const std::string& id) { return g.layer(g.find_layer(id)).meta.dtype; }

}  // namespace chunkscope::test
