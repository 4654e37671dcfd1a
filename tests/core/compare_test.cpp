// Comparing two runs (core/src/compare.cpp): matching layers, change texts, regressions.
#include "chunkscope/core/compare.hpp"

#include <catch2/catch.hpp>

using namespace chunkscope;

namespace {

/// A one-worker trace: one task per layer id, each `task_ns` long, one after another; the live
/// memory rises to `peak` during the last task.
Trace make_trace(const std::vector<std::pair<std::string, std::string>>& id_op, std::int64_t task_ns, std::int64_t peak,
                 std::int64_t chunk = 10) {
  Trace t;
  t.meta.pipeline = "p";
  std::int64_t now = 0;
  for (size_t k = 0; k < id_op.size(); ++k) {
    TraceLayer l;
    l.id = l.name = id_op[k].first;
    l.op = id_op[k].second;
    l.shape = {100};
    l.chunks = {std::vector<std::int64_t>(static_cast<size_t>(100 / chunk), chunk)};
    l.tasks = 1;
    t.layers.push_back(l);
    t.tasks.layer.push_back(static_cast<std::int32_t>(k));
    t.tasks.stage.push_back(0);
    t.tasks.chunk.push_back(0);
    t.tasks.worker.push_back(0);
    t.tasks.start_ns.push_back(now);
    t.tasks.end_ns.push_back(now + task_ns);
    t.tasks.bytes.push_back(chunk * 8);
    t.tasks.status.push_back(1);
    t.tasks.fused.push_back(0);
    t.tasks.dep_offsets.push_back(0);
    now += task_ns;
  }
  t.meta.wall_ns = now;
  t.memory.t_ns = {0, now - 1};
  t.memory.live_bytes = {1, peak};
  t.memory.peak_bytes = peak;
  t.memory.peak_t_ns = now - 1;
  return t;
}

}  // namespace

TEST_CASE("relative_change_text: percents near 1x, factors beyond 2x, no +25500%", "[core][compare]") {
  CHECK(relative_change_text(100, 112) == "+12%");
  CHECK(relative_change_text(100, 40) == "-60%");
  CHECK(relative_change_text(100, 100) == "0%");
  CHECK(relative_change_text(1, 256) == "256×");
  CHECK(relative_change_text(2, 5) == "2.5×");
  CHECK(relative_change_text(1, 5e6) == ">1000×");
  CHECK(relative_change_text(0, 5) == "new");
  CHECK(relative_change_text(5, 0) == "gone");
  CHECK(relative_change_text(0, 0).empty());
}

TEST_CASE("compare_traces: a run against itself has no changes and no regressions", "[core][compare]") {
  const Trace a = make_trace({{"x", "random"}, {"y", "add"}}, 5'000'000, 64 << 20);
  const TraceComparison c = compare_traces(a, a);
  CHECK(c.regressions == 0);
  REQUIRE(c.layers.size() == 2);
  CHECK(c.layers[0].matched_by == "id");
  CHECK(c.layers[1].busy_ns.change() == 0);
  CHECK(comparison_table(c).find("no regressions") != std::string::npos);
}

TEST_CASE("compare_traces: layers matched by id, then name, then op; the rest only in one run", "[core][compare]") {
  const Trace a = make_trace({{"x", "random"}, {"y", "add"}, {"z", "sum"}}, 1000, 100);
  const Trace b = make_trace({{"x", "random"}, {"y2", "add"}, {"w", "transpose"}}, 1000, 100, 20);
  const TraceComparison c = compare_traces(a, b);
  REQUIRE(c.layers.size() == 4);
  CHECK(c.layers[0].matched_by == "id");
  CHECK(c.layers[0].chunk_shape_a == "10");
  CHECK(c.layers[0].chunk_shape_b == "20");
  CHECK(c.layers[1].matched_by == "op");
  CHECK(c.layers[1].id_b == "y2");
  CHECK(c.layers[2].id_a == "z");
  CHECK(c.layers[2].layer_b == -1);
  CHECK(c.layers[3].id_b == "w");
  CHECK(c.layers[3].layer_a == -1);
  const std::string table = comparison_table(c);
  CHECK(table.find("y → y2") != std::string::npos);
  CHECK(table.find("z (only before)") != std::string::npos);
  CHECK(table.find("w (only after)") != std::string::npos);
  const auto j = comparison_to_json(c);
  CHECK(j["layers"][2]["id_after"].is_null());
  CHECK(j["layers"][1]["matched_by"] == "op");
}

TEST_CASE("compare_traces: regressions need a relative and an absolute change", "[core][compare]") {
  // Time: 10 ms -> 30 ms per layer is a regression; 10 µs -> 30 µs (tiny) is not.
  const TraceComparison slow = compare_traces(make_trace({{"x", "random"}}, 10'000'000, 1 << 20),
                                              make_trace({{"x", "random"}}, 30'000'000, 1 << 20));
  CHECK(slow.layers[0].busy_ns.regression);
  CHECK(slow.wall_ns.regression);
  CHECK(slow.regressions == 2);
  CHECK(comparison_table(slow).find("+20.0 ms (3.0×)") != std::string::npos);
  const TraceComparison tiny =
      compare_traces(make_trace({{"x", "random"}}, 10'000, 1 << 20), make_trace({{"x", "random"}}, 30'000, 1 << 20));
  CHECK(tiny.regressions == 0);
  // Memory: 64 MiB -> 256 MiB is; 20 KiB -> 4 MiB (the tiny-chunks fix) is not.
  const TraceComparison big =
      compare_traces(make_trace({{"x", "random"}}, 1000, 64 << 20), make_trace({{"x", "random"}}, 1000, 256 << 20));
  CHECK(big.peak_bytes.regression);
  const TraceComparison small =
      compare_traces(make_trace({{"x", "random"}}, 1000, 20 << 10), make_trace({{"x", "random"}}, 1000, 4 << 20));
  CHECK_FALSE(small.peak_bytes.regression);
  CHECK(comparison_table(small).find("205×") != std::string::npos);
}

TEST_CASE("compare_traces: improvements need the same margins, and the JSON carries them with change texts",
          "[core][compare]") {
  // 30 ms -> 10 ms per layer is an improvement; 30 µs -> 10 µs (tiny) is neither.
  const TraceComparison fast = compare_traces(make_trace({{"x", "random"}}, 30'000'000, 1 << 20),
                                              make_trace({{"x", "random"}}, 10'000'000, 1 << 20));
  CHECK(fast.layers[0].busy_ns.improvement);
  CHECK_FALSE(fast.layers[0].busy_ns.regression);
  CHECK(fast.regressions == 0);
  CHECK(change_text(fast.layers[0].busy_ns, "ns") == "-20.0 ms (-67%)");
  const TraceComparison tiny =
      compare_traces(make_trace({{"x", "random"}}, 30'000, 1 << 20), make_trace({{"x", "random"}}, 10'000, 1 << 20));
  CHECK_FALSE(tiny.layers[0].busy_ns.improvement);
  const nlohmann::json j = comparison_to_json(fast);
  const nlohmann::json& busy = j["layers"][0]["busy_ns"];
  CHECK(busy["improvement"] == true);
  CHECK(busy["change_text"] == "-20.0 ms (-67%)");
  CHECK(j["layers"][0]["layer_before"] == 0);
  CHECK(j["layers"][0]["layer_after"] == 0);
  CHECK(j["run"]["tasks"]["change_text"] == "0");
}
