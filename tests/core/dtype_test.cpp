// Element types and NumPy's promotion rules (core/src/dtype.cpp). Expected values are NumPy 2's
// (np.result_type, NEP 50 weak scalars); comments give the NumPy expression.
#include "chunkscope/core/dtype.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include <catch2/catch.hpp>

#include "chunkscope/core/numpy_elements.hpp"

using namespace chunkscope;

namespace {
const auto& kAll = kAllDTypes;
}

TEST_CASE("sizes, names and array-protocol strings", "[core][dtype]") {
  CHECK(dtype_size(DType::Bool) == 1);
  CHECK(dtype_size(DType::UInt8) == 1);
  CHECK(dtype_size(DType::UInt16) == 2);
  CHECK(dtype_size(DType::Int32) == 4);
  CHECK(dtype_size(DType::Float32) == 4);
  CHECK(dtype_size(DType::Int64) == 8);
  CHECK(dtype_size(DType::UInt64) == 8);
  CHECK(dtype_size(DType::Float64) == 8);
  CHECK(dtype_typestr(DType::Bool) == "|b1");
  CHECK(dtype_typestr(DType::UInt8) == "|u1");
  CHECK(dtype_typestr(DType::Float64) == "<f8");
  for (DType t : kAll) {
    INFO(dtype_name(t));
    CHECK(parse_dtype(dtype_name(t)) == t);
    CHECK(parse_typestr(dtype_typestr(t)) == t);
  }
}

TEST_CASE("parse_dtype aliases and unknown names", "[core][dtype]") {
  CHECK(parse_dtype("f8") == DType::Float64);
  CHECK(parse_dtype("f4") == DType::Float32);
  CHECK(parse_dtype("i4") == DType::Int32);
  CHECK(parse_dtype("i8") == DType::Int64);
  CHECK(parse_dtype("u1") == DType::UInt8);
  CHECK(parse_dtype("?") == DType::Bool);
  CHECK(parse_dtype("float16") == DType::Float16);
  CHECK(parse_dtype("f2") == DType::Float16);
  CHECK(parse_dtype("i1") == DType::Int8);
  CHECK(parse_dtype("i2") == DType::Int16);
  CHECK(parse_dtype("u4") == DType::UInt32);
  CHECK(parse_typestr("<f2") == DType::Float16);
  CHECK(parse_typestr("|i1") == DType::Int8);
  CHECK(parse_typestr("<u4") == DType::UInt32);
  CHECK_FALSE(parse_dtype("complex64"));
  CHECK_FALSE(parse_typestr("<c8"));
  CHECK(unsupported_dtype_reason("complex128").find("complex dtypes are not supported") == 0);
  CHECK(unsupported_dtype_reason("<c16").find("complex dtypes are not supported") == 0);
  CHECK(unsupported_dtype_reason("float7").empty());
  CHECK_FALSE(parse_dtype("complex128"));
  CHECK_FALSE(parse_dtype("Float64"));
  CHECK_FALSE(parse_dtype(""));
}

TEST_CASE("parse_typestr rejects big-endian and unsupported types", "[core][dtype]") {
  CHECK(parse_typestr("=f4") == DType::Float32);
  CHECK_FALSE(parse_typestr(">f8"));
  CHECK_FALSE(parse_typestr("<c16"));
  CHECK_FALSE(parse_typestr(">f2"));
  CHECK_FALSE(parse_typestr("<f16"));
  CHECK_FALSE(parse_typestr("|O"));
  CHECK_FALSE(parse_typestr("f"));
}

TEST_CASE("families", "[core][dtype]") {
  CHECK(is_float(DType::Float32));
  CHECK_FALSE(is_float(DType::Int64));
  CHECK(is_integer(DType::UInt8));
  CHECK(is_integer(DType::Int64));
  CHECK_FALSE(is_integer(DType::Bool));
  CHECK_FALSE(is_integer(DType::Float64));
  CHECK(is_unsigned(DType::UInt64));
  CHECK_FALSE(is_unsigned(DType::Int32));
  CHECK_FALSE(is_unsigned(DType::Bool));
}

TEST_CASE("promote matches np.result_type for two arrays", "[core][dtype]") {
  using D = DType;
  struct Row {
    D a, b, expected;
  };
  const Row table[] = {
      {D::Bool, D::Bool, D::Bool},        {D::Bool, D::UInt8, D::UInt8},        {D::Bool, D::Float32, D::Float32},
      {D::Bool, D::Int64, D::Int64},      {D::UInt8, D::UInt16, D::UInt16},     {D::UInt8, D::Int32, D::Int32},
      {D::UInt16, D::Int32, D::Int32},    {D::UInt16, D::Int64, D::Int64},      {D::UInt8, D::UInt64, D::UInt64},
      {D::Int32, D::Int64, D::Int64},     {D::UInt64, D::Int64, D::Float64},    {D::UInt64, D::Int32, D::Float64},
      {D::UInt8, D::Float32, D::Float32}, {D::UInt16, D::Float32, D::Float32},  {D::Int32, D::Float32, D::Float64},
      {D::Int64, D::Float32, D::Float64}, {D::UInt64, D::Float32, D::Float64},  {D::Float32, D::Float64, D::Float64},
      {D::Int64, D::Float64, D::Float64}, {D::Float32, D::Float32, D::Float32}, {D::UInt64, D::UInt64, D::UInt64},
      {D::Int32, D::Int32, D::Int32},
  };
  for (const Row& r : table) {
    INFO(dtype_name(r.a) << " + " << dtype_name(r.b));
    CHECK(promote(r.a, r.b) == r.expected);
    CHECK(promote(r.b, r.a) == r.expected);
  }
  // Promotion is commutative over the whole table.
  for (DType a : kAll)
    for (DType b : kAll) CHECK(promote(a, b) == promote(b, a));
}

TEST_CASE("weak Python scalars do not widen arrays (NEP 50)", "[core][dtype]") {
  CHECK(promote_with_scalar(DType::UInt8, true) == DType::UInt8);       // np.uint8 array + 1
  CHECK(promote_with_scalar(DType::Int32, true) == DType::Int32);       // int32 array + 1
  CHECK(promote_with_scalar(DType::Int32, false) == DType::Float64);    // int32 array + 0.5
  CHECK(promote_with_scalar(DType::UInt16, false) == DType::Float64);   // uint16 array + 0.5
  CHECK(promote_with_scalar(DType::Float32, true) == DType::Float32);   // float32 array + 1
  CHECK(promote_with_scalar(DType::Float32, false) == DType::Float32);  // float32 array + 0.5
  CHECK(promote_with_scalar(DType::Float64, false) == DType::Float64);
  CHECK(promote_with_scalar(DType::Bool, true) == DType::Int64);     // bool array + 1
  CHECK(promote_with_scalar(DType::Bool, false) == DType::Float64);  // bool array + 0.5
}

TEST_CASE("result types of division, float math and reductions", "[core][dtype]") {
  CHECK(divide_result(DType::Int32) == DType::Float64);  // int32 / int32
  CHECK(divide_result(DType::UInt8) == DType::Float64);
  CHECK(divide_result(DType::Bool) == DType::Float64);
  CHECK(divide_result(DType::Float32) == DType::Float32);
  CHECK(float_math_result(DType::Float32) == DType::Float32);
  CHECK(float_math_result(DType::UInt16) == DType::Float32);  // np.sqrt(uint16) is float32
  CHECK(float_math_result(DType::UInt8) == DType::Float16);   // np.sqrt(uint8) is float16
  CHECK(float_math_result(DType::Int8) == DType::Float16);
  CHECK(float_math_result(DType::Bool) == DType::Float16);
  CHECK(float_math_result(DType::Int16) == DType::Float32);
  CHECK(float_math_result(DType::UInt32) == DType::Float64);
  CHECK(float_math_result(DType::Float16) == DType::Float16);
  CHECK(sum_result(DType::Int8) == DType::Int64);
  CHECK(sum_result(DType::UInt32) == DType::UInt64);
  CHECK(sum_result(DType::Float16) == DType::Float16);
  CHECK(mean_result(DType::Int16) == DType::Float64);
  CHECK(mean_result(DType::Float16) == DType::Float16);
  CHECK(divide_result(DType::Float16) == DType::Float16);
  CHECK(divide_result(DType::Int8) == DType::Float64);
  CHECK(float_math_result(DType::Int32) == DType::Float64);
  CHECK(float_math_result(DType::Int64) == DType::Float64);
  CHECK(sum_result(DType::Bool) == DType::Int64);  // np.sum(bool)
  CHECK(sum_result(DType::Int32) == DType::Int64);
  CHECK(sum_result(DType::UInt8) == DType::UInt64);
  CHECK(sum_result(DType::Float32) == DType::Float32);
  CHECK(mean_result(DType::Int32) == DType::Float64);
  CHECK(mean_result(DType::Bool) == DType::Float64);
  CHECK(mean_result(DType::Float32) == DType::Float32);
}

TEST_CASE("promote is np.result_type over every pair of dtypes", "[core][dtype]") {
  using T = DType;
  // np.result_type(a, b) for a, b in the order of kAllDTypes (NumPy 1.24 and 2.x agree on arrays).
  const DType table[12][12] = {
      {T::Bool, T::Int8, T::UInt8, T::Int16, T::UInt16, T::Int32, T::UInt32, T::Int64, T::UInt64, T::Float16,
       T::Float32, T::Float64},  // bool
      {T::Int8, T::Int8, T::Int16, T::Int16, T::Int32, T::Int32, T::Int64, T::Int64, T::Float64, T::Float16, T::Float32,
       T::Float64},  // int8
      {T::UInt8, T::Int16, T::UInt8, T::Int16, T::UInt16, T::Int32, T::UInt32, T::Int64, T::UInt64, T::Float16,
       T::Float32, T::Float64},  // uint8
      {T::Int16, T::Int16, T::Int16, T::Int16, T::Int32, T::Int32, T::Int64, T::Int64, T::Float64, T::Float32,
       T::Float32, T::Float64},  // int16
      {T::UInt16, T::Int32, T::UInt16, T::Int32, T::UInt16, T::Int32, T::UInt32, T::Int64, T::UInt64, T::Float32,
       T::Float32, T::Float64},  // uint16
      {T::Int32, T::Int32, T::Int32, T::Int32, T::Int32, T::Int32, T::Int64, T::Int64, T::Float64, T::Float64,
       T::Float64, T::Float64},  // int32
      {T::UInt32, T::Int64, T::UInt32, T::Int64, T::UInt32, T::Int64, T::UInt32, T::Int64, T::UInt64, T::Float64,
       T::Float64, T::Float64},  // uint32
      {T::Int64, T::Int64, T::Int64, T::Int64, T::Int64, T::Int64, T::Int64, T::Int64, T::Float64, T::Float64,
       T::Float64, T::Float64},  // int64
      {T::UInt64, T::Float64, T::UInt64, T::Float64, T::UInt64, T::Float64, T::UInt64, T::Float64, T::UInt64,
       T::Float64, T::Float64, T::Float64},  // uint64
      {T::Float16, T::Float16, T::Float16, T::Float32, T::Float32, T::Float64, T::Float64, T::Float64, T::Float64,
       T::Float16, T::Float32, T::Float64},  // float16
      {T::Float32, T::Float32, T::Float32, T::Float32, T::Float32, T::Float64, T::Float64, T::Float64, T::Float64,
       T::Float32, T::Float32, T::Float64},  // float32
      {T::Float64, T::Float64, T::Float64, T::Float64, T::Float64, T::Float64, T::Float64, T::Float64, T::Float64,
       T::Float64, T::Float64, T::Float64},  // float64
  };
  for (int a = 0; a < 12; ++a)
    for (int b = 0; b < 12; ++b) {
      INFO(dtype_name(kAllDTypes[a]) << " with " << dtype_name(kAllDTypes[b]));
      CHECK(promote(kAllDTypes[a], kAllDTypes[b]) == table[a][b]);
    }
}

TEST_CASE("float16 conversions round once, to nearest even, as NumPy's", "[core][dtype]") {
  using numpy::Half;
  // np.float16(x).view(np.uint16) for each x
  CHECK(Half(1.0).bits == 0x3c00);
  CHECK(Half(-2.0f).bits == 0xc000);
  CHECK(Half(65504.0).bits == 0x7bff);
  CHECK(Half(65519.99).bits == 0x7bff);  // below the halfway point to 65536
  CHECK(Half(65520.0).bits == 0x7c00);   // rounds to infinity
  CHECK(Half(0.1).bits == 0x2e66);
  CHECK(Half(0.1f).bits == 0x2e66);
  CHECK(Half(6e-8).bits == 0x0001);              // the smallest subnormal
  CHECK(Half(2.98e-8).bits == 0x0000);           // below half of it
  CHECK(Half(1.0 + 1.0 / 2048).bits == 0x3c00);  // a tie: to even
  CHECK(Half(1.0 + 3.0 / 2048).bits == 0x3c02);  // a tie: to even (up)
  CHECK(Half(2049).bits == 0x6800);              // integers through double
  CHECK(Half(std::numeric_limits<double>::infinity()).bits == 0x7c00);
  CHECK((Half(std::nan("")).bits & 0x7c00) == 0x7c00);
  CHECK(static_cast<float>(Half::from_bits(0x3555)) == 0.333251953125f);
  CHECK(static_cast<float>(Half::from_bits(0x0001)) == 5.960464477539063e-08f);
  // One rounding from double (0.50024414062500001 is just above a float16 tie; through float it
  // would first round to the tie, then to even).
  CHECK(Half(0.5002441406250001).bits == 0x3801);
  // every float16 round-trips through float
  for (unsigned b = 0; b < 0x10000; ++b) {
    const Half h = Half::from_bits(static_cast<std::uint16_t>(b));
    const float f = h;
    if (f != f) continue;
    REQUIRE(Half(f).bits == b);
    REQUIRE(Half(static_cast<double>(f)).bits == b);
  }
  // NumPy's casts from float16
  CHECK(numpy::cast<std::int8_t>(Half(-3.75)) == -3);
  CHECK(numpy::cast<bool>(Half(0.0)) == false);
  CHECK(numpy::cast<std::uint32_t>(3e9) == 3000000000u);
  CHECK(numpy::cast<std::uint32_t>(-1.0) == 4294967295u);
}
