#include "chunkscope/viz/range_summary.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "viz_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::viz;

// The numbers a brushed window shows, recomputed here task by task from the trace's columns.
TEST_CASE("a window's summary: per layer clipped time and tasks, per worker busy and idle, memory",
          "[viz][range_summary]") {
  const Model m = fixtures::sample_model();
  const TraceTasks& c = m.trace().tasks;
  const std::int64_t wall = m.trace().meta.wall_ns, t0 = wall / 4, t1 = wall / 2;
  const RangeSummary s = range_summary(m, t0, t1);
  CHECK(s.t0_ns == t0);
  CHECK(s.t1_ns == t1);
  std::vector<std::int64_t> busy(m.layers().size(), 0), tasks(m.layers().size(), 0), wbusy(4, 0);
  std::int64_t n = 0;
  for (std::int64_t i = 0; i < c.size(); ++i) {
    if (c.worker[i] < 0 || c.end_ns[i] <= t0 || c.start_ns[i] >= t1) continue;
    const std::int64_t b = std::min(c.end_ns[i], t1) - std::max(c.start_ns[i], t0);
    busy[static_cast<size_t>(c.layer[i])] += b;
    ++tasks[static_cast<size_t>(c.layer[i])];
    wbusy[static_cast<size_t>(c.worker[i])] += b;
    ++n;
  }
  REQUIRE(n > 0);
  CHECK(s.tasks == n);
  for (size_t k = 1; k < s.layers.size(); ++k) CHECK(s.layers[k - 1].busy_ns >= s.layers[k].busy_ns);
  size_t seen = 0;
  for (size_t l = 0; l < busy.size(); ++l) {
    if (!tasks[l]) continue;
    ++seen;
    const auto it = std::find_if(s.layers.begin(), s.layers.end(),
                                 [&](const RangeLayer& r) { return r.layer == static_cast<int>(l); });
    REQUIRE(it != s.layers.end());
    CHECK(it->busy_ns == busy[l]);
    CHECK(it->tasks == tasks[l]);
  }
  CHECK(s.layers.size() == seen);
  REQUIRE(s.workers.size() == 4);
  for (size_t w = 0; w < 4; ++w) {
    CHECK(s.workers[w].busy_ns == wbusy[w]);
    CHECK(s.workers[w].idle_ns == std::max<std::int64_t>(0, (t1 - t0) - wbusy[w]));
  }
  // Memory: the lowest and highest live bytes over the window, from the step in force at t0.
  const MemorySeries& mem = m.trace().memory;
  std::int64_t at = 0, lo = -1, hi = -1;
  for (size_t i = 0; i < mem.t_ns.size(); ++i) {
    if (mem.t_ns[i] <= t0)
      at = mem.live_bytes[i];
    else if (mem.t_ns[i] < t1) {
      if (lo < 0) lo = hi = at;
      lo = std::min(lo, mem.live_bytes[i]);
      hi = std::max(hi, mem.live_bytes[i]);
    }
  }
  if (lo < 0) lo = hi = at;
  CHECK(s.memory_min == lo);
  CHECK(s.memory_max == hi);
}

TEST_CASE("a reversed window is swapped, an empty one counts nothing", "[viz][range_summary]") {
  const Model m = fixtures::sample_model();
  const std::int64_t wall = m.trace().meta.wall_ns;
  const RangeSummary a = range_summary(m, wall / 2, wall / 4), b = range_summary(m, wall / 4, wall / 2);
  CHECK(a.t0_ns == b.t0_ns);
  CHECK(a.tasks == b.tasks);
  const RangeSummary e = range_summary(m, wall / 3, wall / 3);
  CHECK(e.tasks == 0);
  CHECK(e.layers.empty());
  for (const auto& w : e.workers) CHECK(w.busy_ns + w.idle_ns == 0);
}

// A captured Dask run whose tasks overlap on one thread (a task that waits on another): busy is the
// time the worker ran anything, never more than the window (issue 15 item 5: it read 117%).
TEST_CASE("busy time is the union of a worker's tasks: never above 100% on overlapping Dask tasks",
          "[viz][range_summary]") {
  std::ifstream in(std::string(CHUNKSCOPE_TEST_DATA_DIR) + "/../web/dask_overlap.cstrace", std::ios::binary);
  REQUIRE(in);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = chunkscope::read_trace_bytes(bytes, "dask_overlap.cstrace");
  REQUIRE(r.ok());
  const Model m(std::move(r).value(), {});
  const TraceTasks& c = m.trace().tasks;
  const std::int64_t wall = m.trace().meta.wall_ns;
  bool overlapped = false;
  for (int k = 0; k < 16; ++k) {
    const std::int64_t t0 = wall * k / 16, t1 = k == 15 ? wall : wall * (k + 2) / 16;
    const RangeSummary s = range_summary(m, t0, t1);
    const std::vector<double> util = lane_utilisation(m, t0, t1);
    for (const RangeWorker& w : s.workers) {
      CHECK(w.busy_ns <= t1 - t0);
      CHECK(w.busy_ns + w.idle_ns == t1 - t0);
      CHECK(w.busy_ns <= w.task_ns);
      overlapped = overlapped || w.task_ns > w.busy_ns;
      // The union recomputed here: the instants of the window covered by one of its tasks.
      std::vector<std::pair<std::int64_t, std::int64_t>> iv;
      for (std::int64_t i = 0; i < c.size(); ++i)
        if (c.worker[i] == w.worker && c.end_ns[i] > t0 && c.start_ns[i] < t1 && c.end_ns[i] > c.start_ns[i])
          iv.emplace_back(std::max(c.start_ns[i], t0), std::min(c.end_ns[i], t1));
      std::sort(iv.begin(), iv.end());
      std::int64_t busy = 0, end = t0;
      for (const auto& [a, b] : iv) {
        if (b > end) busy += b - std::max(a, end);
        end = std::max(end, b);
      }
      CHECK(w.busy_ns == busy);
    }
    for (double u : util) CHECK(u <= 1.0);
  }
  CHECK(overlapped);  // the trace does have overlapping tasks on a thread
}
