// Element-wise kernels (exec/src/kernels/elementwise.cpp) against references computed here on the
// whole arrays: every op, every dtype pair, scalars on either side, NumPy's promotion, wrapping
// and NaN rules, on odd and irregular chunkings.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "chunkscope/core/dtype.hpp"
#include "kernel_inputs.hpp"

using namespace chunkscope;
using test::as_double;
using test::input_layers;
using test::name;
using test::pipeline;
using test::SerialRun;

namespace {

const std::string kShape = "[7, 13]", kChunks = "[[3, 4], [5, 5, 3]]";

/// Reference cast of a double holding a value of some dtype to type C (the tests keep float ->
/// integer casts in range).
template <class C>
C ref_cast(double v) {
  if constexpr (std::is_same_v<C, bool>)
    return v != 0;
  else if constexpr (std::is_integral_v<C> && sizeof(C) < 4)
    return static_cast<C>(static_cast<std::int32_t>(v));
  else
    return static_cast<C>(v);
}

/// a op b in computation type C, with NumPy's semantics, written independently of the kernel.
template <class C>
double ref_binary(const std::string& op, C a, C b) {
  auto wrap = [](unsigned long long x) { return static_cast<C>(x); };
  using U = unsigned long long;
  if (op == "add") {
    if constexpr (std::is_same_v<C, bool>)
      return a || b;
    else if constexpr (std::is_integral_v<C>)
      return wrap(static_cast<U>(a) + static_cast<U>(b));
    else
      return a + b;
  }
  if (op == "subtract") {
    if constexpr (std::is_integral_v<C> && !std::is_same_v<C, bool>)
      return wrap(static_cast<U>(a) - static_cast<U>(b));
    else
      return a - b;
  }
  if (op == "multiply") {
    if constexpr (std::is_same_v<C, bool>)
      return a && b;
    else if constexpr (std::is_integral_v<C>)
      return wrap(static_cast<U>(a) * static_cast<U>(b));
    else
      return a * b;
  }
  if (op == "maximum" || op == "minimum") {
    if constexpr (std::is_floating_point_v<C>)
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
    return op == "maximum" ? (a > b ? a : b) : (a < b ? a : b);
  }
  if (op == "greater") return a > b;
  if (op == "greater_equal") return a >= b;
  if (op == "less") return a < b;
  if (op == "less_equal") return a <= b;
  if (op == "equal") return a == b;
  if (op == "divide") {
    if constexpr (std::is_floating_point_v<C>) return a / b;
  }
  FAIL("no reference for " << op);
  return 0;
}

bool same(double got, double want, DType t) {
  if (std::isnan(want)) return std::isnan(got);
  if (!is_float(t) || std::isinf(want)) return got == want;
  const double tol = t == DType::Float16 ? 1e-3 : t == DType::Float32 ? 1e-6 : 1e-14;
  return std::fabs(got - want) <= tol * std::max(1.0, std::fabs(want));
}

/// Checks layer `z` of a run element by element against `want`.
void check_all(const SerialRun& r, const std::string& z, const std::vector<double>& want) {
  const DType t = r.graph->layer(r.graph->find_layer(z)).meta.dtype;
  const auto got = as_double(r, z);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", want " << want[i]);
    REQUIRE(same(got[i], want[i], t));
  }
}

/// Reference of a binary op over whole arrays: values cast to the computation type C first.
std::vector<double> reference(const std::string& op, DType c, const std::vector<double>& a,
                              const std::vector<double>& b) {
  std::vector<double> out(a.size());
  dispatch_dtype(c, [&](auto x) {
    using C = decltype(x);
    for (size_t i = 0; i < a.size(); ++i) out[i] = ref_binary<C>(op, ref_cast<C>(a[i]), ref_cast<C>(b[i]));
  });
  return out;
}

}  // namespace

TEST_CASE("binary ops over every pair of dtypes follow NumPy's promotion", "[elementwise]") {
  const std::vector<std::string> ops{"add",           "subtract", "multiply",   "maximum", "minimum", "greater",
                                     "greater_equal", "less",     "less_equal", "equal",   "divide"};
  for (const auto& op : ops) {
    for (DType ta : test::kPipelineDTypes) {
      for (DType tb : test::kPipelineDTypes) {
        DType c = promote(ta, tb);
        if (op == "subtract" && c == DType::Bool) continue;  // NumPy raises; the parser rejects it
        if (op == "divide") c = divide_result(c);
        DYNAMIC_SECTION(op << "(" << name(ta) << ", " << name(tb) << ")") {
          const Graph g = test::parse_or_throw(
              pipeline(input_layers("a", ta, 1, kShape, kChunks) + "," + input_layers("b", tb, 2, kShape, kChunks) +
                       ", {\"id\": \"z\", \"op\": \"" + op + "\", \"inputs\": [\"a\", \"b\"]}"));
          const SerialRun r(g);
          const bool cmp = op.find("greater") == 0 || op.find("less") == 0 || op == "equal";
          CHECK(g.layer(g.find_layer("z")).meta.dtype == (cmp ? DType::Bool : c));
          check_all(r, "z", reference(op, c, as_double(r, "a"), as_double(r, "b")));
        }
      }
    }
  }
}

TEST_CASE("scalars on either side use NEP 50 weak promotion", "[elementwise]") {
  struct Case {
    DType array;
    std::string scalar;
    DType compute;
  };
  const std::vector<Case> cases{{DType::UInt8, "7", DType::UInt8},       {DType::Int32, "-3", DType::Int32},
                                {DType::UInt16, "2.5", DType::Float64},  {DType::Float32, "3", DType::Float32},
                                {DType::Float32, "0.1", DType::Float32}, {DType::Bool, "2", DType::Int64},
                                {DType::Bool, "0.5", DType::Float64},    {DType::Int64, "1000", DType::Int64},
                                {DType::Float64, "-1.5", DType::Float64}};
  for (const auto& k : cases) {
    for (const std::string op : {"add", "subtract", "multiply", "maximum", "greater", "less_equal", "divide"}) {
      for (bool scalar_first : {false, true}) {
        DYNAMIC_SECTION(op << " " << name(k.array) << " with " << k.scalar << (scalar_first ? " (scalar first)" : "")) {
          const std::string ins = scalar_first ? "[" + k.scalar + ", \"a\"]" : "[\"a\", " + k.scalar + "]";
          const Graph g =
              test::parse_or_throw(pipeline(input_layers("a", k.array, 3, "[5, 9]", "[[2, 3], [4, 4, 1]]") +
                                            ", {\"id\": \"z\", \"op\": \"" + op + "\", \"inputs\": " + ins + "}"));
          const SerialRun r(g);
          const auto a = as_double(r, "a");
          const std::vector<double> s(a.size(), std::stod(k.scalar));
          const DType c = op == "divide" ? divide_result(k.compute) : k.compute;
          check_all(r, "z", scalar_first ? reference(op, c, s, a) : reference(op, c, a, s));
        }
      }
    }
  }
}

TEST_CASE("integer arithmetic wraps like NumPy", "[elementwise]") {
  const Graph g = test::parse_or_throw(pipeline(
      "{\"id\": \"a\", \"op\": \"full\", \"shape\": [10], \"chunks\": 3, \"value\": 2000000000, \"dtype\": \"int32\"},"
      "{\"id\": \"b\", \"op\": \"full\", \"shape\": [10], \"chunks\": 3, \"value\": 200, \"dtype\": \"uint8\"},"
      "{\"id\": \"sum32\", \"op\": \"add\", \"inputs\": [\"a\", \"a\"]},"
      "{\"id\": \"mul32\", \"op\": \"multiply\", \"inputs\": [\"a\", 3]},"
      "{\"id\": \"sum8\", \"op\": \"add\", \"inputs\": [\"b\", \"b\"]},"
      "{\"id\": \"neg8\", \"op\": \"negative\", \"input\": \"b\"},"
      "{\"id\": \"mul8\", \"op\": \"multiply\", \"inputs\": [\"b\", 200]}"));
  const SerialRun r(g);
  for (auto v : r.array<std::int32_t>("sum32")) CHECK(v == static_cast<std::int32_t>(4000000000LL - 4294967296LL));
  for (auto v : r.array<std::int32_t>("mul32")) CHECK(v == static_cast<std::int32_t>(6000000000LL - 2 * 4294967296LL));
  for (auto v : r.array<std::uint8_t>("sum8")) CHECK(v == 144);
  for (auto v : r.array<std::uint8_t>("neg8")) CHECK(v == 56);
  for (auto v : r.array<std::uint8_t>("mul8")) CHECK(v == (200 * 200) % 256);
}

TEST_CASE("a Python integer out of the array's range is rejected in arithmetic, not in comparisons", "[elementwise]") {
  const std::string src =
      "{\"id\": \"a\", \"op\": \"full\", \"shape\": [6], \"chunks\": 4, \"value\": 3, \"dtype\": \"uint8\"},";
  // NEP 50: rejected when the pipeline is read, before anything runs.
  CHECK_THROWS_WITH(test::parse_or_throw(pipeline(src + "{\"id\": \"z\", \"op\": \"add\", \"inputs\": [\"a\", 300]}")),
                    Catch::Contains("300 does not fit uint8"));
  CHECK_THROWS_WITH(
      test::parse_or_throw(pipeline(src + "{\"id\": \"z\", \"op\": \"multiply\", \"inputs\": [\"a\", -1]}")),
      Catch::Contains("does not fit uint8"));
  const Graph cmp =
      test::parse_or_throw(pipeline(src + "{\"id\": \"lt\", \"op\": \"less\", \"inputs\": [\"a\", 300]},"
                                          "{\"id\": \"gt\", \"op\": \"greater\", \"inputs\": [\"a\", -1]},"
                                          "{\"id\": \"eq\", \"op\": \"equal\", \"inputs\": [\"a\", 259]}"));
  const SerialRun r(cmp);
  for (auto v : r.array<std::uint8_t>("lt")) CHECK(v == 1);
  for (auto v : r.array<std::uint8_t>("gt")) CHECK(v == 1);
  for (auto v : r.array<std::uint8_t>("eq")) CHECK(v == 0);
}

TEST_CASE("power: integer powers exact and wrapping, floats through pow, negative integer exponents raise",
          "[elementwise]") {
  for (DType t : test::kPipelineDTypes) {
    DYNAMIC_SECTION("power " << name(t)) {
      // bases in [-4, 4) (bool: 0/1), exponents in [0, 6)
      const Graph g =
          test::parse_or_throw(pipeline(input_layers("a", t, 4, "[6, 11]", "[[4, 2], [3, 8]]", 8, 4) + "," +
                                        input_layers("b", t, 5, "[6, 11]", "[[4, 2], [3, 8]]", 6, 0) +
                                        ", {\"id\": \"z\", \"op\": \"power\", \"inputs\": [\"a\", \"b\"]}"));
      const SerialRun r(g);
      const auto a = as_double(r, "a"), b = as_double(r, "b");
      std::vector<double> want(a.size());
      dispatch_dtype(t, [&](auto x) {
        using C = decltype(x);
        for (size_t i = 0; i < a.size(); ++i) {
          if constexpr (std::is_floating_point_v<C>) {
            want[i] = std::pow(static_cast<C>(a[i]), static_cast<C>(b[i]));
          } else if constexpr (std::is_same_v<C, bool>) {
            want[i] = (a[i] != 0) || (b[i] == 0);
          } else {
            unsigned long long p = 1;
            for (int e = 0; e < static_cast<int>(b[i]); ++e) p *= static_cast<unsigned long long>(static_cast<C>(a[i]));
            want[i] = static_cast<C>(p);
          }
        }
      });
      check_all(r, "z", want);
    }
  }
  const Graph neg = test::parse_or_throw(
      pipeline("{\"id\": \"a\", \"op\": \"full\", \"shape\": [4], \"chunks\": 2, \"value\": 2, \"dtype\": \"int64\"},"
               "{\"id\": \"z\", \"op\": \"power\", \"inputs\": [\"a\", -1]}"));
  CHECK_THROWS_WITH(SerialRun(neg), Catch::Contains("Integers to negative integer powers are not allowed"));
  const Graph big = test::parse_or_throw(
      pipeline("{\"id\": \"a\", \"op\": \"full\", \"shape\": [3], \"chunks\": 2, \"value\": 3, \"dtype\": \"int32\"},"
               "{\"id\": \"z\", \"op\": \"power\", \"inputs\": [\"a\", 40]}"));
  unsigned long long p = 1;
  for (int e = 0; e < 40; ++e) p *= 3;
  for (auto v : SerialRun(big).array<std::int32_t>("z")) CHECK(v == static_cast<std::int32_t>(p));
}

TEST_CASE("maximum and minimum propagate NaN from either side", "[elementwise]") {
  // sqrt of a negative number is NaN: about half of `n` is NaN.
  const Graph g = test::parse_or_throw(
      pipeline(input_layers("a", DType::Float64, 6, "[9, 10]", "[[4, 5], [3, 7]]", 2, 1) + "," +
               "{\"id\": \"n\", \"op\": \"sqrt\", \"input\": \"a\"},"
               "{\"id\": \"b\", \"op\": \"random\", \"shape\": [9, 10], \"chunks\": [[4, 5], [3, 7]], \"seed\": 8},"
               "{\"id\": \"mx\", \"op\": \"maximum\", \"inputs\": [\"n\", \"b\"]},"
               "{\"id\": \"mn\", \"op\": \"minimum\", \"inputs\": [\"b\", \"n\"]},"
               "{\"id\": \"ms\", \"op\": \"maximum\", \"inputs\": [\"n\", 0.5]}"));
  const SerialRun r(g);
  const auto n = as_double(r, "n"), b = as_double(r, "b");
  int nans = 0;
  for (double v : n) nans += std::isnan(v);
  CHECK(nans > 10);
  check_all(r, "mx", reference("maximum", DType::Float64, n, b));
  check_all(r, "mn", reference("minimum", DType::Float64, b, n));
  check_all(r, "ms", reference("maximum", DType::Float64, n, std::vector<double>(n.size(), 0.5)));
}

TEST_CASE("divide gives float64 for integers, inf and nan for zero divisors", "[elementwise]") {
  const Graph g =
      test::parse_or_throw(pipeline(input_layers("a", DType::Int32, 9, "[8, 8]", "[[5, 3], [8]]", 6, 3) + "," +
                                    input_layers("b", DType::Int32, 10, "[8, 8]", "[[5, 3], [8]]", 4, 2) +
                                    ", {\"id\": \"z\", \"op\": \"divide\", \"inputs\": [\"a\", \"b\"]}"));
  const SerialRun r(g);
  const auto a = as_double(r, "a"), b = as_double(r, "b");
  std::vector<double> want(a.size());
  int zeros = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    want[i] = a[i] / b[i];
    zeros += b[i] == 0;
  }
  CHECK(zeros > 0);
  CHECK(g.layer(g.find_layer("z")).meta.dtype == DType::Float64);
  check_all(r, "z", want);
}

TEST_CASE("unary ops for every dtype", "[elementwise]") {
  for (DType t : test::kPipelineDTypes) {
    for (const std::string op : {"negative", "abs", "sqrt", "exp", "log", "sin", "cos"}) {
      if (op == "negative" && t == DType::Bool) continue;
      DYNAMIC_SECTION(op << " " << name(t)) {
        const Graph g = test::parse_or_throw(pipeline(input_layers("a", t, 11, "[13]", "[[6, 1, 6]]", 20, 8) +
                                                      ", {\"id\": \"z\", \"op\": \"" + op + "\", \"input\": \"a\"}"));
        const SerialRun r(g);
        const DType rt = (op == "negative" || op == "abs") ? t : float_math_result(t);
        CHECK(g.layer(g.find_layer("z")).meta.dtype == rt);
        const auto a = as_double(r, "a");
        std::vector<double> want(a.size());
        dispatch_dtype(rt, [&](auto x) {
          using X = decltype(x);  // float16 computes in float, rounds each result (NumPy's loops)
          using C = std::conditional_t<std::is_same_v<X, numpy::Half>, float, X>;
          for (size_t i = 0; i < a.size(); ++i) {
            const C v = ref_cast<C>(a[i]);
            if constexpr (std::is_same_v<X, numpy::Half>) {
              float w = op == "sqrt"  ? std::sqrt(v)
                        : op == "exp" ? std::exp(v)
                        : op == "log" ? std::log(v)
                        : op == "sin" ? std::sin(v)
                                      : std::cos(v);
              want[i] = static_cast<float>(numpy::Half(w));
            } else if constexpr (std::is_floating_point_v<C>) {
              if (op == "negative")
                want[i] = -v;
              else if (op == "abs")
                want[i] = std::fabs(v);
              else if (op == "sqrt")
                want[i] = std::sqrt(v);
              else if (op == "exp")
                want[i] = std::exp(v);
              else if (op == "log")
                want[i] = std::log(v);
              else if (op == "sin")
                want[i] = std::sin(v);
              else
                want[i] = std::cos(v);
            } else if constexpr (std::is_same_v<C, bool>) {
              want[i] = v;
            } else {
              const bool negate = op == "negative" || (op == "abs" && v < 0);
              want[i] = negate ? static_cast<C>(0ULL - static_cast<unsigned long long>(v)) : v;
            }
          }
        });
        check_all(r, "z", want);
      }
    }
  }
}

TEST_CASE("astype between every pair of dtypes", "[elementwise]") {
  for (DType from : test::kPipelineDTypes) {
    for (DType to : test::kPipelineDTypes) {
      DYNAMIC_SECTION(name(from) << " -> " << name(to)) {
        const Graph g = test::parse_or_throw(
            pipeline(input_layers("a", from, 12, "[4, 5, 3]", "[[3, 1], [2, 3], [3]]", 300, 100) +
                     ", {\"id\": \"z\", \"op\": \"astype\", \"input\": \"a\", \"dtype\": \"" + name(to) + "\"}"));
        const SerialRun r(g);
        const auto a = as_double(r, "a");
        std::vector<double> want(a.size());
        dispatch_dtype(to, [&](auto x) {
          using C = decltype(x);
          for (size_t i = 0; i < a.size(); ++i) {
            if constexpr (std::is_integral_v<C> && !std::is_same_v<C, bool>) {
              // float -> int truncates toward zero; int -> narrower int keeps the low bits
              want[i] = static_cast<C>(static_cast<long long>(std::trunc(a[i])));
            } else {
              want[i] = ref_cast<C>(a[i]);
            }
          }
        });
        check_all(r, "z", want);
      }
    }
  }
}

TEST_CASE("astype from floats: NaN to bool is true; float64 to float32 rounds", "[elementwise]") {
  const Graph g =
      test::parse_or_throw(pipeline("{\"id\": \"a\", \"op\": \"full\", \"shape\": [5], \"chunks\": 2, \"value\": -1},"
                                    "{\"id\": \"n\", \"op\": \"sqrt\", \"input\": \"a\"},"
                                    "{\"id\": \"b\", \"op\": \"astype\", \"input\": \"n\", \"dtype\": \"bool\"},"
                                    "{\"id\": \"t\", \"op\": \"full\", \"shape\": [5], \"chunks\": 2, \"value\": 0.1},"
                                    "{\"id\": \"f\", \"op\": \"astype\", \"input\": \"t\", \"dtype\": \"float32\"}"));
  const SerialRun r(g);
  for (auto v : r.array<std::uint8_t>("b")) CHECK(v == 1);
  for (auto v : r.array<float>("f")) CHECK(v == 0.1f);
}

TEST_CASE("where with array and scalar branches and conditions of any dtype", "[elementwise]") {
  struct Case {
    std::string cond, a, b;
    DType ta, tb, tc;
  };
  const std::vector<Case> cases{{"c", "a", "b", DType::Float64, DType::Int32, DType::Bool},
                                {"c", "a", "b", DType::UInt8, DType::UInt16, DType::Float64},
                                {"c", "a", "-1", DType::Float32, DType::Int64, DType::Int32},
                                {"c", "2.5", "b", DType::Int32, DType::Int32, DType::Bool},
                                {"c", "1", "0", DType::Int32, DType::Int32, DType::UInt8},
                                {"1", "a", "b", DType::Int64, DType::Float32, DType::Bool},
                                {"0", "a", "b", DType::Int64, DType::Float32, DType::Bool}};
  for (const auto& k : cases) {
    DYNAMIC_SECTION("where(" << k.cond << " " << name(k.tc) << ", " << k.a << " " << name(k.ta) << ", " << k.b << " "
                             << name(k.tb) << ")") {
      auto q = [](const std::string& s) {
        return std::isalpha(static_cast<unsigned char>(s[0])) ? "\"" + s + "\"" : s;
      };
      const Graph g = test::parse_or_throw(pipeline(input_layers("c", k.tc, 13, "[7, 6]", "[[2, 5], [6]]", 4, 2) + "," +
                                                    input_layers("a", k.ta, 14, "[7, 6]", "[[2, 5], [6]]") + "," +
                                                    input_layers("b", k.tb, 15, "[7, 6]", "[[2, 5], [6]]") +
                                                    ", {\"id\": \"z\", \"op\": \"where\", \"inputs\": [" + q(k.cond) +
                                                    ", " + q(k.a) + ", " + q(k.b) + "]}"));
      const SerialRun r(g);
      const auto value = [&](const std::string& s) {
        return std::isalpha(static_cast<unsigned char>(s[0])) ? as_double(r, s) : std::vector<double>(42, std::stod(s));
      };
      const auto c = value(k.cond), a = value(k.a), b = value(k.b);
      const DType rt = g.layer(g.find_layer("z")).meta.dtype;
      std::vector<double> want(42);
      dispatch_dtype(rt, [&](auto x) {
        using C = decltype(x);
        for (size_t i = 0; i < want.size(); ++i) want[i] = c[i] != 0 ? ref_cast<C>(a[i]) : ref_cast<C>(b[i]);
      });
      check_all(r, "z", want);
    }
  }
}

TEST_CASE("float64 add and multiply over large irregular chunks", "[elementwise]") {
  const Graph g = test::parse_or_throw(pipeline(
      "{\"id\": \"a\", \"op\": \"random\", \"shape\": [300, 257], \"chunks\": [[100, 199, 1], [257]], \"seed\": 21},"
      "{\"id\": \"b\", \"op\": \"random\", \"shape\": [300, 257], \"chunks\": [[100, 199, 1], [257]], \"seed\": 22},"
      "{\"id\": \"s\", \"op\": \"add\", \"inputs\": [\"a\", \"b\"]},"
      "{\"id\": \"m\", \"op\": \"multiply\", \"inputs\": [\"s\", \"a\"]},"
      "{\"id\": \"f\", \"op\": \"astype\", \"input\": \"m\", \"dtype\": \"float32\"},"
      "{\"id\": \"g\", \"op\": \"multiply\", \"inputs\": [\"f\", 0.5]}"));
  const SerialRun r(g);
  const auto a = r.array<double>("a"), b = r.array<double>("b"), m = r.array<double>("m");
  const auto gv = r.array<float>("g");
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(m[i] == (a[i] + b[i]) * a[i]);
    REQUIRE(gv[i] == static_cast<float>(m[i]) * 0.5f);
  }
}
