// Trace::resources (issue 20 item 2) in every encoding: written when there are samples, read back
// the same, bad input refused with the field named, and the legacy meta.extra.resources read into it.
#include <limits>

#include <catch2/catch.hpp>

#include "chunkscope/core/trace_io.hpp"

using namespace chunkscope;
using nlohmann::json;

namespace {

Trace small_trace() {
  Trace t;
  t.meta.threads = 2;
  t.meta.wall_ns = 100;
  TraceLayer l;
  l.id = "a";
  l.shape = {4};
  l.chunks = {{2, 2}};
  l.tasks = 2;
  t.layers.push_back(l);
  TraceTasks& c = t.tasks;
  for (int i = 0; i < 2; ++i) {
    c.layer.push_back(0);
    c.stage.push_back(0);
    c.chunk.push_back(i);
    c.worker.push_back(i);
    c.start_ns.push_back(10 * i);
    c.end_ns.push_back(10 * i + 5);
    c.bytes.push_back(16);
    c.status.push_back(1);
    c.fused.push_back(0);
    c.dep_offsets.push_back(0);
  }
  return t;
}

/// Two processes; `n` samples each (>= 32 makes the integer columns compact columns).
TraceResources resources(int n) {
  TraceResources r;
  r.interval_ns = 10'000'000;
  r.workers_in_process = true;
  for (const char* name : {"local", "tcp://127.0.0.1:34931"}) {
    ResourceSeries s;
    s.process = name;
    s.cores = 16;
    for (int i = 0; i < n; ++i) {
      s.t_ns.push_back(i * 3);
      s.rss_bytes.push_back((std::int64_t{1} << 32) + i * 4096);
      s.cpu_percent.push_back(i % 3 == 0 ? 100.0 : 12.5 * i);
    }
    r.processes.push_back(std::move(s));
  }
  return r;
}

void check_same(const TraceResources& a, const TraceResources& b) {
  CHECK(a.interval_ns == b.interval_ns);
  CHECK(a.workers_in_process == b.workers_in_process);
  REQUIRE(a.processes.size() == b.processes.size());
  for (size_t i = 0; i < a.processes.size(); ++i) {
    CHECK(a.processes[i].process == b.processes[i].process);
    CHECK(a.processes[i].t_ns == b.processes[i].t_ns);
    CHECK(a.processes[i].rss_bytes == b.processes[i].rss_bytes);
    CHECK(a.processes[i].cpu_percent == b.processes[i].cpu_percent);
    CHECK(a.processes[i].cores == b.processes[i].cores);
  }
}

/// The error of reading `doc` (JSON text), or "" when it reads.
std::string read_error(const json& doc) {
  const auto r = read_trace_bytes(doc.dump(), "t.json");
  return r ? "" : r.error();
}

}  // namespace

TEST_CASE("process resources round-trip through JSON, CBOR and the compact encoding", "[core][trace_io]") {
  for (int n : {3, 40}) {
    Trace t = small_trace();
    t.resources = resources(n);
    CHECK(write_trace_json(t) == trace_to_json(t).dump());
    for (const std::string& bytes : {write_trace_json(t), write_trace_cbor(t), write_trace_compact(t)}) {
      const auto back = read_trace_bytes(bytes, "t");
      REQUIRE(back);
      check_same(back->resources, t.resources);
      CHECK_FALSE(back->meta.extra.contains("resources"));
    }
    const auto from_doc = trace_from_json(trace_to_json(t), "t");
    REQUIRE(from_doc);
    check_same(from_doc->resources, t.resources);
  }
}

TEST_CASE("a trace without resources has no \"resources\" field", "[core][trace_io]") {
  const Trace t = small_trace();
  CHECK_FALSE(trace_to_json(t).contains("resources"));
  const auto back = read_trace_bytes(write_trace_json(t), "t");
  REQUIRE(back);
  CHECK(back->resources.empty());
}

TEST_CASE("cpu_percent written as whole numbers in a hand-made file reads back", "[core][trace_io]") {
  json doc = trace_to_json(small_trace());
  json cpu = json::array();
  json t = json::array();
  json rss = json::array();
  for (int i = 0; i < 40; ++i) cpu.push_back(100), t.push_back(i), rss.push_back(1000);
  doc["resources"] = {{"processes", {{{"process", "local"}, {"t_ns", t}, {"rss_bytes", rss}, {"cpu_percent", cpu}}}}};
  const auto back = read_trace_bytes(doc.dump(), "t.json");
  REQUIRE(back);
  REQUIRE(back->resources.processes.size() == 1);
  CHECK(back->resources.processes[0].cpu_percent == std::vector<double>(40, 100.0));
  CHECK(back->resources.processes[0].cores == 0);
  CHECK(back->resources.interval_ns == 0);
}

TEST_CASE("bad process resources are refused with the field named", "[core][trace_io]") {
  Trace t = small_trace();
  t.resources = resources(3);
  const json good = trace_to_json(t);
  const auto with = [&](const std::string& pointer, const json& value) {
    json d = good;
    d[json::json_pointer(pointer)] = value;
    return read_error(d);
  };
  CHECK(with("/resources/processes/0/rss_bytes", {1, 2}) ==
        "t.json: field \"resources.processes[0].rss_bytes\": has 2 entries but t_ns has 3");
  CHECK(with("/resources/processes/1/cpu_percent", {1.0}) ==
        "t.json: field \"resources.processes[1].cpu_percent\": has 1 entries but t_ns has 3");
  CHECK(with("/resources/processes/0/t_ns", {0, 5, 4}) ==
        "t.json: field \"resources.processes[0].t_ns[2]\": goes back in time");
  CHECK(with("/resources/processes/0/rss_bytes/1", -1) ==
        "t.json: field \"resources.processes[0].rss_bytes[1]\": is negative");
  CHECK(with("/resources/processes/0/cpu_percent/0", -0.5) ==
        "t.json: field \"resources.processes[0].cpu_percent[0]\": is negative");
  CHECK(with("/resources/processes/0/cpu_percent/0", "high") ==
        "t.json: field \"resources.processes[0].cpu_percent[0]\": must be a number, got string");
  CHECK(with("/resources/processes/0/cpu_percent/0", nullptr) ==
        "t.json: field \"resources.processes[0].cpu_percent[0]\": must be a number, got null");
  CHECK(with("/resources/processes/1/process", "local") ==
        "t.json: field \"resources.processes[1].process\": \"local\" is named twice");
  CHECK(with("/resources/processes/0/process", nullptr) ==
        "t.json: field \"resources.processes[0].process\": must be a string, got null");
  CHECK(with("/resources/processes/0/process", "") == "t.json: field \"resources.processes[0].process\": is empty");
  CHECK(with("/resources/processes/0/cores", -2) == "t.json: field \"resources.processes[0].cores\": is out of range");
  CHECK(with("/resources/interval_ns", -1) == "t.json: field \"resources.interval_ns\": is negative");
  CHECK(with("/resources/workers_in_process", 1) ==
        "t.json: field \"resources.workers_in_process\": must be true or false, got 1");
  CHECK(with("/resources/processes", json::object()) == "t.json: field \"resources.processes\": must be an array");
  CHECK(with("/resources", 3) == "t.json: field \"resources\": must be an object");
  // Not finite: CBOR can hold an infinity where JSON cannot.
  json d = good;
  d["resources"]["processes"][0]["cpu_percent"][2] = std::numeric_limits<double>::infinity();
  const std::vector<std::uint8_t> cbor = json::to_cbor(d);
  const auto r = read_trace_bytes(std::string(cbor.begin(), cbor.end()), "t.cbor");
  REQUIRE_FALSE(r);
  CHECK(r.error() == "t.cbor: field \"resources.processes[0].cpu_percent[2]\": must be a finite number");
}

TEST_CASE("the legacy meta.extra.resources of Dask captures reads into Trace::resources", "[core][trace_io]") {
  json doc = trace_to_json(small_trace());
  doc["meta"]["extra"]["resources"] = {
      {"interval_ns", 10000000},
      {"workers_in_process", false},
      {"processes",
       {{"local", {{"t_ns", {0, 10}}, {"rss_bytes", {100, 200}}, {"cpu_percent", {0.0, 95.5}}, {"cores", 8}}},
        {"tcp://10.0.0.2:4000", {{"t_ns", {3}}, {"rss_bytes", {50}}, {"cpu_percent", {12.5}}, {"cores", 8}}}}}};
  doc["meta"]["extra"]["other"] = 1;
  const auto back = read_trace_bytes(doc.dump(), "old.json");
  REQUIRE(back);
  const TraceResources& r = back->resources;
  CHECK(r.interval_ns == 10000000);
  CHECK_FALSE(r.workers_in_process);
  REQUIRE(r.processes.size() == 2);
  CHECK(r.processes[0].process == "local");
  CHECK(r.processes[0].t_ns == std::vector<std::int64_t>{0, 10});
  CHECK(r.processes[0].rss_bytes == std::vector<std::int64_t>{100, 200});
  CHECK(r.processes[0].cpu_percent == std::vector<double>{0.0, 95.5});
  CHECK(r.processes[0].cores == 8);
  CHECK(r.processes[1].process == "tcp://10.0.0.2:4000");
  // Read once: written back in the typed place only.
  CHECK_FALSE(back->meta.extra.contains("resources"));
  CHECK(back->meta.extra["other"] == 1);
  const json again = trace_to_json(*back);
  CHECK(again["resources"]["processes"][1]["process"] == "tcp://10.0.0.2:4000");
  CHECK_FALSE(again["meta"]["extra"].contains("resources"));

  // A fault is named where the series now is (the typed field); one in the form names the old place.
  doc["meta"]["extra"]["resources"]["processes"]["local"]["rss_bytes"] = {100};
  CHECK(read_error(doc) == "t.json: field \"resources.processes[0].rss_bytes\": has 1 entries but t_ns has 2");
  doc["meta"]["extra"]["resources"]["processes"]["local"]["rss_bytes"] = "many";
  CHECK(read_error(doc) == "t.json: field \"meta.extra.resources.processes.local.rss_bytes\": must be an array");
}
