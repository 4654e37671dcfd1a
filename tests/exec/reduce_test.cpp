// Reduction kernels (exec/src/kernels/reduce.cpp) against references computed here on the whole
// array: every op and dtype, each axis, several axes and all, split_every 2 and large, keepdims,
// var/std with ddof, NaN propagation, deep trees over many chunks.
#include <algorithm>
#include <cmath>
#include <limits>
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

/// NumPy's reduction of `x` (C order, `shape`) over `axes`, in long double, as float64 values.
std::vector<double> reference(const std::string& op, const std::vector<double>& x, const Shape& shape,
                              const std::vector<int>& axes, double ddof) {
  const int nd = static_cast<int>(shape.size());
  std::vector<bool> red(nd, false);
  for (int a : axes) red[a] = true;
  std::int64_t n_out = 1;
  for (int a = 0; a < nd; ++a)
    if (!red[a]) n_out *= shape[a];
  std::vector<std::vector<double>> groups(static_cast<size_t>(n_out));
  Shape idx(nd, 0);
  for (double v : x) {
    std::int64_t o = 0;
    for (int a = 0; a < nd; ++a)
      if (!red[a]) o = o * shape[a] + idx[a];
    groups[o].push_back(v);
    for (int a = nd - 1; a >= 0; --a) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
  std::vector<double> out;
  for (const auto& g : groups) {
    bool nan = false;
    long double sum = 0;
    for (double v : g) {
      nan |= std::isnan(v);
      sum += v;
    }
    const long double n = static_cast<long double>(g.size());
    if (op == "sum")
      out.push_back(static_cast<double>(sum));
    else if (op == "mean")
      out.push_back(static_cast<double>(sum / n));
    else if (op == "min" || op == "max") {
      double m = g[0];
      for (double v : g) m = op == "min" ? std::min(m, v) : std::max(m, v);
      out.push_back(nan ? std::numeric_limits<double>::quiet_NaN() : m);
    } else {
      const long double mean = sum / n;
      long double m2 = 0;
      for (double v : g) m2 += (v - mean) * (v - mean);
      const long double var = m2 / std::max<long double>(n - ddof, 0);
      out.push_back(static_cast<double>(op == "std" ? std::sqrt(var) : var));
    }
  }
  return out;
}

void check_close(const std::vector<double>& got, const std::vector<double>& want, DType t, double rel = 0) {
  REQUIRE(got.size() == want.size());
  const double tol = rel > 0 ? rel : t == DType::Float32 ? 1e-5 : 1e-10;
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", want " << want[i]);
    if (std::isnan(want[i]))
      REQUIRE(std::isnan(got[i]));
    else if (!is_float(t) || std::isinf(want[i]))
      REQUIRE(got[i] == want[i]);
    else
      REQUIRE(std::fabs(got[i] - want[i]) <= tol * std::max(1.0, std::fabs(want[i])));
  }
}

std::string axis_json(const std::vector<int>& axes) {
  std::string s = "[";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + "]";
}

/// Runs `op` over `axes` of an input of dtype t and compares with the reference.
void check_reduction(const std::string& op, DType t, const std::string& shape_json, const Shape& shape,
                     const std::string& chunks, const std::vector<int>& axes, int split_every, bool keepdims,
                     int ddof = 0) {
  std::string layer = "{\"id\": \"z\", \"op\": \"" + op + "\", \"input\": \"a\", \"axis\": " + axis_json(axes) +
                      ", \"split_every\": " + std::to_string(split_every) +
                      ", \"keepdims\": " + (keepdims ? "true" : "false");
  if (op == "var" || op == "std") layer += ", \"ddof\": " + std::to_string(ddof);
  const Graph g = test::parse_or_throw(pipeline(input_layers("a", t, 31, shape_json, chunks) + ", " + layer + "}"));
  const Layer& z = g.layer(g.find_layer("z"));
  const DType want_dtype = op == "sum" ? sum_result(t) : (op == "min" || op == "max") ? t : mean_result(t);
  CHECK(z.meta.dtype == want_dtype);
  const SerialRun r(g);
  // uint32 inputs made from negative floats are near 2^32: their variance (hundreds) loses about
  // 1e-9 of its digits to cancellation in float64, whichever order the sums take.
  const bool cancels = t == DType::UInt32 && (op == "var" || op == "std");
  check_close(as_double(r, "z"), reference(op, as_double(r, "a"), shape, axes, ddof), want_dtype, cancels ? 1e-8 : 0);
}

const std::vector<std::string> kOps{"sum", "mean", "min", "max", "var", "std"};

}  // namespace

TEST_CASE("every reduction over every axis subset of a 3-d array with irregular chunks", "[reduce]") {
  const Shape shape{11, 7, 9};
  const std::vector<std::vector<int>> subsets{{0}, {1}, {2}, {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}};
  for (const auto& op : kOps) {
    for (DType t : test::kPipelineDTypes) {
      for (const auto& axes : subsets) {
        for (int split_every : {2, 1000}) {
          const bool keepdims = split_every == 2;
          DYNAMIC_SECTION(op << " " << name(t) << " axis " << axis_json(axes) << " split_every " << split_every) {
            check_reduction(op, t, "[11, 7, 9]", shape, "[[4, 4, 3], [2, 5], [2, 6, 1]]", axes, split_every, keepdims);
          }
        }
      }
    }
  }
}

TEST_CASE("deep reduction trees over many small chunks", "[reduce]") {
  const Shape shape{40, 33};
  for (const auto& op : kOps) {
    for (DType t : {DType::Int32, DType::Float32, DType::Float64}) {
      for (const std::vector<int>& axes : {std::vector<int>{0}, std::vector<int>{1}, std::vector<int>{0, 1}}) {
        for (int split_every : {2, 3, 4, 16}) {
          DYNAMIC_SECTION(op << " " << name(t) << " axis " << axis_json(axes) << " split_every " << split_every) {
            check_reduction(op, t, "[40, 33]", shape, "3", axes, split_every, false);
          }
        }
      }
    }
  }
}

TEST_CASE("the tree has the levels the plan asks for", "[reduce]") {
  const Graph g =
      test::parse_or_throw(pipeline(input_layers("a", DType::Float64, 1, "[40, 33]", "3") +
                                    ", {\"id\": \"z\", \"op\": \"sum\", \"input\": \"a\", \"split_every\": 2}"));
  const int z = g.find_layer("z");
  int max_stage = 0;
  for (std::int64_t t = g.tasks().layer_begin(z); t < g.tasks().layer_end(z); ++t)
    max_stage = std::max(max_stage, g.tasks().stage(t));
  CHECK(max_stage >= 3);
  const SerialRun r(g);
  check_close(as_double(r, "z"), reference("sum", as_double(r, "a"), {40, 33}, {0, 1}, 0), DType::Float64);
}

TEST_CASE("var and std with ddof, including ddof >= n", "[reduce]") {
  for (const std::string op : {"var", "std"}) {
    for (int ddof : {0, 1, 2, 5, 7}) {
      DYNAMIC_SECTION(op << " ddof " << ddof) {
        // axis 1 has 5 elements: ddof 5 divides by zero (inf), ddof 7 clips at zero too
        check_reduction(op, DType::Float64, "[6, 5]", {6, 5}, "[[2, 4], [2, 3]]", {1}, 4, false, ddof);
        check_reduction(op, DType::Int64, "[6, 5]", {6, 5}, "[[2, 4], [2, 3]]", {0, 1}, 2, true, ddof);
      }
    }
  }
  // a constant array: M2 is 0 and 0 / 0 is nan
  const Graph g =
      test::parse_or_throw(pipeline("{\"id\": \"a\", \"op\": \"full\", \"shape\": [4, 3], \"chunks\": 2, \"value\": 7},"
                                    "{\"id\": \"z\", \"op\": \"var\", \"input\": \"a\", \"axis\": 0, \"ddof\": 4}"));
  for (double v : SerialRun(g).array<double>("z")) CHECK(std::isnan(v));
}

TEST_CASE("NaN propagates through sum, mean, min, max, var", "[reduce]") {
  for (const auto& op : kOps) {
    DYNAMIC_SECTION(op) {
      // sqrt of [-0.02, 0.98): a few NaNs, and whole rows without any
      const Graph g = test::parse_or_throw(
          pipeline(input_layers("a", DType::Float64, 41, "[30, 20]", "[[7, 23], [6, 14]]", 1, 0.02) +
                   ", {\"id\": \"n\", \"op\": \"sqrt\", \"input\": \"a\"}"
                   ", {\"id\": \"z\", \"op\": \"" +
                   op + "\", \"input\": \"n\", \"axis\": 1, \"split_every\": 2}"));
      const SerialRun r(g);
      const auto want = reference(op, as_double(r, "n"), {30, 20}, {1}, 0);
      int nan_rows = 0;
      for (double v : want) nan_rows += std::isnan(v);
      CHECK(nan_rows > 0);
      CHECK(nan_rows < 30);
      check_close(as_double(r, "z"), want, DType::Float64);
    }
  }
}

TEST_CASE("sums of bool count, unsigned sums are uint64, integer sums are exact", "[reduce]") {
  const Graph g = test::parse_or_throw(pipeline(
      input_layers("b", DType::Bool, 51, "[100, 30]", "[[33, 67], [30]]") + "," +
      "{\"id\": \"big\", \"op\": \"full\", \"shape\": [1000], \"chunks\": 97, \"value\": 4000000000000000, \"dtype\": "
      "\"int64\"},"
      "{\"id\": \"u\", \"op\": \"full\", \"shape\": [300, 3], \"chunks\": 7, \"value\": 65535, \"dtype\": \"uint16\"},"
      "{\"id\": \"cb\", \"op\": \"sum\", \"input\": \"b\"},"
      "{\"id\": \"sb\", \"op\": \"sum\", \"input\": \"big\"},"
      "{\"id\": \"su\", \"op\": \"sum\", \"input\": \"u\", \"axis\": 0}"));
  const SerialRun r(g);
  std::int64_t ones = 0;
  for (auto v : r.array<std::uint8_t>("b")) ones += v;
  CHECK(r.array<std::int64_t>("cb") == std::vector<std::int64_t>{ones});
  CHECK(test::dtype_of(g, "cb") == DType::Int64);
  CHECK(r.array<std::int64_t>("sb") == std::vector<std::int64_t>{4000000000000000000LL});
  CHECK(test::dtype_of(g, "su") == DType::UInt64);
  CHECK(r.array<std::uint64_t>("su") == std::vector<std::uint64_t>(3, 300ULL * 65535ULL));
}

TEST_CASE("reducing no axes keeps the array; reducing everything without keepdims gives a 0-d array", "[reduce]") {
  for (const auto& op : kOps) {
    DYNAMIC_SECTION(op) {
      check_reduction(op, DType::Float64, "[5, 4]", {5, 4}, "[[2, 3], [4]]", {}, 4, false);
      const Graph g = test::parse_or_throw(pipeline(input_layers("a", DType::Int32, 61, "[5, 4]", "[[2, 3], [3, 1]]") +
                                                    ", {\"id\": \"z\", \"op\": \"" + op + "\", \"input\": \"a\"}"));
      CHECK(g.layer(g.find_layer("z")).meta.ndim() == 0);
      const SerialRun r(g);
      check_close(as_double(r, "z"), reference(op, as_double(r, "a"), {5, 4}, {0, 1}, 0), test::dtype_of(g, "z"));
    }
  }
}

TEST_CASE("float64 sums of millions of values stay accurate", "[reduce]") {
  const Graph g = test::parse_or_throw(
      pipeline("{\"id\": \"a\", \"op\": \"random\", \"shape\": [1500, 1400], \"chunks\": [700, 1400], \"seed\": 5},"
               "{\"id\": \"s\", \"op\": \"sum\", \"input\": \"a\"},"
               "{\"id\": \"m\", \"op\": \"mean\", \"input\": \"a\", \"axis\": 0},"
               "{\"id\": \"v\", \"op\": \"var\", \"input\": \"a\", \"axis\": 1}"));
  const SerialRun r(g);
  const auto a = r.array<double>("a");
  check_close(r.array<double>("s"), reference("sum", a, {1500, 1400}, {0, 1}, 0), DType::Float64);
  check_close(r.array<double>("m"), reference("mean", a, {1500, 1400}, {0}, 0), DType::Float64);
  check_close(r.array<double>("v"), reference("var", a, {1500, 1400}, {1}, 0), DType::Float64);
}
