// Structure kernels (transpose, slice, rechunk incl. the intermediate plan, concatenate) and the
// strided copy routines under them, against expected values computed in the test.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "chunkscope/core/plans.hpp"
#include "chunkscope/exec/block_copy.hpp"
#include "chunkscope/exec/npy.hpp"
#include "io_fixtures.hpp"
#include "serial_run.hpp"

using namespace chunkscope;
using namespace chunkscope::test;

namespace {

// An input array whose value is its C-order flat index (float64), written as a.npy in `dir`.
void write_iota(const TempDir& dir, const Shape& shape, const std::string& name = "a.npy") {
  std::vector<double> v(static_cast<size_t>(shape_size(shape)));
  std::iota(v.begin(), v.end(), 0.0);
  write_npy(dir / name, shape, DType::Float64, reinterpret_cast<const std::byte*>(v.data()));
}

// A pipeline reading a.npy with `chunks`, then `op_json` as layer "t"; nothing pushed.
Graph pipeline(const TempDir& dir, const std::string& chunks, const std::string& op_json) {
  return parse_with(R"({"name": "s", "layers": [{"id": "a", "op": "from_npy", "path": "a.npy", "chunks": )" + chunks +
                        "}, " + op_json + "]}",
                    dir.path(), false);
}

}  // namespace

TEST_CASE("copy_strided handles contiguous, transposed, stepped, reversed and broadcast copies", "[structure][copy]") {
  std::mt19937 rng(1);
  for (int itemsize : {1, 2, 4, 8, 3}) {
    for (int trial = 0; trial < 200; ++trial) {
      const int nd = 1 + static_cast<int>(rng() % 4);
      Shape ext(nd), src_shape(nd);
      std::vector<std::int64_t> step(nd);
      for (int a = 0; a < nd; ++a) {
        ext[a] = 1 + static_cast<std::int64_t>(rng() % (nd <= 2 ? 70 : 13));
        step[a] = std::vector<std::int64_t>{1, 1, 1, 2, -1, -3, 0}[rng() % 7];
        src_shape[a] = ext[a] * (step[a] == 0 ? 1 : std::abs(step[a]));
      }
      // Source axes possibly permuted (a transpose) and stepped; destination C order.
      std::vector<int> perm(nd);
      std::iota(perm.begin(), perm.end(), 0);
      std::shuffle(perm.begin(), perm.end(), rng);
      Shape phys(nd);  // physical source layout: axis perm[i] of the view is physical axis i
      for (int i = 0; i < nd; ++i) phys[i] = src_shape[perm[i]];
      const Shape ps = c_strides(phys, itemsize);
      Shape vs(nd);
      for (int i = 0; i < nd; ++i) vs[perm[i]] = ps[i];
      std::vector<std::byte> src(static_cast<size_t>(shape_size(phys) * itemsize));
      for (auto& b : src) b = static_cast<std::byte>(rng());
      Shape ss(nd);
      std::int64_t base = 0;
      for (int a = 0; a < nd; ++a) {
        ss[a] = step[a] * vs[a];
        if (step[a] < 0) base += (ext[a] - 1) * (-step[a]) * vs[a];
      }
      const Shape ds = c_strides(ext, itemsize);
      std::vector<std::byte> got(static_cast<size_t>(shape_size(ext) * itemsize)), want(got.size());
      copy_strided(ext, src.data() + base, ss, got.data(), ds, itemsize);
      for_each_index(ext, [&](const std::vector<std::int64_t>& i) {
        std::int64_t so = base, d = 0;
        for (int a = 0; a < nd; ++a) {
          so += i[a] * ss[a];
          d += i[a] * ds[a];
        }
        std::memcpy(want.data() + d, src.data() + so, static_cast<size_t>(itemsize));
      });
      INFO("itemsize " << itemsize << " trial " << trial);
      REQUIRE(got == want);
    }
  }
}

TEST_CASE("convert_strided casts with NumPy's astype rules", "[structure][copy]") {
  const double in[] = {-2.7, -0.5, 0.0, 0.5, 255.9, 3e10, -3e10};
  const std::int64_t ext[] = {7}, s8[] = {8}, s4[] = {4}, s1[] = {1};
  std::int32_t i32[7];
  convert_strided(ext, reinterpret_cast<const std::byte*>(in), s8, DType::Float64, reinterpret_cast<std::byte*>(i32),
                  s4, DType::Int32);
  CHECK(std::vector<std::int32_t>(i32, i32 + 7) ==
        std::vector<std::int32_t>{-2, 0, 0, 0, 255, 2147483647, -2147483647 - 1});
  bool b[7];
  convert_strided(ext, reinterpret_cast<const std::byte*>(in), s8, DType::Float64, reinterpret_cast<std::byte*>(b), s1,
                  DType::Bool);
  CHECK(std::vector<bool>(b, b + 7) == std::vector<bool>{true, true, false, true, true, true, true});
  float f[7];
  convert_strided(ext, reinterpret_cast<const std::byte*>(in), s8, DType::Float64, reinterpret_cast<std::byte*>(f), s4,
                  DType::Float32);
  CHECK(f[0] == -2.7f);
}

TEST_CASE("copy_box copies exactly the intersection of two blocks", "[structure][copy]") {
  std::vector<std::int32_t> a(6 * 5), b(4 * 7, -1);
  std::iota(a.begin(), a.end(), 0);
  // a covers rows 10..15, columns 3..7; b covers rows 13..16, columns 0..6.
  REQUIRE(copy_box({reinterpret_cast<const std::byte*>(a.data()), {10, 3}, {6, 5}},
                   {reinterpret_cast<std::byte*>(b.data()), {13, 0}, {4, 7}}, 4));
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 7; ++c) {
      const int gr = 13 + r, gc = c;
      const bool inside = gr < 16 && gc >= 3 && gc < 8;
      CHECK(b[r * 7 + c] == (inside ? (gr - 10) * 5 + (gc - 3) : -1));
    }
  CHECK_FALSE(copy_box({reinterpret_cast<const std::byte*>(a.data()), {10, 3}, {6, 5}},
                       {reinterpret_cast<std::byte*>(b.data()), {16, 0}, {4, 7}}, 4));
}

TEST_CASE("transpose permutes axes for regular and irregular chunks", "[structure][transpose]") {
  TempDir dir;
  SECTION("2-d") {
    write_iota(dir, {70, 45});
    for (const char* chunks : {"[70, 45]", "[16, 9]", "[[1, 69], [40, 5]]"}) {
      INFO(chunks);
      const Graph g = pipeline(dir, chunks, R"({"id": "t", "op": "transpose", "input": "a"})");
      const auto v = SerialRun(g).array<double>("t");
      for_each_index({45, 70}, [&](const std::vector<std::int64_t>& i) {
        REQUIRE(v[static_cast<size_t>(i[0] * 70 + i[1])] == static_cast<double>(i[1] * 45 + i[0]));
      });
    }
  }
  SECTION("3-d, every permutation") {
    const Shape shape{6, 35, 9};
    write_iota(dir, shape);
    for (const char* axes : {"[0, 1, 2]", "[0, 2, 1]", "[1, 0, 2]", "[1, 2, 0]", "[2, 0, 1]", "[2, 1, 0]"}) {
      INFO(axes);
      const Graph g = pipeline(dir, "[[2, 4], [20, 15], [9]]",
                               std::string(R"({"id": "t", "op": "transpose", "input": "a", "axes": )") + axes + "}");
      const Layer& t = g.layer(g.find_layer("t"));
      const auto v = SerialRun(g).array<double>("t");
      for_each_index(t.meta.shape, [&](const std::vector<std::int64_t>& o) {
        std::vector<std::int64_t> in(3);
        for (int k = 0; k < 3; ++k) in[t.params.axes[k]] = o[k];
        REQUIRE(v[static_cast<size_t>(flat_index(o, t.meta.shape))] == static_cast<double>(flat_index(in, shape)));
      });
    }
  }
}

TEST_CASE("slice with positive, negative and large steps", "[structure][slice]") {
  TempDir dir;
  const Shape shape{41, 33};
  write_iota(dir, shape);
  for (const char* slices : {"[[2, 39, 3], [null, null, -1]]", "[[null, null, -4], [30, 1, -2]]",
                             "[[40, 0, -39], [5, 6]]", "[[-10, null], [null, null, 32]]"}) {
    for (const char* chunks : {"[8, 10]", "[[1, 40], [33]]"}) {
      INFO(slices << " " << chunks);
      const Graph g =
          pipeline(dir, chunks, std::string(R"({"id": "t", "op": "slice", "input": "a", "slices": )") + slices + "}");
      const Layer& t = g.layer(g.find_layer("t"));
      const auto v = SerialRun(g).array<double>("t");
      for_each_index(t.meta.shape, [&](const std::vector<std::int64_t>& o) {
        const std::vector<std::int64_t> in{t.params.slices[0].at(o[0]), t.params.slices[1].at(o[1])};
        REQUIRE(v[static_cast<size_t>(flat_index(o, t.meta.shape))] == static_cast<double>(flat_index(in, shape)));
      });
    }
  }
}

TEST_CASE("rechunk between regular and irregular chunkings", "[structure][rechunk]") {
  TempDir dir;
  const Shape shape{29, 8, 31};
  write_iota(dir, shape);
  std::vector<double> expected(static_cast<size_t>(shape_size(shape)));
  std::iota(expected.begin(), expected.end(), 0.0);
  for (const char* from : {"[29, 8, 31]", "[5, 3, 7]", "[[1, 28], [8], [30, 1]]"})
    for (const char* to : {"[29, 8, 31]", "[4, 8, 2]", "[[14, 15], [1, 1, 6], [31]]", "[1, 1, 31]"}) {
      INFO(from << " -> " << to);
      const Graph g =
          pipeline(dir, from, std::string(R"({"id": "t", "op": "rechunk", "input": "a", "chunks": )") + to + "}");
      CHECK(SerialRun(g).array<double>("t") == expected);
    }
}

TEST_CASE("rechunk through the intermediate chunking of the plan", "[structure][rechunk]") {
  // (512, 4) -> (4, 512): all-to-all; the plan puts an intermediate chunking in between.
  TempDir dir;
  const Shape shape{512, 512};
  write_iota(dir, shape);
  const Graph g = pipeline(dir, "[512, 4]", R"({"id": "t", "op": "rechunk", "input": "a", "chunks": [4, 512]})");
  const int t = g.find_layer("t");
  const RechunkPlan plan = make_rechunk_plan(g.layer(t - 1).meta, g.layer(t).meta);
  REQUIRE(plan.has_intermediate);
  bool has_stage1 = false;
  for (std::int64_t k = g.tasks().layer_begin(t); k < g.tasks().layer_end(t); ++k)
    has_stage1 |= g.tasks().stage(k) == 1;
  REQUIRE(has_stage1);
  std::vector<double> expected(512 * 512);
  std::iota(expected.begin(), expected.end(), 0.0);
  CHECK(SerialRun(g).array<double>("t") == expected);
}

TEST_CASE("concatenate copies each chunk and promotes dtypes", "[structure][concatenate]") {
  TempDir dir;
  write_iota(dir, {6, 10});
  std::vector<std::int32_t> ints(4 * 10);
  std::iota(ints.begin(), ints.end(), -5);
  write_npy(dir / "i.npy", {4, 10}, DType::Int32, reinterpret_cast<const std::byte*>(ints.data()));
  const Graph g = parse_with(R"({"name": "c", "layers": [
      {"id": "a", "op": "from_npy", "path": "a.npy", "chunks": [4, 5]},
      {"id": "i", "op": "from_npy", "path": "i.npy", "chunks": [3, 5]},
      {"id": "t", "op": "concatenate", "inputs": ["a", "i", "a"], "axis": 0}]})",
                             dir.path(), false);
  const auto v = SerialRun(g).array<double>("t");
  REQUIRE(v.size() == 16 * 10);
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 10; ++c) {
      const double want = r < 6 ? r * 10 + c : r < 10 ? (r - 6) * 10 + c - 5 : (r - 10) * 10 + c;
      REQUIRE(v[r * 10 + c] == want);
    }
}
