#include "chunkscope/core/dtype.hpp"

#include <algorithm>
#include <array>

namespace chunkscope {

int dtype_size(DType t) {
  switch (t) {
    case DType::Bool: case DType::UInt8: return 1;
    case DType::UInt16: return 2;
    case DType::Int32: case DType::Float32: return 4;
    case DType::Int64: case DType::UInt64: case DType::Float64: return 8;
  }
  return 8;
}

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "uint8";
    case DType::UInt16: return "uint16";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::UInt64: return "uint64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "?";
}

std::optional<DType> parse_dtype(std::string_view n) {
  struct Alias { std::string_view name; DType t; };
  static constexpr std::array<Alias, 20> aliases{{
      {"bool", DType::Bool}, {"?", DType::Bool}, {"b1", DType::Bool},
      {"uint8", DType::UInt8}, {"u1", DType::UInt8},
      {"uint16", DType::UInt16}, {"u2", DType::UInt16},
      {"int32", DType::Int32}, {"i4", DType::Int32},
      {"int64", DType::Int64}, {"i8", DType::Int64}, {"int", DType::Int64},
      {"uint64", DType::UInt64}, {"u8", DType::UInt64},
      {"float32", DType::Float32}, {"f4", DType::Float32},
      {"float64", DType::Float64}, {"f8", DType::Float64}, {"float", DType::Float64}, {"double", DType::Float64},
  }};
  for (const auto& a : aliases)
    if (a.name == n) return a.t;
  return std::nullopt;
}

std::string dtype_typestr(DType t) {
  switch (t) {
    case DType::Bool: return "|b1";
    case DType::UInt8: return "|u1";
    case DType::UInt16: return "<u2";
    case DType::Int32: return "<i4";
    case DType::Int64: return "<i8";
    case DType::UInt64: return "<u8";
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
  if (rest == "b1") return DType::Bool;
  if (rest == "u1") return DType::UInt8;
  if (rest == "u2") return DType::UInt16;
  if (rest == "i4") return DType::Int32;
  if (rest == "i8") return DType::Int64;
  if (rest == "u8") return DType::UInt64;
  if (rest == "f4") return DType::Float32;
  if (rest == "f8") return DType::Float64;
  return std::nullopt;
}

bool is_float(DType t) { return t == DType::Float32 || t == DType::Float64; }
bool is_unsigned(DType t) { return t == DType::UInt8 || t == DType::UInt16 || t == DType::UInt64; }
bool is_integer(DType t) { return !is_float(t) && t != DType::Bool; }

namespace {
// Bits of an integer type, for promotion.
int int_bits(DType t) { return dtype_size(t) * 8; }
}  // namespace

DType promote(DType a, DType b) {
  if (a == b) return a;
  if (a == DType::Bool) return b;
  if (b == DType::Bool) return a;
  if (is_float(a) || is_float(b)) {
    if (a == DType::Float64 || b == DType::Float64) return DType::Float64;
    // float32 with an integer: small integers (<= 16 bits) fit, wider ones need float64.
    const DType other = is_float(a) ? b : a;
    if (is_float(other)) return DType::Float32;
    return int_bits(other) <= 16 ? DType::Float32 : DType::Float64;
  }
  // both integers
  const bool ua = is_unsigned(a), ub = is_unsigned(b);
  if (ua == ub) return int_bits(a) >= int_bits(b) ? a : b;
  const DType u = ua ? a : b, s = ua ? b : a;
  if (int_bits(s) > int_bits(u)) return s;
  // unsigned at least as wide as signed: next wider signed type, float64 past 64 bits
  if (int_bits(u) < 32) return DType::Int32;
  if (int_bits(u) < 64) return DType::Int64;
  return DType::Float64;
}

DType promote_with_scalar(DType array, bool scalar_is_integral) {
  if (array == DType::Bool) return scalar_is_integral ? DType::Int64 : DType::Float64;
  if (is_integer(array)) return scalar_is_integral ? array : DType::Float64;
  return array;
}

DType divide_result(DType t) { return is_float(t) ? t : DType::Float64; }

DType float_math_result(DType t) {
  switch (t) {
    case DType::Bool: case DType::UInt8: case DType::UInt16: case DType::Float32: return DType::Float32;
    default: return DType::Float64;
  }
}

DType sum_result(DType t) {
  if (is_float(t)) return t;
  if (is_unsigned(t)) return DType::UInt64;
  return DType::Int64;
}

DType mean_result(DType t) { return is_float(t) ? t : DType::Float64; }

}  // namespace chunkscope
