#include "chunkscope/viz/memory.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/viz/json.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope::viz;

TEST_CASE("the memory envelope keeps the peak and has two points per column", "[viz][memory]") {
  chunkscope::Trace t = fixtures::sample_trace();
  t.memory.limit_bytes = 1 << 30;
  const Model m(t, {});
  const auto wall = m.trace().meta.wall_ns;
  const MemoryView v = memory_view(m, 0, wall, 50);
  CHECK(v.t_ns.size() == 100);
  CHECK(v.bytes.size() == 100);
  CHECK(v.limit == 1 << 30);
  CHECK(v.peak == m.trace().memory.peak_bytes);
  CHECK(v.peak_layer == m.trace().layers[static_cast<size_t>(m.trace().memory.peak_layer)].id);
  double hi = 0;
  for (size_t i = 0; i < v.bytes.size(); i += 2) {
    CHECK(v.bytes[i] <= v.bytes[i + 1]);
    CHECK(v.t_ns[i] == v.t_ns[i + 1]);
    if (i) CHECK(v.t_ns[i] > v.t_ns[i - 2]);
    hi = std::max(hi, v.bytes[i + 1]);
  }
  CHECK(hi == static_cast<double>(v.peak));  // the envelope never loses the peak
  CHECK(v.bytes.front() == 0);
}

TEST_CASE("a memory window in a flat stretch is flat", "[viz][memory]") {
  chunkscope::Trace t;
  t.memory.t_ns = {0, 100, 200};
  t.memory.live_bytes = {0, 50, 10};
  const Model m(t, {});
  const MemoryView v = memory_view(m, 120, 180, 3);
  CHECK(v.bytes == std::vector<double>{50, 50, 50, 50, 50, 50});
  const MemoryView w = memory_view(m, 0, 300, 3);  // columns [0,100) [100,200) [200,300)
  CHECK(w.bytes == std::vector<double>{0, 0, 50, 50, 10, 10});
  CHECK(memory_view(m, 5, 5, 10).t_ns.empty());
}

TEST_CASE("a trace without device series has no device curves and the JSON it had", "[viz][memory]") {
  const Model m = fixtures::sample_model();
  const auto wall = m.trace().meta.wall_ns;
  const MemoryView v = memory_view(m, 0, wall, 40);
  CHECK(v.devices.empty());
  CHECK(v.device == "host");
  // The document of a CPU trace: exactly the six fields it always had, no "devices" and no "device".
  const nlohmann::json before{{"t_ns", v.t_ns}, {"bytes", v.bytes},   {"limit", v.limit},
                              {"peak", v.peak}, {"peak_t", v.peak_t}, {"peak_layer", v.peak_layer}};
  CHECK(to_json(v).dump() == before.dump());
}

TEST_CASE("device curves: one per series, named, on the host's columns, bounded, peak kept", "[viz][memory]") {
  chunkscope::Trace t = fixtures::sample_cuda_trace();
  const auto wall = t.meta.wall_ns;
  const Model cpu(t, {});
  const int thr = t.find_layer("thr");
  REQUIRE(wall / 200000 >= 2);  // room for the 1 ns spike between two changes
  // 200,000 changes on cuda:0 with a 1 ns spike (the peak) that a column could easily skip; a
  // second, nameless series is named like its transfers would be (device 2: no worker_devices entry).
  fixtures::add_device_memory(t, "cuda:0", 200000, wall / 200000, 5 << 20, 123457, thr, 6 << 20);
  fixtures::add_device_memory(t, "", 1000, wall / 1000, 1 << 20, 10, -1, 0);
  const Model m(t, {});
  for (int width : {1, 7, 333, 1000}) {
    const MemoryView v = memory_view(m, 0, wall, width);
    REQUIRE(v.devices.size() == 2);
    CHECK(v.devices[0].device == "cuda:0");
    CHECK(v.devices[1].device == "device 2");
    CHECK(v.t_ns == memory_view(cpu, 0, wall, width).t_ns);
    CHECK(v.bytes == memory_view(cpu, 0, wall, width).bytes);  // the host curve does not change
    for (const MemoryCurve& d : v.devices) {
      CHECK(d.t_ns == v.t_ns);  // same columns: the charts share the timeline's time axis
      CHECK(d.bytes.size() == 2 * static_cast<size_t>(width));
      double hi = 0;
      for (size_t i = 0; i < d.bytes.size(); i += 2) {
        CHECK(d.bytes[i] <= d.bytes[i + 1]);
        hi = std::max(hi, d.bytes[i + 1]);
      }
      CHECK(hi == static_cast<double>(d.peak));  // the peak survives every width
    }
    const MemoryCurve& d = v.devices[0];
    CHECK(d.peak == 5 << 20);
    CHECK(d.limit == 6 << 20);
    CHECK(d.peak_layer == "thr");
    CHECK(d.peak_t == m.trace().device_memory[0].peak_t_ns);
    CHECK(v.devices[1].peak_layer.empty());
    CHECK(v.devices[1].limit == 0);
  }
  // Zoomed in before the first change: zero; a window without points still has names and peaks.
  const MemoryView early = memory_view(m, 0, 5, 5);
  CHECK(early.devices[0].bytes == std::vector<double>(10, 0.0));
  const MemoryView none = memory_view(m, 9, 9, 100);
  REQUIRE(none.devices.size() == 2);
  CHECK(none.devices[0].t_ns.empty());
  CHECK(none.devices[0].peak == 5 << 20);
  CHECK(none.devices[0].device == "cuda:0");
}

TEST_CASE("a zoomed device window is exact: flat stretches flat, changes inside a column kept", "[viz][memory]") {
  chunkscope::Trace t;
  t.memory.t_ns = {0, 100, 200};
  t.memory.live_bytes = {0, 50, 10};
  chunkscope::MemorySeries d;
  d.device = "cuda:1";
  d.t_ns = {0, 40, 150, 151, 260};
  d.live_bytes = {5, 70, 900, 20, 0};
  d.peak_bytes = 900;
  d.peak_t_ns = 150;
  t.device_memory.push_back(d);
  const Model m(t, {});
  const MemoryView v = memory_view(m, 0, 300, 3);  // columns [0,100) [100,200) [200,300)
  CHECK(v.bytes == std::vector<double>{0, 0, 50, 50, 10, 10});
  REQUIRE(v.devices.size() == 1);
  CHECK(v.devices[0].device == "cuda:1");
  CHECK(v.devices[0].bytes == std::vector<double>{5, 70, 20, 900, 0, 20});
  CHECK(memory_view(m, 160, 250, 3).devices[0].bytes == std::vector<double>{20, 20, 20, 20, 20, 20});
}

TEST_CASE("device curves serialise with their member names", "[viz][memory][json]") {
  chunkscope::Trace t = fixtures::sample_cuda_trace();
  fixtures::add_device_memory(t, "cuda:0", 100, 100, 4096, 50, t.find_layer("blur"), 1 << 20);
  const Model m(t, {});
  const auto j = to_json(memory_view(m, 0, t.meta.wall_ns, 10));
  REQUIRE(j["devices"].size() == 1);
  const auto& d = j["devices"][0];
  CHECK(d["device"] == "cuda:0");
  CHECK(d["t_ns"].size() == 20);
  CHECK(d["bytes"].size() == 20);
  CHECK(d["limit"] == 1 << 20);
  CHECK(d["peak"] == 4096);
  CHECK(d["peak_layer"] == "blur");
  CHECK(d["peak_t"] == m.trace().device_memory[0].peak_t_ns);
  CHECK(!j.contains("device"));  // the host keeps its six fields
}

// The model relies on a valid trace: validate (core), which the readers call, refuses it (issue 19 item 4).
TEST_CASE("a device series with columns of different lengths is refused by validate", "[viz][memory]") {
  chunkscope::Trace t = fixtures::sample_trace();
  chunkscope::MemorySeries d;
  d.device = "cuda:0";
  d.t_ns = {0, 1};
  d.live_bytes = {0};
  t.device_memory.push_back(d);
  CHECK_THROWS_WITH(chunkscope::validate(t, "t"), Catch::Contains("device_memory[0]"));
}

TEST_CASE("the synthetic CUDA fixture has a cuda:0 curve with its peak, layer and limit", "[viz][memory]") {
  const Model m = fixtures::cuda_fixture_model();
  const MemoryView v = memory_view(m, 0, m.trace().meta.wall_ns, 300);
  REQUIRE(v.devices.size() == 1);
  const MemoryCurve& d = v.devices[0];
  const chunkscope::MemorySeries& s = m.trace().device_memory[0];
  CHECK(d.device == "cuda:0");
  CHECK(d.peak == s.peak_bytes);
  CHECK(d.limit == s.limit_bytes);
  CHECK(d.limit > 0);
  CHECK(d.peak_layer == m.layers()[static_cast<size_t>(s.peak_layer)].id);
  CHECK(*std::max_element(d.bytes.begin(), d.bytes.end()) == static_cast<double>(s.peak_bytes));
  CHECK(v.peak == m.trace().memory.peak_bytes);
}
