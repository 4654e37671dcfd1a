#include "chunkscope/viz/json.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include "viz_fixtures.hpp"

using namespace chunkscope::viz;

TEST_CASE("model_summary carries layers, groups, findings and run facts", "[viz][json]") {
  const Model m = fixtures::sample_model();
  const auto j = model_summary(m);
  CHECK(j["layers"].size() == 5);
  CHECK(j["layers"][0]["id"] == "img");
  CHECK(j["layers"][0]["chunk_shape"] == nlohmann::json::array({128, 128}));
  CHECK(j["groups"].size() == 5);
  CHECK(j["groups"][0]["path"] == "");
  REQUIRE(j["findings"].size() == 2);
  CHECK(j["findings"][1]["severity"] == "critical");
  CHECK(j["findings"][0]["evidence"][0]["unit"] == "B");
  CHECK(j["meta"]["tasks"] == m.trace().tasks.size());
  CHECK(j["meta"]["peak_bytes"] == m.trace().memory.peak_bytes);
  CHECK(j["meta"]["threads"] == 4);
}

TEST_CASE("view structs serialise with their member names", "[viz][json]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.toggle_layer("rc");
  const auto g = to_json(visible_graph(m, v, 4));
  CHECK(g["nodes"][2]["kind"] == "heatmap");
  CHECK(g["clusters"][0]["key"] == "cluster_l:rc");
  const auto tl = to_json(timeline(m, 0, m.trace().meta.wall_ns, 100));
  CHECK(tl["lanes"].size() == 4);
  CHECK(tl["rects"][0].contains("count"));
  CHECK(tl["rects"][0]["kind"] == "task");
  CHECK(tl["rects"][0]["transfer"] == -1);
  CHECK(tl["rects"][0]["bytes"] == 0);
  CHECK(tl["task_lanes"] == 4);
  const auto grid = to_json(chunk_grid(m, m.find_layer("mean"), GridColor::Duration));
  CHECK(grid["rows"] == 1);
  chunkscope::testing::TraceBuilder b(1);
  b.layer("x", "random", "source", {}, {2}, {1});
  b.task(0, 0, 10, 8);
  const auto sparse = to_json(chunk_grid(Model(b.done(), {}), 0, GridColor::Bytes));
  CHECK(sparse["values"][1].is_null());
  CHECK(to_json(task_info(m, 0))["layer"] == "img");
  CHECK(to_json(memory_view(m, 0, 100, 2))["t_ns"].size() == 4);
  Scene s;
  s.edges.push_back({});
  CHECK(to_json(s)["edges"][0]["arrow"].is_null());
}

TEST_CASE("transfer rects and transfer info serialise with their member names", "[viz][json]") {
  const Model m(fixtures::sample_cuda_trace(), {});
  const auto tl = to_json(timeline(m, 0, m.trace().meta.wall_ns, 1e6));
  CHECK(tl["lanes"].size() == 6);
  CHECK(tl["task_lanes"] == 4);
  const auto& rects = tl["rects"];
  const auto it = std::find_if(rects.begin(), rects.end(), [](const auto& r) { return r["kind"] == "transfer"; });
  REQUIRE(it != rects.end());
  const auto& r = *it;
  CHECK(r["lane"] == 4);
  CHECK(r["transfer"].get<std::int64_t>() >= 0);
  CHECK(r["bytes"] == m.trace().transfers.bytes[r["transfer"].get<size_t>()]);
  CHECK(r["task"] == m.trace().transfers.task[r["transfer"].get<size_t>()]);
  const auto info = to_json(transfer_info(m, 0));
  CHECK(info["device"] == "cuda:0");
  CHECK(info["to_device"] == true);
  CHECK(info["direction"] ==
        "host\xE2\x86\x92"
        "device");
  CHECK(info["layer"] == "blur");
  for (const char* k : {"bytes", "start_ns", "duration_ns", "task", "chunk_index"}) CHECK(info.contains(k));
}
