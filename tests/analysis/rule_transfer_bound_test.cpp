#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {
// A CUDA-like trace: each task of "g" copies its 256 KiB input to the device first.
Trace cuda(std::int64_t copy_ns) {
  TraceBuilder b(4, 6'000'000, "cuda");
  const int x = b.layer("x", "random", "source", {}, {64, 32768}, {1, 32768});
  const int g = b.layer("g", "exp", "elementwise", {"x"}, {64, 32768}, {1, 32768});
  auto xs = b.per_chunk(x, 1'000'000, 256 << 10, testing::none);
  auto gs = b.per_chunk(g, 1'000'000, 256 << 10, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  Trace t = b.done();
  for (auto task : gs) {
    t.transfers.task.push_back(task);
    t.transfers.start_ns.push_back(t.tasks.start_ns[task] - copy_ns);
    t.transfers.end_ns.push_back(t.tasks.start_ns[task]);
    t.transfers.bytes.push_back(256 << 10);
    t.transfers.to_device.push_back(1);
    t.transfers.device.push_back(1);
  }
  return t;
}
}  // namespace

TEST_CASE("transfer-bound: small copies dominate a layer", "[analysis][transfer-bound]") {
  const auto f = testing::find_rule(analyze(cuda(4'000'000)), "transfer-bound");
  REQUIRE(f);
  CHECK(f->layers[0] == "g");
  CHECK(f->severity == Severity::Critical);
  CHECK(f->find("transfer_share")->value == Approx(0.8));
  CHECK(f->find("mean_transfer_bytes")->value == 256 << 10);
  REQUIRE(f->edits.size() == 1);
  CHECK(f->edits[0]["layer"] == "x");
}

TEST_CASE("transfer-bound stays quiet when copies are cheap", "[analysis][transfer-bound]") {
  CHECK_FALSE(testing::find_rule(analyze(cuda(100'000)), "transfer-bound"));
}
