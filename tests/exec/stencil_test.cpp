// Stencil kernels (exec/src/kernels/stencil.cpp): gaussian_filter and uniform_filter across chunk
// borders, against (1) a direct whole-array implementation of scipy.ndimage's algorithm written
// here and (2) scipy itself, run at test time on the same input when /usr/bin/python3 has scipy
// (skipped with a warning otherwise).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "chunkscope/exec/npy.hpp"
#include "kernel_inputs.hpp"

using namespace chunkscope;
using test::as_double;
using test::input_layers;
using test::name;
using test::pipeline;
using test::SerialRun;

namespace {

/// One filter layer's parameters as the test writes them.
struct Filter {
  bool gaussian = true;
  std::vector<double> sigma;       ///< per axis
  std::vector<std::int64_t> size;  ///< per axis
  double truncate = 4.0;
  std::string mode = "reflect";
  double cval = 0;

  std::string json() const {
    auto list = [](const auto& v) {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
      return s + "]";
    };
    std::string s = gaussian ? "\"op\": \"gaussian_filter\", \"sigma\": " + list(sigma) +
                                   ", \"truncate\": " + std::to_string(truncate)
                             : "\"op\": \"uniform_filter\", \"size\": " + list(size);
    return s + ", \"mode\": \"" + mode + "\", \"cval\": " + std::to_string(cval);
  }
};

// ---------------------------------------------------------------- whole-array reference

/// The array index scipy's line extension reads for position i of a line of length n.
std::int64_t extend(std::int64_t i, std::int64_t n, const std::string& mode) {
  if (mode == "nearest") return std::clamp<std::int64_t>(i, 0, n - 1);
  if (mode == "wrap") return ((i % n) + n) % n;
  if (mode == "constant") return i < 0 || i >= n ? -1 : i;
  while (i < 0 || i >= n) {  // reflect: d c b a | a b c d | d c b a
    if (i < 0) i = -i - 1;
    if (i >= n) i = 2 * n - 1 - i;
  }
  return i;
}

/// np.sum's pairwise summation (the normalisation of scipy's gaussian weights).
double pairwise(const double* a, std::int64_t n) {
  if (n < 8) {
    double r = -0.0;
    for (std::int64_t i = 0; i < n; ++i) r += a[i];
    return r;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::int64_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[i];
    return s;
  }
  std::int64_t h = n / 2;
  h -= h % 8;
  return pairwise(a, h) + pairwise(a + h, n - h);
}

/// What an array of dtype t stores for v (each scipy pass writes its output array).
double store(double v, DType t) {
  switch (t) {
    case DType::Float64: return v;
    case DType::Float32: return static_cast<float>(v);
    case DType::UInt8: return static_cast<std::uint8_t>(static_cast<std::int32_t>(v));
    case DType::UInt16: return static_cast<std::uint16_t>(static_cast<std::int32_t>(v));
    case DType::Int32: return static_cast<std::int32_t>(v);
    default: return static_cast<double>(static_cast<std::int64_t>(v));
  }
}

/// scipy.ndimage.gaussian_filter / uniform_filter on a whole array, pass by pass.
std::vector<double> reference(std::vector<double> x, const Shape& shape, const Filter& f, DType t) {
  const int nd = static_cast<int>(shape.size());
  for (int a = 0; a < nd; ++a) {
    std::vector<double> w;
    std::int64_t before = 0, after = 0;
    if (f.gaussian) {
      if (!(f.sigma[a] > 1e-15)) continue;
      const auto r = static_cast<std::int64_t>(f.truncate * f.sigma[a] + 0.5);
      const double c = -0.5 / (f.sigma[a] * f.sigma[a]);
      for (std::int64_t k = -r; k <= r; ++k) w.push_back(std::exp(c * static_cast<double>(k * k)));
      const double sum = 0.0 + pairwise(w.data(), static_cast<std::int64_t>(w.size()));
      for (auto& v : w) v /= sum;
      before = after = r;
    } else {
      if (f.size[a] <= 1) continue;
      before = f.size[a] / 2;
      after = f.size[a] - before - 1;
    }
    const std::int64_t n = shape[a];
    std::int64_t inner = 1, outer = 1;
    for (int b = a + 1; b < nd; ++b) inner *= shape[b];
    for (int b = 0; b < a; ++b) outer *= shape[b];
    std::vector<double> y(x.size()), line(static_cast<size_t>(n + before + after));
    for (std::int64_t o = 0; o < outer; ++o)
      for (std::int64_t k = 0; k < inner; ++k) {
        const std::int64_t base = o * n * inner + k;
        for (std::int64_t i = -before; i < n + after; ++i) {
          const std::int64_t j = extend(i, n, f.mode);
          line[i + before] = j < 0 ? f.cval : x[base + j * inner];
        }
        if (f.gaussian) {
          const std::int64_t r = before;
          for (std::int64_t i = 0; i < n; ++i) {
            const double* c = &line[i + r];
            double v = c[0] * w[r];
            for (std::int64_t j = -r; j < 0; ++j) v += (c[j] + c[-j]) * w[r + j];
            y[base + i * inner] = store(v, t);
          }
        } else {
          const std::int64_t size = f.size[a];
          double tmp = 0;
          for (std::int64_t l = 0; l < size; ++l) tmp += line[l];
          y[base] = store(tmp / static_cast<double>(size), t);
          for (std::int64_t l = 1; l < n; ++l) {
            tmp += line[l + size - 1] - line[l - 1];
            y[base + l * inner] = store(tmp / static_cast<double>(size), t);
          }
        }
      }
    x = std::move(y);
  }
  return x;
}

void check_close(const std::vector<double>& got, const std::vector<double>& want, DType t, const std::string& what) {
  REQUIRE(got.size() == want.size());
  const double tol = t == DType::Float32 ? 1e-5 : 1e-10;
  double scale = 1;
  for (double v : want) scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < got.size(); ++i) {
    INFO(what << ": element " << i << ": got " << got[i] << ", want " << want[i]);
    if (is_float(t))
      REQUIRE(std::fabs(got[i] - want[i]) <= tol * scale);
    else
      REQUIRE(got[i] == want[i]);
  }
}

// ---------------------------------------------------------------- cases

/// One filter run: the filter, the input's dtype, shape and chunks.
struct Case {
  Filter f;
  DType t;
  std::string shape_json;
  Shape shape;
  std::string chunks;
  std::string label() const { return f.json() + " " + name(t) + " " + shape_json + " chunks " + chunks; }
};

/// The pipeline of a case: its input (varied values of dtype t) and the filter layer "z".
Graph case_graph(const Case& c) {
  const double scale = c.t == DType::UInt8 ? 256 : 200, shift = (c.t == DType::UInt8 || c.t == DType::UInt16) ? 0 : 100;
  return test::parse_or_throw(pipeline(input_layers("a", c.t, 71, c.shape_json, c.chunks, scale, shift) +
                                       ", {\"id\": \"z\", \"input\": \"a\", " + c.f.json() + "}"));
}

/// Runs a case and checks it against the whole-array reference.
void check_case(const Case& c) {
  const Graph g = case_graph(c);
  CHECK(test::dtype_of(g, "z") == c.t);
  const SerialRun r(g);
  check_close(as_double(r, "z"), reference(as_double(r, "a"), c.shape, c.f, c.t), c.t, "reference");
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  const std::vector<std::string> modes{"reflect", "nearest", "constant", "wrap"};
  const std::vector<DType> numeric{DType::UInt8, DType::UInt16,  DType::Int32,
                                   DType::Int64, DType::Float32, DType::Float64};
  for (const auto& mode : modes) {
    for (DType t : numeric) {
      Filter g;
      g.sigma = {1.5, 2.0};
      g.mode = mode;
      g.cval = mode == "constant" ? 1.5 : 0;
      cases.push_back({g, t, "[23, 31]", {23, 31}, "[[5, 11, 7], [4, 4, 20, 3]]"});
      Filter u;
      u.gaussian = false;
      u.size = {3, 4};
      u.mode = mode;
      u.cval = mode == "constant" ? -2.5 : 0;
      cases.push_back({u, t, "[23, 31]", {23, 31}, "[[5, 11, 7], [4, 4, 20, 3]]"});
    }
    // halos spanning several chunks, filters longer than the array
    Filter g;
    g.sigma = {3.0};
    g.mode = mode;
    g.cval = 0.25;
    cases.push_back({g, DType::Float64, "[9]", {9}, "2"});
    cases.push_back({g, DType::Int32, "[9]", {9}, "[[1, 1, 7]]"});
    Filter u;
    u.gaussian = false;
    u.size = {11, 2};
    u.mode = mode;
    u.cval = 3;
    cases.push_back({u, DType::Float64, "[7, 10]", {7, 10}, "[3, 3]"});
    cases.push_back({u, DType::UInt16, "[7, 10]", {7, 10}, "[[1, 6], [9, 1]]"});
  }
  // 3-d: skipped axes, truncate, radius 0, sizes of 1
  const std::string s3 = "[6, 9, 14]", c3 = "[[4, 2], [3, 3, 3], [5, 9]]";
  Filter g;
  g.sigma = {0.0, 1.0, 2.5};
  g.truncate = 3.0;
  cases.push_back({g, DType::Float64, s3, {6, 9, 14}, c3});
  cases.push_back({g, DType::Float32, s3, {6, 9, 14}, c3});
  g.mode = "nearest";
  g.sigma = {1.2, 0.0, 0.7};
  cases.push_back({g, DType::Int64, s3, {6, 9, 14}, c3});
  g.mode = "constant";
  g.cval = 10;
  cases.push_back({g, DType::UInt8, s3, {6, 9, 14}, c3});
  g.sigma = {0.1, 0.05, 0.0};  // radius 0 everywhere: scipy copies
  cases.push_back({g, DType::Float64, s3, {6, 9, 14}, c3});
  Filter u;
  u.gaussian = false;
  u.size = {1, 5, 2};
  cases.push_back({u, DType::Float64, s3, {6, 9, 14}, c3});
  u.mode = "wrap";
  u.size = {4, 1, 7};
  cases.push_back({u, DType::Int32, s3, {6, 9, 14}, c3});
  u.size = {1, 1, 1};
  cases.push_back({u, DType::UInt16, s3, {6, 9, 14}, c3});
  // larger, several chunks per axis
  Filter big;
  big.sigma = {2.0, 2.0};
  cases.push_back({big, DType::Float64, "[300, 280]", {300, 280}, "[128, 100]"});
  big.mode = "wrap";
  cases.push_back({big, DType::Float32, "[300, 280]", {300, 280}, "[128, 100]"});
  return cases;
}

}  // namespace

TEST_CASE("filters across chunk borders equal the whole-array filter: every mode, dtype and chunking", "[stencil]") {
  const auto cases = all_cases();
  for (size_t i = 0; i < cases.size(); ++i) {
    DYNAMIC_SECTION("case " << i << ": " << cases[i].label()) { check_case(cases[i]); }
  }
}

TEST_CASE("filters equal scipy.ndimage run on the same input", "[stencil][scipy]") {
  if (std::system("/usr/bin/python3 -c 'import numpy, scipy.ndimage' > /dev/null 2>&1") != 0) {
    WARN("/usr/bin/python3 with numpy and scipy not found: skipping the comparison with scipy.ndimage");
    return;
  }
  // One pipeline for tests/reference/numpy_ref.py with every case: input a<i> read from .npy,
  // filter z<i>; one Python start for all of them.
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("chunkscope-stencil-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto cases = all_cases();
  std::vector<std::vector<double>> got;
  std::string layers, outputs;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const Graph g = case_graph(c);
    const SerialRun r(g);
    got.push_back(as_double(r, "z"));
    dispatch_dtype(c.t, [&](auto x) {
      using T = decltype(x);
      const auto v = r.array<test::Store<T>>("a");
      write_npy((dir / ("a" + std::to_string(i) + ".npy")).string(), c.shape, c.t,
                reinterpret_cast<const std::byte*>(v.data()));
    });
    const std::string k = std::to_string(i);
    layers += std::string(i ? ", " : "") + "{\"id\": \"a" + k + "\", \"op\": \"from_npy\", \"path\": \"a" + k +
              ".npy\"}, {\"id\": \"z" + k + "\", \"input\": \"a" + k + "\", " + c.f.json() + "}";
    outputs += std::string(i ? ", " : "") + "{\"id\": \"z" + k + "\"}";
  }
  std::ofstream(dir / "p.json") << "{\"name\": \"t\", \"layers\": [" << layers << "], \"outputs\": [" << outputs
                                << "]}";
  const std::string cmd = "/usr/bin/python3 " CHUNKSCOPE_SOURCE_DIR "/tests/reference/numpy_ref.py --quiet " +
                          (dir / "p.json").string() + " --out " + dir.string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    INFO("case " << i << ": " << c.label());
    NpyHeader h;
    const auto bytes = read_npy((dir / ("z" + std::to_string(i) + ".npy")).string(), &h);
    REQUIRE(h.dtype == c.t);
    REQUIRE(h.shape == c.shape);
    std::vector<double> want;
    dispatch_dtype(c.t, [&](auto x) {
      using T = decltype(x);
      const auto* p = reinterpret_cast<const test::Store<T>*>(bytes.data());
      want.assign(p, p + bytes.size() / sizeof(T));
    });
    check_close(got[i], want, c.t, "scipy");
  }
  fs::remove_all(dir);
}

TEST_CASE("gaussian results do not depend on the chunking, bit for bit", "[stencil]") {
  // Every output element is computed with the same operations in the same order whatever the
  // chunks; uniform_filter's running sum restarts at each block, so only its integer results are
  // chunking-independent bit for bit.
  for (const std::string mode : {"reflect", "constant", "wrap"}) {
    DYNAMIC_SECTION(mode) {
      std::vector<std::vector<double>> results;
      for (const std::string chunks : {"[50, 40]", "[7, 9]", "[[1, 30, 19], [40]]"}) {
        Filter f;
        f.sigma = {2.5, 1.0};
        f.mode = mode;
        f.cval = 0.5;
        const Graph g = case_graph({f, DType::Float64, "[50, 40]", {50, 40}, chunks});
        results.push_back(as_double(SerialRun(g), "z"));
        Filter u;
        u.gaussian = false;
        u.size = {5, 3};
        u.mode = mode;
        const Graph gu = case_graph({u, DType::Int32, "[50, 40]", {50, 40}, chunks});
        results.push_back(as_double(SerialRun(gu), "z"));
      }
      CHECK(results[0] == results[2]);
      CHECK(results[0] == results[4]);
      CHECK(results[1] == results[3]);
      CHECK(results[1] == results[5]);
    }
  }
}
