#include "chunkscope/core/dtype.hpp"

#include <algorithm>
#include <array>

namespace chunkscope {

int dtype_size(DType t) {
  switch (t) {
    case DType::Bool:
    case DType::Int8:
    case DType::UInt8: return 1;
    case DType::Int16:
    case DType::UInt16:
    case DType::Float16: return 2;
    case DType::Int32:
    case DType::UInt32:
    case DType::Float32: return 4;
    case DType::Int64:
    case DType::UInt64:
    case DType::Float64: return 8;
  }
  return 8;
}

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Int16: return "int16";
    case DType::UInt16: return "uint16";
    case DType::Int32: return "int32";
    case DType::UInt32: return "uint32";
    case DType::Int64: return "int64";
    case DType::UInt64: return "uint64";
    case DType::Float16: return "float16";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "?";
}

std::string_view dtype_names_list() {
  return "bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float16, float32 or float64";
}

std::optional<DType> parse_dtype(std::string_view n) {
  struct Alias {
    std::string_view name;
    DType t;
  };
  static constexpr std::array<Alias, 30> aliases{{
      {"bool", DType::Bool},       {"?", DType::Bool},          {"b1", DType::Bool},       {"int8", DType::Int8},
      {"i1", DType::Int8},         {"uint8", DType::UInt8},     {"u1", DType::UInt8},      {"int16", DType::Int16},
      {"i2", DType::Int16},        {"uint16", DType::UInt16},   {"u2", DType::UInt16},     {"int32", DType::Int32},
      {"i4", DType::Int32},        {"uint32", DType::UInt32},   {"u4", DType::UInt32},     {"int64", DType::Int64},
      {"i8", DType::Int64},        {"int", DType::Int64},       {"uint64", DType::UInt64}, {"u8", DType::UInt64},
      {"float16", DType::Float16}, {"f2", DType::Float16},      {"half", DType::Float16},  {"float32", DType::Float32},
      {"f4", DType::Float32},      {"float64", DType::Float64}, {"f8", DType::Float64},    {"float", DType::Float64},
      {"double", DType::Float64},  {"single", DType::Float32},
  }};
  for (const auto& a : aliases)
    if (a.name == n) return a.t;
  return std::nullopt;
}

std::string dtype_typestr(DType t) {
  switch (t) {
    case DType::Bool: return "|b1";
    case DType::Int8: return "|i1";
    case DType::UInt8: return "|u1";
    case DType::Int16: return "<i2";
    case DType::UInt16: return "<u2";
    case DType::Int32: return "<i4";
    case DType::UInt32: return "<u4";
    case DType::Int64: return "<i8";
    case DType::UInt64: return "<u8";
    case DType::Float16: return "<f2";
    case DType::Float32: return "<f4";
    case DType::Float64: return "<f8";
  }
  return "?";
}

std::optional<DType> parse_typestr(std::string_view s) {
  if (s.size() < 2) return std::nullopt;
  const char order = s[0];
  if (order != '<' && order != '|' && order != '=') return std::nullopt;  // big-endian unsupported
  const std::string_view rest = s.substr(1);
  for (DType t : kAllDTypes)
    if (rest == std::string_view(dtype_typestr(t)).substr(1)) return t;
  return std::nullopt;
}

std::string unsupported_dtype_reason(std::string_view n) {
  if (!n.empty() && (n[0] == '<' || n[0] == '>' || n[0] == '|' || n[0] == '=')) n.remove_prefix(1);
  if (n == "complex64" || n == "complex128" || n == "complex" || n == "c8" || n == "c16" || n == "complex256" ||
      n == "c32")
    return "complex dtypes are not supported: chunkscope cannot match NumPy's complex semantics in every op "
           "(ordering in maximum/minimum/min/max and comparisons, filters); split the array into real and "
           "imaginary float arrays";
  if (n == "float128" || n == "f16" || n == "longdouble")
    return "float128 is not supported (its layout depends on the platform); use float64";
  return "";
}

bool is_float(DType t) { return t == DType::Float16 || t == DType::Float32 || t == DType::Float64; }
bool is_unsigned(DType t) {
  return t == DType::UInt8 || t == DType::UInt16 || t == DType::UInt32 || t == DType::UInt64;
}
bool is_integer(DType t) { return !is_float(t) && t != DType::Bool; }

namespace {
// Bits of a type, for promotion.
int bits(DType t) { return dtype_size(t) * 8; }
// The signed integer type of `b` bits (float64 past 64, as NumPy's promotion of uint64 with int).
DType signed_of_bits(int b) {
  switch (b) {
    case 8: return DType::Int8;
    case 16: return DType::Int16;
    case 32: return DType::Int32;
    case 64: return DType::Int64;
    default: return DType::Float64;
  }
}
}  // namespace

DType float_for(DType t) {
  if (is_float(t)) return t;
  const int b = t == DType::Bool ? 8 : bits(t);
  return b <= 8 ? DType::Float16 : b <= 16 ? DType::Float32 : DType::Float64;
}

DType promote(DType a, DType b) {
  if (a == b) return a;
  if (a == DType::Bool) return b;
  if (b == DType::Bool) return a;
  if (is_float(a) || is_float(b)) {
    // A float with an integer: the wider of the float and the smallest float that holds the integer.
    const DType fa = float_for(a), fb = float_for(b);
    return bits(fa) >= bits(fb) ? fa : fb;
  }
  // both integers
  const bool ua = is_unsigned(a), ub = is_unsigned(b);
  if (ua == ub) return bits(a) >= bits(b) ? a : b;
  const DType u = ua ? a : b, s = ua ? b : a;
  if (bits(s) > bits(u)) return s;
  // unsigned at least as wide as signed: the next wider signed type, float64 past 64 bits
  return signed_of_bits(2 * bits(u));
}

DType promote_with_scalar(DType array, bool scalar_is_integral) {
  if (array == DType::Bool) return scalar_is_integral ? DType::Int64 : DType::Float64;
  if (is_integer(array)) return scalar_is_integral ? array : DType::Float64;
  return array;
}

DType divide_result(DType t) { return is_float(t) ? t : DType::Float64; }

DType float_math_result(DType t) { return float_for(t); }

DType sum_result(DType t) {
  if (is_float(t)) return t;
  if (is_unsigned(t)) return DType::UInt64;
  return DType::Int64;
}

DType mean_result(DType t) { return is_float(t) ? t : DType::Float64; }

}  // namespace chunkscope
