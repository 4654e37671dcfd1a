#include <catch2/catch.hpp>

#include "chunkscope/viz/timeline.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope::viz;

TEST_CASE("wide tasks are single rectangles in pixels", "[viz][timeline]") {
  const Model m = fixtures::sample_model();
  const auto wall = m.trace().meta.wall_ns;
  const Timeline tl = timeline(m, 0, wall, 100000.0);
  CHECK(tl.lanes == std::vector<std::string>{"worker 0", "worker 1", "worker 2", "worker 3"});
  CHECK(tl.rects.size() == static_cast<size_t>(m.trace().tasks.size()));
  for (const auto& r : tl.rects) {
    CHECK(r.count == 1);
    CHECK(r.task >= 0);
    CHECK(r.x0 <= r.x1);
    CHECK(m.trace().tasks.worker[r.task] == m.lane_workers()[static_cast<size_t>(r.lane)]);
  }
  // A window shows only what overlaps it, clipped to its pixels.
  const Timeline part = timeline(m, wall / 2, wall / 2 + 30000, 300.0);
  CHECK(part.rects.size() < 30);
  for (const auto& r : part.rects) {
    CHECK(r.x0 >= 0);
    CHECK(r.x1 <= 300.0);
  }
  CHECK(timeline(m, 10, 10, 100).rects.empty());
  CHECK(timeline(m, 0, wall, 0).rects.empty());
}

TEST_CASE("a million tiny tasks fold into at most a few rectangles per pixel", "[viz][timeline]") {
  const Model m(fixtures::big_trace(1000000, 8), {});
  const auto wall = m.trace().meta.wall_ns;
  for (double width : {200.0, 1000.0, 3000.0}) {
    const Timeline tl = timeline(m, 0, wall, width);
    CHECK(tl.lanes.size() == 8);
    CHECK(tl.rects.size() <= static_cast<size_t>(8 * (2 * width + 2)));
    std::int64_t count = 0;
    for (const auto& r : tl.rects) count += r.count;
    CHECK(count == 1000000);  // every task is in exactly one rectangle
  }
  // Zoomed into 1/1000 of the run: counts add up to the tasks overlapping the window.
  const std::int64_t t0 = wall / 2, t1 = wall / 2 + wall / 1000;
  const Timeline zoom = timeline(m, t0, t1, 1000.0);
  std::int64_t visible = 0, counted = 0;
  const auto& c = m.trace().tasks;
  for (std::int64_t i = 0; i < c.size(); ++i) visible += c.end_ns[i] >= t0 && c.start_ns[i] <= t1;
  for (const auto& r : zoom.rects) counted += r.count;
  CHECK(counted == visible);
  // Folded rectangles are named after a layer and carry no task.
  bool folded = false;
  for (const auto& r : timeline(m, 0, wall, 500.0).rects)
    if (r.count > 1) {
      folded = true;
      CHECK(r.task == -1);
      CHECK(r.layer >= 0);
    }
  CHECK(folded);
}

TEST_CASE("lanes are named by device when the trace says which worker is which", "[viz][timeline]") {
  chunkscope::Trace t = fixtures::sample_trace();
  t.meta.extra["worker_devices"] = {"cuda:0", "host"};  // workers 2 and 3 are not named: kept as workers
  const Model m(std::move(t), {});
  const Timeline tl = timeline(m, 0, m.trace().meta.wall_ns, 500.0);
  CHECK(tl.lanes == std::vector<std::string>{"cuda:0 (worker 0)", "host (worker 1)", "worker 2", "worker 3"});
}
