// write_trace_json writes the trace's text directly (core/src/trace_json_text.cpp): the same bytes
// as the document's dump, and they read back.
#include <catch2/catch.hpp>

#include "chunkscope/core/trace_io.hpp"

using namespace chunkscope;

namespace {

Trace odd_trace() {
  Trace t;
  t.meta.tool_version = "0.1";
  t.meta.pipeline = "p \"quoted\" \\ back\tslash\n µs →";
  t.meta.start_time = "2026-12-06T00:00:00Z";
  t.meta.error = std::string("ctrl \x01\x1f", 7);
  t.meta.threads = 3;
  t.meta.memory_limit = 1 << 20;
  t.meta.wall_ns = 12345;
  t.meta.extra = {{"worker_devices", {"cuda:0", "host"}}, {"z", 1.5}, {"a", nullptr}};
  for (int i = 0; i < 3; ++i) {
    TraceLayer l;
    l.id = "l" + std::to_string(i);
    l.name = i == 1 ? "" : "name " + l.id;
    l.op = i ? "negative" : "random";
    l.kind = i ? "elementwise" : "source";
    l.group = i == 2 ? "a/b" : "";
    if (i) l.inputs = {"l" + std::to_string(i - 1)};
    l.shape = {4, 6};
    l.chunks = {{2, 2}, {3, 3}};
    l.tasks = 4;
    if (i == 1) l.params = {{"input", "l0"}, {"sigma", {1.25, 2}}};
    l.inserted = i == 2;
    if (i == 0) l.pushed_into = "l1";
    t.layers.push_back(l);
  }
  TraceTasks& c = t.tasks;
  for (int i = 0; i < 12; ++i) {
    c.layer.push_back(i / 4);
    c.stage.push_back(0);
    c.chunk.push_back(i % 4);
    c.worker.push_back(i % 3 - (i == 11 ? 3 : 0));
    c.start_ns.push_back(10 * i);
    c.end_ns.push_back(10 * i + (i == 11 ? 0 : 5));
    c.bytes.push_back(48);
    c.status.push_back(i == 11 ? 0 : 1);
    c.fused.push_back(i == 5 ? 1 : 0);
    if (i >= 4) c.dep_index.push_back(i - 4);
    c.dep_offsets.push_back(static_cast<std::int64_t>(c.dep_index.size()));
  }
  t.memory.t_ns = {0, 5, 10};
  t.memory.live_bytes = {0, 48, 0};
  t.memory.peak_bytes = 48;
  t.memory.peak_t_ns = 5;
  t.memory.peak_layer = 1;
  MemorySeries d;
  d.device = "cuda:0";
  d.t_ns = {0, 1};
  d.live_bytes = {0, 8};
  d.limit_bytes = 1 << 30;
  t.device_memory.push_back(d);
  t.transfers.task = {2, -1};
  t.transfers.start_ns = {1, 2};
  t.transfers.end_ns = {2, 3};
  t.transfers.bytes = {48, 8};
  t.transfers.to_device = {1, 0};
  t.transfers.device = {1, 1};
  return t;
}

}  // namespace

TEST_CASE("write_trace_json gives the document's text without building it", "[core][trace_json_text]") {
  const Trace t = odd_trace();
  CHECK(write_trace_json(t) == trace_to_json(t).dump());
  CHECK(write_trace_json(Trace{}) == trace_to_json(Trace{}).dump());
  const auto back = read_trace_bytes(write_trace_json(t), "t.json");
  REQUIRE(back);
  CHECK(back->layers.size() == 3);
  CHECK(back->meta.pipeline == t.meta.pipeline);
  CHECK(back->tasks.worker == t.tasks.worker);
}

TEST_CASE("write_trace_json refuses text that is not UTF-8, as the document's dump does", "[core][trace_json_text]") {
  Trace t = odd_trace();
  t.layers[0].id = "x\xff";
  CHECK_THROWS_AS(write_trace_json(t), nlohmann::json::exception);
}
