#include "chunkscope/viz/timeline.hpp"

#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "chunkscope/core/trace_io.hpp"
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
  t.meta.worker_devices = {"cuda:0", "host"};  // workers 2 and 3 are not named: kept as workers
  const Model m(std::move(t), {});
  const Timeline tl = timeline(m, 0, m.trace().meta.wall_ns, 500.0);
  CHECK(tl.lanes == std::vector<std::string>{"cuda:0 (worker 0)", "host (worker 1)", "worker 2", "worker 3"});
}

namespace {

// Rectangles of the transfer lanes: their transfer count and bytes.
std::pair<std::int64_t, std::int64_t> transfer_totals(const Timeline& tl) {
  std::int64_t count = 0, bytes = 0;
  for (const auto& r : tl.rects)
    if (r.kind == RectKind::Transfer) {
      count += r.count;
      bytes += r.bytes;
    }
  return {count, bytes};
}

// Transfers overlapping [t0, t1] and their bytes, from the trace.
std::pair<std::int64_t, std::int64_t> transfers_in(const chunkscope::Trace& t, std::int64_t t0, std::int64_t t1) {
  std::int64_t count = 0, bytes = 0;
  const auto& x = t.transfers;
  for (std::int64_t i = 0; i < x.size(); ++i)
    if (x.end_ns[i] >= t0 && x.start_ns[i] <= t1) {
      ++count;
      bytes += x.bytes[i];
    }
  return {count, bytes};
}

}  // namespace

TEST_CASE("a trace without transfers has worker lanes only, and the same rects as before", "[viz][timeline]") {
  const Model m = fixtures::sample_model();
  CHECK(m.transfer_lanes().empty());
  const Timeline tl = timeline(m, 0, m.trace().meta.wall_ns, 700.0);
  CHECK(tl.task_lanes == 4);
  CHECK(tl.lanes.size() == 4);
  for (const auto& r : tl.rects) {
    CHECK(r.kind == RectKind::Task);
    CHECK(r.transfer == -1);
    CHECK(r.bytes == 0);
    CHECK(r.lane < 4);
  }
  // Transfers add lanes and rects after the worker lanes; the worker lanes' rects are unchanged.
  const Model cuda(fixtures::sample_cuda_trace(), {});
  const Timeline tc = timeline(cuda, 0, cuda.trace().meta.wall_ns, 700.0);
  std::vector<TimelineRect> tasks;
  for (const auto& r : tc.rects)
    if (r.kind == RectKind::Task) tasks.push_back(r);
  REQUIRE(tasks.size() == tl.rects.size());
  for (size_t i = 0; i < tasks.size(); ++i) {
    CHECK(tasks[i].lane == tl.rects[i].lane);
    CHECK(tasks[i].x0 == tl.rects[i].x0);
    CHECK(tasks[i].x1 == tl.rects[i].x1);
    CHECK(tasks[i].layer == tl.rects[i].layer);
    CHECK(tasks[i].task == tl.rects[i].task);
    CHECK(tasks[i].count == tl.rects[i].count);
  }
}

TEST_CASE("transfers get one lane per device and direction, named by device", "[viz][timeline]") {
  const Model m(fixtures::sample_cuda_trace(), {});
  REQUIRE(m.transfer_lanes().size() == 2);
  CHECK(m.transfer_lanes()[0].to_device);
  CHECK_FALSE(m.transfer_lanes()[1].to_device);
  const Timeline tl = timeline(m, 0, m.trace().meta.wall_ns, 500.0);
  CHECK(tl.task_lanes == 4);
  CHECK(tl.lanes == std::vector<std::string>{"cuda:0 (worker 0)", "host (worker 1)", "worker 2", "worker 3",
                                             "cuda:0 host\xE2\x86\x92"
                                             "device",
                                             "cuda:0 device\xE2\x86\x92"
                                             "host"});
  // Lanes hold their own direction's transfers, sorted by start, once (the trace lists them in issue order).
  const auto& x = m.trace().transfers;
  for (const auto& lane : m.transfer_lanes()) {
    for (size_t k = 0; k < lane.transfers.size(); ++k) {
      CHECK((x.to_device[static_cast<size_t>(lane.transfers[k])] != 0) == lane.to_device);
      if (k)
        CHECK(x.start_ns[static_cast<size_t>(lane.transfers[k - 1])] <=
              x.start_ns[static_cast<size_t>(lane.transfers[k])]);
    }
    CHECK(lane.bytes_before.size() == lane.transfers.size() + 1);
  }
  // Wide enough to see each transfer: one rect per transfer, naming the transfer, its task and layer.
  const Timeline wide = timeline(m, 0, m.trace().meta.wall_ns, 1e6);
  std::int64_t seen = 0;
  for (const auto& r : wide.rects) {
    if (r.kind != RectKind::Transfer) continue;
    ++seen;
    REQUIRE(r.transfer >= 0);
    CHECK(r.count == 1);
    CHECK(r.task == x.task[static_cast<size_t>(r.transfer)]);
    CHECK(r.layer == m.trace().tasks.layer[static_cast<size_t>(r.task)]);
    CHECK(r.bytes == x.bytes[static_cast<size_t>(r.transfer)]);
    CHECK(r.lane == (x.to_device[static_cast<size_t>(r.transfer)] ? 4 : 5));
  }
  CHECK(seen == x.size());
}

TEST_CASE("counts and bytes of the transfer lanes add up to the transfers in the window", "[viz][timeline]") {
  const Model m(fixtures::sample_cuda_trace(), {});
  const auto wall = m.trace().meta.wall_ns;
  for (double width : {50.0, 300.0, 4000.0}) {
    const Timeline tl = timeline(m, 0, wall, width);
    CHECK(transfer_totals(tl) == transfers_in(m.trace(), 0, wall));
  }
  for (std::int64_t t0 : {std::int64_t{0}, wall / 3, wall / 2, wall - wall / 7}) {
    const std::int64_t t1 = t0 + wall / 5;
    const Timeline tl = timeline(m, t0, t1, 200.0);
    CHECK(transfer_totals(tl) == transfers_in(m.trace(), t0, t1));
    for (const auto& r : tl.rects) {
      CHECK(r.x0 >= 0);
      CHECK(r.x1 <= 200.0);
    }
  }
  CHECK(transfer_totals(timeline(m, 10, 10, 100)) == std::pair<std::int64_t, std::int64_t>{0, 0});
}

TEST_CASE("many tiny transfers fold like tasks: bounded rects, exact counts and bytes", "[viz][timeline]") {
  chunkscope::Trace t = fixtures::big_trace(100000, 2);
  t.meta.worker_devices = {"cuda:0", "host"};
  // 200,000 copies of 3..9 ns, both directions interleaved, in issue order.
  for (std::int64_t i = 0; i < 200000; ++i)
    fixtures::add_transfer(t, i / 2, i * 5, i * 5 + 3 + i % 7, 64 + i % 5, i % 3 != 0);
  t.meta.wall_ns = std::max<std::int64_t>(t.meta.wall_ns, 200000 * 5 + 10);
  const Model m(std::move(t), {});
  const auto wall = m.trace().meta.wall_ns;
  for (double width : {100.0, 1000.0, 3000.0}) {
    const Timeline tl = timeline(m, 0, wall, width);
    REQUIRE(tl.lanes.size() == 4);
    std::size_t transfer_rects = 0;
    bool folded = false;
    for (const auto& r : tl.rects)
      if (r.kind == RectKind::Transfer) {
        ++transfer_rects;
        CHECK(r.lane >= tl.task_lanes);
        if (r.count > 1) {
          folded = true;
          CHECK(r.transfer == -1);
          CHECK(r.task == -1);
          CHECK(r.layer >= 0);  // the layer of the tasks they fed
        }
      }
    CHECK(folded);
    CHECK(transfer_rects <= static_cast<size_t>(2 * (2 * width + 2)));
    CHECK(transfer_totals(tl) == transfers_in(m.trace(), 0, wall));
  }
  const std::int64_t t0 = wall / 2, t1 = wall / 2 + wall / 1000;
  CHECK(transfer_totals(timeline(m, t0, t1, 800.0)) == transfers_in(m.trace(), t0, t1));
}

TEST_CASE("transfer lanes name devices from worker_devices, then device_memory, else by index", "[viz][timeline]") {
  chunkscope::Trace t = fixtures::sample_trace();
  fixtures::add_transfer(t, 0, 0, 10, 8, true);
  fixtures::add_transfer(t, -1, 5, 10, 8, false);  // a copy feeding no known task
  t.transfers.device.back() = 2;
  SECTION("no names: device N") {
    const Model m(t, {});
    CHECK(m.device_name(1) == "device 1");
    CHECK(timeline(m, 0, 100, 10).lanes.back() ==
          "device 2 device\xE2\x86\x92"
          "host");
  }
  SECTION("device_memory names") {
    t.device_memory.resize(1);
    t.device_memory[0].device = "cuda:0";
    const Model m(t, {});
    CHECK(m.device_name(1) == "cuda:0");
    CHECK(m.device_name(2) == "device 2");
  }
  SECTION("worker_devices names (the host entry and repeats skipped)") {
    t.meta.worker_devices = {"cuda:1", "host", "cuda:1", "cuda:3"};
    const Model m(t, {});
    CHECK(m.device_name(1) == "cuda:1");
    CHECK(m.device_name(2) == "cuda:3");
    const Timeline tl = timeline(m, 0, 100, 1000.0);
    CHECK(tl.lanes[static_cast<size_t>(tl.task_lanes)] ==
          "cuda:1 host\xE2\x86\x92"
          "device");
    for (const auto& r : tl.rects)
      if (r.kind == RectKind::Transfer && r.transfer == 1) CHECK(r.layer == -1);
  }
}

TEST_CASE("the synthetic CUDA fixture shows device lanes and both transfer lanes", "[viz][timeline]") {
  const Model m = fixtures::cuda_fixture_model();
  const Timeline tl = timeline(m, 0, m.trace().meta.wall_ns, 800.0);
  CHECK(tl.lanes == std::vector<std::string>{"cuda:0 (worker 0)", "host (worker 1)",
                                             "cuda:0 host\xE2\x86\x92"
                                             "device",
                                             "cuda:0 device\xE2\x86\x92"
                                             "host"});
  CHECK(transfer_totals(tl) == transfers_in(m.trace(), 0, m.trace().meta.wall_ns));
}
