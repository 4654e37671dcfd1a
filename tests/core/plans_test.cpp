// Plans behind task expansion (core/src/plans.cpp): reduction trees, rechunk plans, overlap, slices.
#include "chunkscope/core/plans.hpp"

#include <cmath>

#include <catch2/catch.hpp>

#include "chunkscope/core/chunking.hpp"

using namespace chunkscope;
using Idx = std::vector<std::int64_t>;

namespace {

Layer reduction(std::vector<int> axes, int split_every) {
  Layer l;
  l.op = Op::Sum;
  l.kind = OpKind::Reduce;
  l.params.axes = std::move(axes);
  l.params.split_every = split_every;
  return l;
}

/// An array with `grid` chunks of 10 elements along each axis.
ArrayMeta with_grid(const Shape& grid) {
  ArrayMeta m;
  for (auto g : grid) {
    m.shape.push_back(10 * g);
    m.chunks.push_back(regular_chunks(10 * g, 10));
  }
  return m;
}

/// Dask's rule (dask.array.reductions._tree_reduce), with exact integer roots and logs:
/// fan-in per reduced axis = max(floor(split_every ** (1 / n_axes)), 2); depth = max over
/// reduced axes of ceil(log_fanin(numblocks)), at least 1.
std::int64_t dask_fanin(int split_every, int n_axes) {
  std::int64_t k = 1;
  while (true) {
    std::int64_t p = 1;
    for (int i = 0; i < n_axes; ++i) p *= k + 1;
    if (p > split_every) break;
    ++k;
  }
  return std::max<std::int64_t>(k, 2);
}
int dask_depth(const Shape& grid, const std::vector<int>& axes, std::int64_t fanin) {
  int depth = 1;
  for (int a : axes) {
    int d = 0;
    for (std::int64_t cover = 1; cover < grid[a]; cover *= fanin) ++d;
    depth = std::max(depth, d);
  }
  return depth;
}

}  // namespace

TEST_CASE("reduction plan: one axis of 16 chunks with split_every 4", "[core][plans][reduce]") {
  const ReductionPlan p = make_reduction_plan(reduction({0}, 4), with_grid({16}));
  CHECK(p.fanin == Idx{4});
  REQUIRE(p.levels() == 2);  // partials, one combine level; then the aggregate (level 0)
  CHECK(p.grid(1) == Shape{16});
  CHECK(p.grid(2) == Shape{4});
  CHECK(p.grid(0) == Shape{1});
  CHECK(p.group(1, 7) == Idx{7});
  CHECK(p.group(2, 0) == Idx{0, 1, 2, 3});
  CHECK(p.group(2, 3) == Idx{12, 13, 14, 15});
  CHECK(p.group(0, 0) == Idx{0, 1, 2, 3});
}

TEST_CASE("reduction plan: uneven last group", "[core][plans][reduce]") {
  const ReductionPlan p = make_reduction_plan(reduction({0}, 5), with_grid({16}));
  CHECK(p.fanin == Idx{5});
  REQUIRE(p.levels() == 2);
  CHECK(p.grid(2) == Shape{4});
  CHECK(p.group(2, 0) == Idx{0, 1, 2, 3, 4});
  CHECK(p.group(2, 3) == Idx{15});
}

TEST_CASE("reduction plan: kept axes are not combined", "[core][plans][reduce]") {
  const ReductionPlan p = make_reduction_plan(reduction({1}, 8), with_grid({8, 3}));
  CHECK(p.fanin == Idx{1, 8});
  REQUIRE(p.levels() == 1);  // 3 chunks fit one aggregate
  CHECK(p.grid(0) == Shape{8, 1});
  CHECK(p.group(0, 5) == Idx{15, 16, 17});
}

TEST_CASE("reduction plan: multi-axis fan-in is split_every ** (1/n) as in Dask", "[core][plans][reduce]") {
  SECTION("8x8 chunks, both axes, split_every 4: fan-in 2 per axis, depth 3") {
    const ReductionPlan p = make_reduction_plan(reduction({0, 1}, 4), with_grid({8, 8}));
    CHECK(p.fanin == Idx{2, 2});
    REQUIRE(p.levels() == 3);
    CHECK(p.grid(2) == Shape{4, 4});
    CHECK(p.grid(3) == Shape{2, 2});
    CHECK(p.group(2, 0) == Idx{0, 1, 8, 9});
    CHECK(p.group(0, 0) == Idx{0, 1, 2, 3});
  }
  SECTION("8x8 chunks, split_every 16: fan-in 4, depth 2") {
    const ReductionPlan p = make_reduction_plan(reduction({0, 1}, 16), with_grid({8, 8}));
    CHECK(p.fanin == Idx{4, 4});
    REQUIRE(p.levels() == 2);
    CHECK(p.grid(2) == Shape{2, 2});
    CHECK(p.group(2, 3).size() == 16);
  }
  SECTION("4x4x4 chunks reduced over axes 0 and 2") {
    const ReductionPlan p = make_reduction_plan(reduction({0, 2}, 4), with_grid({4, 4, 4}));
    CHECK(p.fanin == Idx{2, 1, 2});
    REQUIRE(p.levels() == 2);
    CHECK(p.grid(2) == Shape{2, 4, 2});
    CHECK(p.grid(0) == Shape{1, 4, 1});
    // Output chunk 1 (middle axis = 1) aggregates the 2x2 partials of level 2 at middle index 1.
    CHECK(p.group(0, 1) == Idx{2, 3, 10, 11});
  }
  SECTION("a table of grids and split_every values against the rule") {
    struct Case {
      Shape grid;
      std::vector<int> axes;
      int split_every;
    };
    const std::vector<Case> cases{
        {{16}, {0}, 4},
        {{17}, {0}, 4},
        {{1}, {0}, 4},
        {{100}, {0}, 2},
        {{100}, {0}, 10},
        {{8, 8}, {0, 1}, 4},
        {{9, 3}, {0, 1}, 9},
        {{5, 7, 3}, {0, 1, 2}, 8},
        {{5, 7, 3}, {0, 1, 2}, 27},
        {{6, 6}, {0, 1}, 3},
        {{2, 40}, {1}, 6},
        {{30, 2, 30}, {0, 2}, 100},
    };
    for (const auto& k : cases) {
      INFO("grid " << format_shape(k.grid) << ", split_every " << k.split_every);
      const ReductionPlan p = make_reduction_plan(reduction(k.axes, k.split_every), with_grid(k.grid));
      const auto fanin = dask_fanin(k.split_every, static_cast<int>(k.axes.size()));
      for (int a : k.axes) CHECK(p.fanin[a] == fanin);
      CHECK(p.levels() == dask_depth(k.grid, k.axes, fanin));
      // The last level fits in one aggregate per output chunk.
      for (int a : k.axes) CHECK(p.grid(p.levels())[a] <= fanin);
      // Every partial of a level is read by exactly one task of the next level.
      for (int level = 2; level <= p.levels() + 1; ++level) {
        const int next = level > p.levels() ? 0 : level;
        const Shape prev = p.grid(level - 1), g = p.grid(next);
        std::int64_t n_prev = 1, n = 1;
        for (auto x : prev) n_prev *= x;
        for (auto x : g) n *= x;
        std::vector<int> seen(static_cast<size_t>(n_prev), 0);
        for (std::int64_t t = 0; t < n; ++t)
          for (auto i : p.group(next, t)) ++seen[static_cast<size_t>(i)];
        for (int s : seen) CHECK(s == 1);
      }
    }
  }
}

TEST_CASE("intersecting_chunks", "[core][plans][rechunk]") {
  const ArrayMeta m{{10, 6}, {{4, 4, 2}, {3, 3}}, DType::Float64};
  CHECK(intersecting_chunks(m, {3, 0}, {2, 3}) == Idx{0, 2});
  CHECK(intersecting_chunks(m, {4, 0}, {4, 6}) == Idx{2, 3});
  CHECK(intersecting_chunks(m, {0, 0}, {10, 6}) == Idx{0, 1, 2, 3, 4, 5});
  CHECK(intersecting_chunks(m, {9, 5}, {1, 1}) == Idx{5});
}

TEST_CASE("rechunk plan: direct for small or aligned rechunks", "[core][plans][rechunk]") {
  const ArrayMeta in{{1000, 1000}, {regular_chunks(1000, 100), regular_chunks(1000, 100)}, DType::Float64};
  ArrayMeta out = in;
  out.chunks = {regular_chunks(1000, 200), regular_chunks(1000, 200)};
  CHECK_FALSE(make_rechunk_plan(in, out).has_intermediate);
  out.chunks = {regular_chunks(1000, 1000), regular_chunks(1000, 50)};
  CHECK_FALSE(make_rechunk_plan(in, out).has_intermediate);
}

TEST_CASE("rechunk plan: an intermediate chunking for all-to-all transposes", "[core][plans][rechunk]") {
  const ArrayMeta in{{8192, 8192}, {{8192}, regular_chunks(8192, 64)}, DType::Float64};
  ArrayMeta out = in;
  out.chunks = {regular_chunks(8192, 64), {8192}};
  const RechunkPlan p = make_rechunk_plan(in, out);
  REQUIRE(p.has_intermediate);
  REQUIRE(p.intermediate.size() == 2);
  for (size_t a = 0; a < 2; ++a) {
    std::int64_t s = 0;
    for (auto c : p.intermediate[a]) s += c;
    CHECK(s == 8192);
    // Between the two chunk sizes (geometric mean, about 724).
    CHECK(p.intermediate[a].front() > 64);
    CHECK(p.intermediate[a].front() < 8192);
  }
}

TEST_CASE("boundary_index follows scipy.ndimage's modes", "[core][plans][overlap]") {
  // reflect: d c b a | a b c d | d c b a
  CHECK(boundary_index(-1, 4, BoundaryMode::Reflect) == 0);
  CHECK(boundary_index(-4, 4, BoundaryMode::Reflect) == 3);
  CHECK(boundary_index(-5, 4, BoundaryMode::Reflect) == 3);
  CHECK(boundary_index(4, 4, BoundaryMode::Reflect) == 3);
  CHECK(boundary_index(7, 4, BoundaryMode::Reflect) == 0);
  CHECK(boundary_index(8, 4, BoundaryMode::Reflect) == 0);
  // nearest: a a a | a b c d | d d d
  CHECK(boundary_index(-3, 4, BoundaryMode::Nearest) == 0);
  CHECK(boundary_index(9, 4, BoundaryMode::Nearest) == 3);
  // wrap: a b c d | a b c d | a b c d
  CHECK(boundary_index(-1, 4, BoundaryMode::Wrap) == 3);
  CHECK(boundary_index(4, 4, BoundaryMode::Wrap) == 0);
  CHECK(boundary_index(-9, 4, BoundaryMode::Wrap) == 3);
  // constant: outside is the constant
  CHECK(boundary_index(-1, 4, BoundaryMode::Constant) == -1);
  CHECK(boundary_index(4, 4, BoundaryMode::Constant) == -1);
  for (auto m : {BoundaryMode::Reflect, BoundaryMode::Nearest, BoundaryMode::Wrap, BoundaryMode::Constant})
    for (std::int64_t i = 0; i < 4; ++i) CHECK(boundary_index(i, 4, m) == i);
}

TEST_CASE("overlap depths: gaussian radius int(truncate * sigma + 0.5), uniform size // 2", "[core][plans][overlap]") {
  CHECK(gaussian_radius(2.0, 4.0) == 8);
  CHECK(gaussian_radius(1.5, 4.0) == 6);
  CHECK(gaussian_radius(0.5, 4.0) == 2);
  CHECK(gaussian_radius(1.0, 3.9) == 4);
  const ArrayMeta im{{40, 40, 40}, {{10, 10, 10, 10}, {10, 10, 10, 10}, {10, 10, 10, 10}}, DType::Float32};
  Layer g;
  g.op = Op::GaussianFilter;
  g.kind = OpKind::Stencil;
  g.params.sigma = {0, 1.5, 2};
  g.params.truncate = 4;
  const OverlapPlan pg = make_overlap_plan(g, im);
  CHECK(pg.depth_before == Idx{0, 6, 8});
  CHECK(pg.depth_after == Idx{0, 6, 8});
  Layer u;
  u.op = Op::UniformFilter;
  u.kind = OpKind::Stencil;
  u.params.size = {1, 3, 4};
  const OverlapPlan pu = make_overlap_plan(u, im);
  CHECK(pu.depth_before == Idx{0, 1, 2});
  CHECK(pu.depth_after == Idx{0, 1, 1});
}

TEST_CASE("overlap needed_chunks: neighbours by mode and halo depth", "[core][plans][overlap]") {
  const ArrayMeta im{{40}, {{10, 10, 10, 10}}, DType::Float64};
  OverlapPlan p;
  p.depth_before = {3};
  p.depth_after = {3};
  for (auto m : {BoundaryMode::Reflect, BoundaryMode::Nearest, BoundaryMode::Constant}) {
    p.mode = m;
    CHECK(p.needed_chunks(im, 0) == Idx{0, 1});
    CHECK(p.needed_chunks(im, 2) == Idx{1, 2, 3});
    CHECK(p.needed_chunks(im, 3) == Idx{2, 3});
  }
  p.mode = BoundaryMode::Wrap;
  CHECK(p.needed_chunks(im, 0) == Idx{0, 1, 3});
  CHECK(p.needed_chunks(im, 3) == Idx{0, 2, 3});
  SECTION("a halo deeper than a chunk reaches further") {
    p.mode = BoundaryMode::Reflect;
    p.depth_before = p.depth_after = {15};
    CHECK(p.needed_chunks(im, 2) == Idx{0, 1, 2, 3});
    CHECK(p.needed_chunks(im, 0) == Idx{0, 1, 2});  // reflected -15..-1 land in chunks 0 and 1
    p.mode = BoundaryMode::Constant;
    CHECK(p.needed_chunks(im, 0) == Idx{0, 1, 2});
    p.mode = BoundaryMode::Wrap;  // -15..-1 wrap to 25..39
    CHECK(p.needed_chunks(im, 0) == Idx{0, 1, 2, 3});
  }
  SECTION("no halo: only the chunk itself") {
    p.depth_before = p.depth_after = {0};
    CHECK(p.needed_chunks(im, 1) == Idx{1});
  }
}

TEST_CASE("slice plan: the source chunk of each run of selected elements", "[core][plans][slice]") {
  const ArrayMeta im{{10}, {{4, 4, 2}}, DType::Float64};
  Layer l;
  l.op = Op::Slice;
  l.kind = OpKind::Slice;
  l.params.slices = {{9, -3, 4}};  // 9, 6, 3, 0
  CHECK(make_slice_plan(l, im).source_chunk[0] == Idx{2, 1, 0});
  l.params.slices = {{1, 2, 5}};  // 1, 3, 5, 7, 9
  CHECK(make_slice_plan(l, im).source_chunk[0] == Idx{0, 1, 2});
  l.params.slices = {{5, 1, 2}};  // 5, 6
  CHECK(make_slice_plan(l, im).source_chunk[0] == Idx{1});
  l.params.slices = {{9, INT64_MIN, 1}};  // 9
  CHECK(make_slice_plan(l, im).source_chunk[0] == Idx{2});
  l.params.slices = {{0, INT64_MAX, 1}};  // 0
  CHECK(make_slice_plan(l, im).source_chunk[0] == Idx{0});
}

TEST_CASE("slice plan: one step per run, even over a huge array", "[core][plans][slice]") {
  const std::int64_t n = 4'000'000'000'000;  // 4e12 elements in 4 chunks
  const ArrayMeta im{{n}, {regular_chunks(n, n / 4)}, DType::Float64};
  Layer l;
  l.op = Op::Slice;
  l.kind = OpKind::Slice;
  l.params.slices = {{1, 1, n - 1}};
  CHECK(make_slice_plan(l, im).source_chunk[0] == Idx{0, 1, 2, 3});
  l.params.slices = {{n - 2, -3, (n - 2) / 3 + 1}};
  CHECK(make_slice_plan(l, im).source_chunk[0] == Idx{3, 2, 1, 0});
}
