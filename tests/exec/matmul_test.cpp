// matmul (exec/src/kernels/matmul.cpp) against a naive triple loop: BLAS for float32/float64,
// the blocked loop with wrapping arithmetic for integers and bool, mixed dtypes, irregular chunks.
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "kernel_inputs.hpp"

using namespace chunkscope;
using test::as_double;
using test::input_layers;
using test::name;
using test::pipeline;
using test::SerialRun;

namespace {

/// a (m x k) @ b (k x n) in result type C, wrapping like NumPy for integers.
std::vector<double> naive(const std::vector<double>& a, const std::vector<double>& b, std::int64_t m, std::int64_t k,
                          std::int64_t n, DType c) {
  std::vector<double> out(static_cast<size_t>(m * n));
  dispatch_dtype(c, [&](auto x) {
    using C = decltype(x);
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        if constexpr (std::is_floating_point_v<C>) {
          long double s = 0;
          for (std::int64_t p = 0; p < k; ++p) s += static_cast<long double>(a[i * k + p]) * b[p * n + j];
          out[i * n + j] = static_cast<double>(static_cast<C>(s));
        } else if constexpr (std::is_same_v<C, bool>) {
          bool s = false;
          for (std::int64_t p = 0; p < k; ++p) s = s || (a[i * k + p] != 0 && b[p * n + j] != 0);
          out[i * n + j] = s;
        } else {
          unsigned long long s = 0;
          for (std::int64_t p = 0; p < k; ++p)
            s += static_cast<unsigned long long>(static_cast<long long>(a[i * k + p])) *
                 static_cast<unsigned long long>(static_cast<long long>(b[p * n + j]));
          out[i * n + j] = static_cast<double>(static_cast<C>(s));
        }
      }
  });
  return out;
}

void check_matmul(DType ta, DType tb, std::int64_t m, std::int64_t k, std::int64_t n, const std::string& a_chunks,
                  const std::string& b_chunks) {
  auto shape = [](std::int64_t r, std::int64_t c) { return "[" + std::to_string(r) + ", " + std::to_string(c) + "]"; };
  const Graph g = test::parse_or_throw(pipeline(input_layers("a", ta, 81, shape(m, k), a_chunks, 20, 10) + "," +
                                                input_layers("b", tb, 82, shape(k, n), b_chunks, 20, 10) +
                                                ", {\"id\": \"z\", \"op\": \"matmul\", \"inputs\": [\"a\", \"b\"]}"));
  const DType c = promote(ta, tb);
  CHECK(test::dtype_of(g, "z") == c);
  const SerialRun r(g);
  const auto got = as_double(r, "z");
  const auto want = naive(as_double(r, "a"), as_double(r, "b"), m, k, n, c);
  REQUIRE(got.size() == want.size());
  const double tol = c == DType::Float32 ? 1e-5 : 1e-10;
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", want " << want[i]);
    if (is_float(c))
      REQUIRE(std::fabs(got[i] - want[i]) <= tol * std::max(10.0 * k, std::fabs(want[i])));
    else
      REQUIRE(got[i] == want[i]);
  }
}

}  // namespace

TEST_CASE("matmul of every dtype with irregular chunks", "[matmul]") {
  for (DType t : test::kPipelineDTypes) {
    DYNAMIC_SECTION(name(t) << " @ " << name(t)) {
      check_matmul(t, t, 23, 17, 19, "[[10, 13], [5, 5, 7]]", "[[5, 5, 7], [8, 11]]");
    }
  }
}

TEST_CASE("matmul of mixed dtypes promotes like NumPy", "[matmul]") {
  const std::vector<std::pair<DType, DType>> pairs{{DType::Float32, DType::Int32}, {DType::Float32, DType::UInt8},
                                                   {DType::UInt16, DType::Int32},  {DType::Bool, DType::Float64},
                                                   {DType::UInt8, DType::Int64},   {DType::Float32, DType::Float64}};
  for (const auto& [ta, tb] : pairs) {
    DYNAMIC_SECTION(name(ta) << " @ " << name(tb)) {
      check_matmul(ta, tb, 9, 12, 7, "[[4, 5], [6, 6]]", "[[6, 6], [3, 4]]");
    }
  }
}

TEST_CASE("matmul with many k chunks accumulates every product", "[matmul]") {
  check_matmul(DType::Float64, DType::Float64, 64, 250, 48, "[[32, 32], 25]", "[25, [40, 8]]");
  check_matmul(DType::Float32, DType::Float32, 40, 129, 33, "[[40], [1, 64, 64]]", "[[1, 64, 64], [33]]");
  check_matmul(DType::Int64, DType::Int64, 30, 300, 20, "[7, 100]", "[100, 9]");
}

TEST_CASE("integer matmul wraps like NumPy", "[matmul]") {
  const Graph g = test::parse_or_throw(pipeline(
      "{\"id\": \"a\", \"op\": \"full\", \"shape\": [3, 4], \"chunks\": 2, \"value\": 100, \"dtype\": \"uint8\"},"
      "{\"id\": \"b\", \"op\": \"full\", \"shape\": [4, 5], \"chunks\": 2, \"value\": 3, \"dtype\": \"uint8\"},"
      "{\"id\": \"z\", \"op\": \"matmul\", \"inputs\": [\"a\", \"b\"]}"));
  for (auto v : SerialRun(g).array<std::uint8_t>("z")) CHECK(v == (4 * 100 * 3) % 256);
}

TEST_CASE("matmul with unaligned inner chunks inserts a rechunk and still matches", "[matmul]") {
  check_matmul(DType::Float64, DType::Float64, 20, 30, 10, "[[10, 10], [7, 23]]", "[[15, 15], [10]]");
}
