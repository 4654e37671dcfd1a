#pragma once
// Element types and NumPy's type-promotion rules for the ops chunkscope runs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chunkscope {

/// Element type of an array. `uint64` is also the result type of sums of unsigned ints. The
/// values added later (int8, int16, uint32, float16) come last so existing values keep theirs.
enum class DType : std::uint8_t {
  Bool,
  UInt8,
  UInt16,
  Int32,
  Int64,
  UInt64,
  Float32,
  Float64,
  Int8,
  Int16,
  UInt32,
  Float16
};

/// Every dtype, in promotion-table order (for tests and help texts).
inline constexpr DType kAllDTypes[] = {DType::Bool,   DType::Int8,    DType::UInt8,   DType::Int16,
                                       DType::UInt16, DType::Int32,   DType::UInt32,  DType::Int64,
                                       DType::UInt64, DType::Float16, DType::Float32, DType::Float64};
/// The dtype names a pipeline accepts, for messages ("bool, int8, uint8, ...").
std::string_view dtype_names_list();

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
/// Why a dtype name or array-protocol string that parse_dtype/parse_typestr refuse is refused, in
/// one line: complex types get their own reason (docs/pipeline-format.md, "dtypes"); "" when the
/// name is simply unknown.
std::string unsupported_dtype_reason(std::string_view name_or_typestr);

bool is_float(DType t);
bool is_integer(DType t);  ///< signed or unsigned integer (not bool)
bool is_unsigned(DType t);

/// NumPy's result_type for two arrays (np.result_type(a, b)).
DType promote(DType a, DType b);
/// Result type of an array combined with a Python number (weak scalar, NEP 50).
DType promote_with_scalar(DType array, bool scalar_is_integral);
/// Result type of true division (`divide`): integers and bools give float64.
DType divide_result(DType t);
/// Result type of sqrt/exp/log/sin/cos, NumPy's: float16 for bool/int8/uint8, float32 for
/// int16/uint16, float64 for wider integers, floats unchanged.
DType float_math_result(DType t);
/// The smallest float type that holds every value of t (bool/int8/uint8 -> float16,
/// int16/uint16 -> float32, wider -> float64; floats: themselves).
DType float_for(DType t);
/// Result type of `sum`: bool and signed ints -> int64, unsigned -> uint64, floats unchanged.
DType sum_result(DType t);
/// Result type of mean/var/std: floats unchanged (float16 too: NumPy accumulates it in float32
/// and rounds the result), everything else float64.
DType mean_result(DType t);

}  // namespace chunkscope
