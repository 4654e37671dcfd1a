// Trace files: JSON <-> CBOR round trip, validation of bad traces, Chrome export.
#include "chunkscope/core/trace_io.hpp"

#include <catch2/catch.hpp>

#include "chunkscope/core/trace_summary.hpp"
#include "chunkscope/exec/cpu_executor.hpp"
#include "chunkscope/exec/recorder.hpp"
#include "serial_run.hpp"

using namespace chunkscope;

namespace {
Trace small_trace(int chunk = 8) {
  const Graph g = test::parse_or_throw(R"({"name": "rt", "layers": [
      {"id": "x", "op": "random", "shape": [32, 32], "chunks": )" +
                                       std::to_string(chunk) + R"(, "seed": 3, "group": "load"},
      {"id": "b", "op": "gaussian_filter", "input": "x", "sigma": 1, "group": "denoise"},
      {"id": "s", "op": "sum", "input": "b", "axis": 1, "group": "measure"}]})");
  CpuExecutor ex;
  Recorder rec("test");
  RunOptions o;
  o.threads = 2;
  o.observer = &rec;
  REQUIRE(ex.run(g, o).ok());
  return rec.trace();
}
}  // namespace

TEST_CASE("a trace survives JSON and CBOR round trips unchanged", "[trace]") {
  const Trace t = small_trace();
  const std::string json = write_trace_json(t);
  const std::string cbor = write_trace_cbor(t);
  CHECK(cbor.size() < json.size());
  auto a = read_trace_bytes(json, "a.cstrace.json");
  auto b = read_trace_bytes(cbor, "b.cstrace.cbor");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(trace_to_json(*a) == trace_to_json(t));
  CHECK(trace_to_json(*b) == trace_to_json(t));
  CHECK(a->tasks.size() == t.tasks.size());
  CHECK(a->layers[1].group == "denoise");
}

TEST_CASE("the compact encoding round-trips and is smaller than CBOR", "[trace][compact]") {
  const Trace t = small_trace(2);  // 256 chunks per layer: long columns
  const std::string cbor = write_trace_cbor(t);
  const std::string compact = write_trace_compact(t);
  CHECK(compact.size() * 3 < cbor.size() * 2);  // and it gzips ~3x further (the HTML page embeds it gzipped)
  auto c = read_trace_bytes(compact, "c.cstrace.pack");
  REQUIRE(c);
  CHECK(trace_to_json(*c) == trace_to_json(t));
}

TEST_CASE("a long chunk list or a long params array is not taken for a column", "[trace][compact]") {
  Trace t = small_trace();
  t.layers[0].params["slices"] = std::vector<std::int64_t>(100, 7);
  for (const std::string& bytes : {write_trace_json(t), write_trace_cbor(t), write_trace_compact(t)}) {
    auto r = read_trace_bytes(bytes, "p");
    REQUIRE(r);
    CHECK(r->layers[0].params["slices"].size() == 100);
  }
}

TEST_CASE("corrupt compact traces are refused with a message, never a crash", "[trace][compact]") {
  const std::string good = write_trace_compact(small_trace(4));
  // Every truncation and a byte flipped at many places: a failure or (rarely) a valid trace, never a crash.
  for (std::size_t n = 0; n < good.size(); n += std::max<std::size_t>(1, good.size() / 300)) {
    auto r = read_trace_bytes(good.substr(0, n), "cut.pack");
    if (!r) CHECK(r.error().rfind("cut.pack: ", 0) == 0);
  }
  CHECK_FALSE(read_trace_bytes(good.substr(0, good.size() - 1), "cut.pack"));
  for (std::size_t i = 8; i < good.size(); i += 37) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    auto r = read_trace_bytes(bad, "flip.pack");
    if (!r) CHECK(r.error().find("flip.pack") != std::string::npos);
  }
  // A header that claims an enormous column must not allocate it.
  std::string huge = good;
  auto r = read_trace_bytes(huge + std::string(3, '\xff'), "tail.pack");
  CHECK_FALSE(r);
}

TEST_CASE("trace records chunk shapes, workers and times per task", "[trace]") {
  const Trace t = small_trace();
  CHECK(t.meta.pipeline == "rt");
  CHECK(t.meta.threads == 2);
  REQUIRE(t.layers.size() == 3);
  CHECK(t.layers[0].chunks[0] == std::vector<std::int64_t>{8, 8, 8, 8});
  for (std::int64_t i = 0; i < t.tasks.size(); ++i) {
    CHECK(t.tasks.status[i] == 1);
    CHECK(t.tasks.worker[i] >= 0);
    CHECK(t.tasks.worker[i] < 2);
    CHECK(t.tasks.end_ns[i] >= t.tasks.start_ns[i]);
    for (auto e = t.tasks.dep_offsets[i]; e < t.tasks.dep_offsets[i + 1]; ++e) {
      const auto d = t.tasks.dep_index[e];
      CHECK(t.tasks.end_ns[d] <= t.tasks.start_ns[i]);  // inputs finished before the task began
    }
  }
  const TraceSummary s = summarize(t);
  CHECK(s.tasks_done == t.tasks.size());
  CHECK(s.critical_ns > 0);
  CHECK(s.critical_ns <= s.busy_ns);
  CHECK(t.memory.live_bytes.back() == 0);
  CHECK(t.memory.peak_bytes > 0);
}

TEST_CASE("bad traces are refused with a message naming the field", "[trace]") {
  const Trace t = small_trace();
  auto mutate = [&](auto&& f) {
    nlohmann::json j = trace_to_json(t);
    f(j);
    return read_trace_bytes(j.dump(), "bad.cstrace.json");
  };
  auto expect = [](const Result<Trace>& r, const std::string& part) {
    REQUIRE_FALSE(r);
    CHECK(r.error().find("bad.cstrace.json") != std::string::npos);
    CHECK(r.error().find(part) != std::string::npos);
  };
  expect(mutate([](auto& j) { j["version"] = 99; }), "version");
  expect(mutate([](auto& j) { j["format"] = "x"; }), "format");
  expect(mutate([](auto& j) { j["tasks"]["dep_index"][0] = 1000000; }), "dep_index");
  expect(mutate([](auto& j) { j["tasks"]["start_ns"][0] = -5; }), "start_ns");
  expect(mutate([](auto& j) { j["tasks"]["layer"][0] = 77; }), "tasks.layer");
  expect(mutate([](auto& j) { j["tasks"]["end_ns"].erase(0); }), "end_ns");
  expect(mutate([](auto& j) { j["tasks"]["status"][0] = 9; }), "status");
  expect(mutate([](auto& j) { j["layers"][0]["chunks"][0][0] = 1; }), "chunks");
  expect(mutate([](auto& j) { j["memory"]["peak_layer"] = "nope"; }), "peak_layer");
  expect(read_trace_bytes("", "bad.cstrace.json"), "empty");
  expect(read_trace_bytes("{\"format\": ", "bad.cstrace.json"), "JSON");
  expect(read_trace_bytes(std::string("\xa1\x01", 2), "bad.cstrace.json"), "CBOR");
  const std::string json = write_trace_json(t);
  expect(read_trace_bytes(json.substr(0, json.size() / 2), "bad.cstrace.json"), "JSON");
}

TEST_CASE("Chrome export has one complete event per task, counters and flows", "[trace][chrome]") {
  const Trace t = small_trace();
  const nlohmann::json c = trace_to_chrome(t);
  REQUIRE(c.contains("traceEvents"));
  std::int64_t x = 0, counters = 0, flows_s = 0, flows_f = 0;
  for (const auto& e : c["traceEvents"]) {
    REQUIRE(e.contains("ph"));
    REQUIRE(e.contains("pid"));
    const std::string ph = e["ph"];
    if (ph == "X") {
      ++x;
      CHECK(e["dur"].get<double>() >= 0);
      CHECK(e.contains("ts"));
      CHECK(e.contains("tid"));
    }
    counters += ph == "C";
    flows_s += ph == "s";
    flows_f += ph == "f";
  }
  CHECK(x == t.tasks.size());
  CHECK(counters == static_cast<std::int64_t>(t.memory.t_ns.size()));
  CHECK(flows_s == static_cast<std::int64_t>(t.tasks.dep_index.size()));
  CHECK(flows_s == flows_f);
  // Valid JSON text that parses back.
  CHECK(nlohmann::json::parse(c.dump())["traceEvents"].size() == c["traceEvents"].size());
}
