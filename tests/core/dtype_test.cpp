// Element types and NumPy's promotion rules (core/src/dtype.cpp). Expected values are NumPy 2's
// (np.result_type, NEP 50 weak scalars); comments give the NumPy expression.
#include "chunkscope/core/dtype.hpp"

#include <catch2/catch.hpp>

using namespace chunkscope;

namespace {
const DType kAll[] = {DType::Bool,  DType::UInt8,  DType::UInt16,  DType::Int32,
                      DType::Int64, DType::UInt64, DType::Float32, DType::Float64};
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
  CHECK_FALSE(parse_dtype("float16"));
  CHECK_FALSE(parse_dtype("complex128"));
  CHECK_FALSE(parse_dtype("Float64"));
  CHECK_FALSE(parse_dtype(""));
}

TEST_CASE("parse_typestr rejects big-endian and unsupported types", "[core][dtype]") {
  CHECK(parse_typestr("=f4") == DType::Float32);
  CHECK_FALSE(parse_typestr(">f8"));
  CHECK_FALSE(parse_typestr("<c16"));
  CHECK_FALSE(parse_typestr("<f2"));
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
  CHECK(float_math_result(DType::UInt8) == DType::Float32);   // NumPy: float16; chunkscope has none
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
