#include <catch2/catch.hpp>

#include "chunkscope/viz/chunk_grid.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::viz;

TEST_CASE("task_info describes an output task and an intermediate one", "[viz][task_info]") {
  const Model m = fixtures::sample_model();
  const std::int64_t t = m.layer_tasks(m.find_layer("rc"))[3];
  const TaskInfo info = task_info(m, t);
  CHECK(info.layer == "rc");
  CHECK(info.chunk_index == std::vector<std::int64_t>{3, 0});
  CHECK(info.chunk_shape == Shape{32, 1024});
  CHECK(info.bytes == 32 * 1024);
  CHECK(info.duration_ns == 30000);
  CHECK(info.start_ns == m.trace().tasks.start_ns[t]);
  CHECK(info.worker == m.trace().tasks.worker[t]);
  CHECK(info.stage == 0);
  CHECK_FALSE(info.fused);
  CHECK(info.status == "done");
  const std::int64_t partial = m.layer_tasks(m.find_layer("mean"))[5];
  const TaskInfo p = task_info(m, partial);
  CHECK(p.stage == 1);
  CHECK(p.chunk_index == std::vector<std::int64_t>{5});
  CHECK(p.chunk_shape.empty());
  CHECK_THROWS_AS(task_info(m, -1), std::out_of_range);
  CHECK_THROWS_AS(task_info(m, m.trace().tasks.size()), std::out_of_range);
}
