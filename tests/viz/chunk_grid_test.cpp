#include "chunkscope/viz/chunk_grid.hpp"

#include <cmath>

#include <catch2/catch.hpp>

#include "chunkscope/viz/palette.hpp"
#include "viz_fixtures.hpp"

using chunkscope::Shape;
using namespace chunkscope::viz;

namespace {
// One layer of the given chunking, one task per chunk lasting 100 + flat index ns.
Model grid_model(Shape shape, Shape chunk) {
  chunkscope::testing::TraceBuilder b(3);
  const int l = b.layer("x", "random", "source", {}, shape, chunk);
  const auto n = b.at(l).meta().num_chunks();
  for (std::int64_t k = 0; k < n; ++k) b.task(l, k, 100 + k, 8 * (k + 1));
  return Model(b.done(), {});
}
}  // namespace

TEST_CASE("a 2-d layer is its chunk grid", "[viz][chunk_grid]") {
  const Model m = fixtures::sample_model();
  const ChunkGrid g = chunk_grid(m, m.find_layer("img"), GridColor::Duration);
  CHECK(g.grid == Shape{8, 8});
  CHECK(g.rows == 8);
  CHECK(g.cols == 8);
  CHECK(g.row_axis == 0);
  CHECK(g.col_axis == 1);
  CHECK(g.fixed.empty());
  CHECK(g.values.size() == 64);
  for (size_t i = 0; i < 64; ++i) {
    CHECK(g.values[i] == 20000);
    CHECK(m.trace().tasks.chunk[g.task[i]] == static_cast<std::int64_t>(i));
    CHECK_FALSE(g.colors[i].empty());
  }
  // The reduction: only the stage-0 output counts, 1-d of one chunk.
  const ChunkGrid r = chunk_grid(m, m.find_layer("mean"), GridColor::Worker);
  CHECK(r.rows == 1);
  CHECK(r.cols == 1);
  CHECK(m.trace().tasks.stage[r.task[0]] == 0);
  CHECK(r.colors[0] == worker_color(static_cast<int>(r.values[0])));
}

TEST_CASE("1-d and 0-d layers are one row", "[viz][chunk_grid]") {
  const Model one = grid_model({10}, {3});
  const ChunkGrid g = chunk_grid(one, 0, GridColor::Bytes);
  CHECK(g.rows == 1);
  CHECK(g.cols == 4);
  CHECK(g.row_axis == -1);
  CHECK(g.col_axis == 0);
  CHECK(g.values == std::vector<double>{8, 16, 24, 32});
  CHECK(g.vmin == 8);
  CHECK(g.vmax == 32);
  CHECK(g.colors[0] == value_color(0));
  CHECK(g.colors[3] == value_color(1));
  const Model zero = grid_model({}, {});
  const ChunkGrid z = chunk_grid(zero, 0, GridColor::Duration);
  CHECK(z.rows == 1);
  CHECK(z.cols == 1);
  CHECK(z.values[0] == 100);
}

TEST_CASE("a 3-d layer is sliced over its last two axes", "[viz][chunk_grid]") {
  const Model m = grid_model({4, 6, 10}, {1, 3, 5});  // grid 4 x 2 x 2
  const ChunkGrid first = chunk_grid(m, 0, GridColor::Duration);
  CHECK(first.grid == Shape{4, 2, 2});
  CHECK(first.fixed == std::vector<std::int64_t>{0});
  CHECK(first.values == std::vector<double>{100, 101, 102, 103});
  const ChunkGrid third = chunk_grid(m, 0, GridColor::Duration, {2});
  CHECK(third.values == std::vector<double>{108, 109, 110, 111});
  const ChunkGrid clamped = chunk_grid(m, 0, GridColor::Start, {99});
  CHECK(clamped.fixed == std::vector<std::int64_t>{3});
  CHECK(chunk_grid(m, 0, GridColor::Duration, {-5}).fixed == std::vector<std::int64_t>{0});
  CHECK_THROWS_AS(chunk_grid(m, 1, GridColor::Duration), std::out_of_range);
}

TEST_CASE("chunks without a task are NaN with no colour", "[viz][chunk_grid]") {
  chunkscope::testing::TraceBuilder b(1);
  b.layer("x", "random", "source", {}, {4}, {1});
  b.task(0, 2, 10, 8);
  const Model m(b.done(), {});
  const ChunkGrid g = chunk_grid(m, 0, GridColor::Duration);
  CHECK(std::isnan(g.values[0]));
  CHECK(g.task[0] == -1);
  CHECK(g.colors[0].empty());
  CHECK(g.values[2] == 10);
  CHECK(std::string(grid_color_name(GridColor::Start)) == "start");
}
