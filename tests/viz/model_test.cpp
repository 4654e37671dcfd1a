#include <catch2/catch.hpp>

#include "chunkscope/core/limits.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::viz;

TEST_CASE("groups form a tree from nested group paths", "[viz][model]") {
  const Model m = fixtures::sample_model();
  const auto& g = m.groups();
  REQUIRE(g.size() == 5);  // root, load, denoise, denoise/blur, stats
  CHECK(g[0].path == "");
  CHECK(g[0].parent == -1);
  const int denoise = m.find_group("denoise"), blur = m.find_group("denoise/blur");
  REQUIRE(denoise > 0);
  REQUIRE(blur > 0);
  CHECK(g[static_cast<size_t>(blur)].parent == denoise);
  CHECK(g[static_cast<size_t>(blur)].name == "blur");
  CHECK(g[static_cast<size_t>(denoise)].groups == std::vector<int>{blur});
  CHECK(m.group_of_layer(m.find_layer("blur")) == blur);
  CHECK(m.group_of_layer(m.find_layer("thr")) == denoise);
  CHECK(m.group_of_layer(m.find_layer("rc")) == 0);  // top level
  CHECK(g[0].layers == std::vector<int>{m.find_layer("rc")});
  CHECK(m.find_group("nope") == -1);
  CHECK(m.ancestors_of_layer(m.find_layer("blur")) == std::vector<int>{denoise, blur});
}

TEST_CASE("layer stats add up to the run", "[viz][model]") {
  const Model m = fixtures::sample_model();
  const auto& L = m.layers();
  const LayerStats& img = L[static_cast<size_t>(m.find_layer("img"))];
  CHECK(img.chunks == 64);
  CHECK(img.tasks == 64);
  CHECK(img.chunk_shape == Shape{128, 128});
  CHECK(img.chunk_bytes == 128 * 128 * 8);
  CHECK(img.busy_ns == 64 * 20000);
  CHECK(img.bytes_out == 64 * 128 * 128 * 8);
  CHECK(img.main_worker >= 0);
  CHECK(img.severity == 1);
  CHECK(img.findings == 1);
  const LayerStats& mean = L[static_cast<size_t>(m.find_layer("mean"))];
  CHECK(mean.chunks == 1);
  CHECK(mean.tasks == 32 + 4 + 1);  // partials, one tree level, the output
  CHECK(L[static_cast<size_t>(m.find_layer("rc"))].severity == 2);
  CHECK(L[static_cast<size_t>(m.find_layer("blur"))].severity == -1);
  double share = 0;
  std::int64_t busy = 0;
  for (const auto& s : L) share += s.time_share, busy += s.busy_ns;
  CHECK(share == Approx(1.0));
  CHECK(busy == m.busy_ns());
  // Memory held at the peak adds up to the peak of the timeline.
  std::int64_t held = 0;
  for (const auto& s : L) held += s.peak_held_bytes;
  CHECK(held == m.trace().memory.peak_bytes);
  // The critical path ends in the reduction and its time is positive.
  CHECK(mean.critical_ns > 0);
}

TEST_CASE("lanes hold each worker's tasks sorted by start", "[viz][model]") {
  const Model m = fixtures::sample_model();
  REQUIRE(m.lane_workers() == std::vector<int>{0, 1, 2, 3});
  std::size_t total = 0;
  for (int lane = 0; lane < 4; ++lane) {
    const auto& ids = m.lane_tasks(lane);
    total += ids.size();
    for (size_t k = 1; k < ids.size(); ++k)
      CHECK(m.trace().tasks.start_ns[ids[k - 1]] <= m.trace().tasks.start_ns[ids[k]]);
  }
  CHECK(total == static_cast<size_t>(m.trace().tasks.size()));
  // Fan-in of the rechunk from thr is 8 input chunks per output chunk.
  const auto& fan = m.fan_in(m.find_layer("rc"));
  REQUIRE(fan.size() == 1);
  CHECK(fan[0].input == m.find_layer("thr"));
  CHECK(fan[0].fan_in == 8);
}

TEST_CASE("colour-by names round-trip", "[viz][model]") {
  for (int i = 0; i < 7; ++i) {
    const auto c = static_cast<ColorBy>(i);
    CHECK(parse_color_by(color_by_name(c)) == c);
  }
  CHECK(std::string(color_by_name(ColorBy::ChunkBytes)) == "chunk-bytes");
  CHECK_FALSE(parse_color_by("colour"));
}

// Model relies on a valid trace (issue 19 item 4): core's validate, which every reader calls, refuses
// an inconsistent one; the fixtures pass it.
TEST_CASE("an inconsistent trace is refused with the column named", "[viz][model]") {
  CHECK_NOTHROW(validate(fixtures::sample_trace(), "sample"));
  CHECK_NOTHROW(validate(fixtures::sample_cuda_trace(), "sample"));
  Trace t = fixtures::sample_trace();
  t.tasks.layer[5] = 99;
  CHECK_THROWS_WITH(validate(t, "t"), Catch::Contains("tasks.layer[5]"));
  t = fixtures::sample_trace();
  t.tasks.bytes.pop_back();
  CHECK_THROWS_WITH(validate(t, "t"), Catch::Contains("tasks.bytes"));
  t = fixtures::sample_trace();
  t.tasks.dep_index[0] = 100000;
  CHECK_THROWS_AS(validate(t, "t"), InputError);
}

TEST_CASE("an empty trace gives an empty model", "[viz][model]") {
  const Model m(Trace{}, {});
  CHECK(m.layers().empty());
  CHECK(m.groups().size() == 1);
  CHECK(m.lane_workers().empty());
}

TEST_CASE("a group path deeper than kMaxGroupDepth is cut there, in time linear in its length", "[viz][model]") {
  // Readers refuse such a trace (layers[i].group); one built in memory must still stay small: 100,000
  // levels used to make 100,000 groups whose paths held 10^10 bytes in all.
  Trace t = fixtures::sample_trace();
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += (i ? "/g" : "g") + std::to_string(i);
  t.layers[0].group = deep;
  const Model m(t, {});
  const int g = m.group_of_layer(0);
  REQUIRE(g > 0);
  CHECK(m.ancestors_of_layer(0).size() == static_cast<size_t>(kMaxGroupDepth));
  CHECK(m.groups()[static_cast<size_t>(g)].name == "g" + std::to_string(kMaxGroupDepth - 1));
  CHECK(m.groups().size() < 5 + static_cast<size_t>(kMaxGroupDepth));
}

TEST_CASE("worker ids are bounded by the run's threads", "[viz][model]") {
  Trace t = fixtures::sample_trace();
  t.tasks.worker[3] = 2147483647;  // a worker per-layer vectors were once sized by
  CHECK_THROWS_WITH(validate(t, "t"), Catch::Contains("worker 2147483647 is not one of the run's"));
  t = fixtures::sample_trace();
  t.tasks.worker[3] = -2;
  CHECK_THROWS_AS(validate(t, "t"), InputError);
}

TEST_CASE("layers are found by id in a long chain", "[viz][model]") {
  // 20,000 layers, each reading the one before: one lookup per input, not a search per layer.
  Trace t;
  t.meta.threads = 1;
  for (int i = 0; i < 20000; ++i) {
    TraceLayer l;
    l.id = "l" + std::to_string(i);
    l.op = i ? "negative" : "random";
    l.kind = i ? "elementwise" : "source";
    if (i) l.inputs = {"l" + std::to_string(i - 1)};
    l.shape = {4};
    l.chunks = {{4}};
    t.layers.push_back(std::move(l));
  }
  const Model m(std::move(t), {});
  CHECK(m.find_layer("l19999") == 19999);
  CHECK(m.find_layer("nope") == -1);
  CHECK(m.layer_inputs(19999) == std::vector<int>{19998});
}
