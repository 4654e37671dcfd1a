// validate(Trace) (core/src/trace.cpp): the one check of a trace's invariants, used by the trace
// readers and by code that builds a trace in memory; viz::Model relies on it (issue 19 item 4).
#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include "chunkscope/core/error.hpp"
#include "chunkscope/core/trace.hpp"

using namespace chunkscope;

namespace {

/// Two layers of 2 chunks each, 4 tasks over 2 workers, the second layer's tasks depending on the first's.
Trace valid_trace() {
  Trace t;
  t.meta.threads = 2;
  t.meta.wall_ns = 40;
  for (const char* id : {"a", "b"}) {
    TraceLayer l;
    l.id = id;
    if (l.id == "b") l.inputs = {"a"};
    l.shape = {4};
    l.chunks = {{2, 2}};
    l.tasks = 2;
    t.layers.push_back(l);
  }
  TraceTasks& c = t.tasks;
  for (int i = 0; i < 4; ++i) {
    c.layer.push_back(i / 2);
    c.stage.push_back(0);
    c.chunk.push_back(i % 2);
    c.worker.push_back(i % 2);
    c.start_ns.push_back(10 * i);
    c.end_ns.push_back(10 * i + 5);
    c.bytes.push_back(16);
    c.status.push_back(1);
    c.fused.push_back(0);
    if (i >= 2) c.dep_index.push_back(i - 2);
    c.dep_offsets.push_back(static_cast<std::int64_t>(c.dep_index.size()));
  }
  t.memory.t_ns = {0, 5, 40};
  t.memory.live_bytes = {0, 16, 0};
  t.memory.peak_bytes = 16;
  t.memory.peak_layer = 0;
  ResourceSeries s;
  s.process = "local";
  s.t_ns = {0, 10, 20};
  s.rss_bytes = {100, 200, 150};
  s.cpu_percent = {0, 180.5, 20};
  s.cores = 2;
  t.resources.processes.push_back(s);
  return t;
}

/// The message validate gives, or "" when the trace is valid.
template <class F>
std::string fault(F&& change) {
  Trace t = valid_trace();
  change(t);
  try {
    validate(t, "mem");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a consistent trace passes validate", "[core][trace]") {
  CHECK_NOTHROW(validate(valid_trace(), "mem"));
  CHECK_NOTHROW(validate(Trace{}, "empty"));
}

TEST_CASE("validate names the field of the first fault", "[core][trace]") {
  CHECK(fault([](Trace& t) { t.tasks.layer[1] = 99; }) ==
        "mem: field \"tasks.layer[1]\": refers to a layer that does not exist");
  CHECK(fault([](Trace& t) { t.tasks.bytes.pop_back(); }) ==
        "mem: field \"tasks.bytes\": has 3 entries but tasks.layer has 4");
  CHECK(fault([](Trace& t) { t.tasks.dep_index[0] = 100000; }) ==
        "mem: field \"tasks.dep_index[0]\": task 2 depends on task 100000, which is out of range (dependencies must "
        "come earlier)");
  CHECK(fault([](Trace& t) { t.tasks.worker[3] = 2147483647; }) ==
        "mem: field \"tasks.worker[3]\": worker 2147483647 is not one of the run's 2 (meta.threads), nor -1 for a task "
        "that never ran");
  CHECK(fault([](Trace& t) { t.tasks.worker[3] = -2; }).find("tasks.worker[3]") != std::string::npos);
  CHECK(fault([](Trace& t) { t.tasks.chunk[0] = 2; }) ==
        "mem: field \"tasks.chunk[0]\": chunk 2 is outside layer \"a\"'s chunk grid");
  CHECK(fault([](Trace& t) { t.tasks.end_ns[2] = 1; }) == "mem: field \"tasks.end_ns[2]\": ends before it starts");
  CHECK(fault([](Trace& t) { t.tasks.status[0] = 7; }) == "mem: field \"tasks.status[0]\": is not a status code (0-3)");
  CHECK(fault([](Trace& t) { t.tasks.dep_offsets.pop_back(); }) ==
        "mem: field \"tasks.dep_offsets\": must have one more entry than there are tasks");
  CHECK(fault([](Trace& t) { t.layers[1].id = "a"; }) == "mem: field \"layers[1].id\": \"a\" is used by two layers");
  CHECK(fault([](Trace& t) { t.layers[1].inputs = {"x"}; }) ==
        "mem: field \"layers[1].inputs\": refers to \"x\", which is not a layer of the trace");
  CHECK(fault([](Trace& t) {
          t.layers[0].chunks = {{2, 1}};
        }) == "mem: field \"layers[0].chunks\": axis 0 chunk sizes do not sum to the shape");
  CHECK(fault([](Trace& t) {
          t.layers[0].chunks = {{-1, 5}};
        }) == "mem: field \"layers[0].chunks[0]\": has a chunk size out of range (-1 along an axis of 4)");
  CHECK(fault([](Trace& t) { t.layers[0].chunks = {}; }) ==
        "mem: field \"layers[0].chunks\": must have one list per axis of shape");
  CHECK(fault([](Trace& t) { t.layers[0].tasks = 5; }) ==
        "mem: field \"layers[0].tasks\": claims 5 tasks but the trace has 4");
  CHECK(fault([](Trace& t) { t.memory.t_ns[2] = 1; }) == "mem: field \"memory.t_ns[2]\": goes back in time");
  CHECK(fault([](Trace& t) { t.memory.peak_layer = 2; }) ==
        "mem: field \"memory.peak_layer\": names a layer that does not exist");
  CHECK(fault([](Trace& t) {
          MemorySeries d;
          d.device = "cuda:0";
          d.t_ns = {0};
          t.device_memory.push_back(d);
        }) == "mem: field \"device_memory[0].live_bytes\": has 0 entries but t_ns has 1");
  CHECK(fault([](Trace& t) {
          t.transfers.task = {9};
          t.transfers.start_ns = t.transfers.end_ns = t.transfers.bytes = {0};
          t.transfers.to_device = {1};
          t.transfers.device = {1};
        }) == "mem: field \"transfers.task[0]\": is out of range");
  CHECK(fault([](Trace& t) { t.resources.processes[0].t_ns[1] = 30; }) ==
        "mem: field \"resources.processes[0].t_ns[2]\": goes back in time");
  CHECK(fault([](Trace& t) { t.resources.processes[0].cpu_percent[0] = -1; }) ==
        "mem: field \"resources.processes[0].cpu_percent[0]\": is negative");
  CHECK(fault([](Trace& t) { t.resources.processes[0].cpu_percent[0] = std::numeric_limits<double>::quiet_NaN(); }) ==
        "mem: field \"resources.processes[0].cpu_percent[0]\": must be a finite number");
  CHECK(fault([](Trace& t) { t.resources.processes[0].process.clear(); }) ==
        "mem: field \"resources.processes[0].process\": is empty");
}
