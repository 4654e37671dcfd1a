#pragma once
// Element types and NumPy's type-promotion rules for the ops chunkscope runs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chunkscope {

/// Element type of an array. `uint64` exists as a result type (NumPy sums of unsigned ints).
enum class DType : std::uint8_t { Bool, UInt8, UInt16, Int32, Int64, UInt64, Float32, Float64 };

/// Bytes per element.
int dtype_size(DType t);
/// Canonical name ("float32", ...).
std::string_view dtype_name(DType t);
/// Parses a name ("float64", "f8", "bool", "uint8", "int32", "i8" ...); nullopt when unknown.
std::optional<DType> parse_dtype(std::string_view name);
/// NumPy array-protocol string for .npy/.zarr headers, little-endian ("<f8", "|b1", "|u1").
std::string dtype_typestr(DType t);
/// Parses an array-protocol string ("<f8", "|u1", "<i4"); nullopt when unsupported (big-endian too).
std::optional<DType> parse_typestr(std::string_view s);

bool is_float(DType t);
bool is_integer(DType t);  ///< signed or unsigned integer (not bool)
bool is_unsigned(DType t);

/// NumPy's result_type for two arrays (np.result_type(a, b)).
DType promote(DType a, DType b);
/// Result type of an array combined with a Python number (weak scalar, NEP 50).
DType promote_with_scalar(DType array, bool scalar_is_integral);
/// Result type of true division (`divide`): integers and bools give float64.
DType divide_result(DType t);
/// Result type of sqrt/exp/log/sin/cos. NumPy gives float16 for bool/uint8; chunkscope has no
/// float16 and uses float32 there (documented in docs/pipeline-format.md).
DType float_math_result(DType t);
/// Result type of `sum`: bool and signed ints -> int64, unsigned -> uint64, floats unchanged.
DType sum_result(DType t);
/// Result type of mean/var/std: floats unchanged, everything else float64.
DType mean_result(DType t);

}  // namespace chunkscope
