#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

namespace {

// x: 4096x4096 float64 in 8 row blocks of sparse chunks (density, sparse bytes as the Dask capture
// records them) -> d = x.map_blocks(todense) (NumPy chunks) -> s = d.sum(axis=0).
Trace sparse_trace(double density, double sparse_bytes, bool densify) {
  TraceBuilder b(2, 1000, "dask-threaded");
  const Shape shape{4096, 4096}, chunk{512, 4096};
  const int x = b.layer("x", "array", "source", {}, shape, chunk, "float64",
                        {{"chunk_type", "sparse._coo.core.COO"}, {"density", density}, {"sparse_bytes", sparse_bytes}});
  const auto per_chunk = static_cast<std::int64_t>(sparse_bytes / 8);
  auto xs = b.per_chunk(x, 2'000'000, per_chunk, testing::none);
  if (densify) {
    const int d =
        b.layer("d", "lambda", "elementwise", {"x"}, shape, chunk, "float64", {{"chunk_type", "numpy.ndarray"}});
    auto ds =
        b.per_chunk(d, 20'000'000, 512LL * 4096 * 8, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
    const int s = b.layer("s", "sum", "reduce", {"d"}, {4096}, {4096}, "float64", {{"chunk_type", "numpy.ndarray"}});
    b.task(s, 0, 1'000'000, 4096 * 8, ds);
  }
  return b.done();
}

}  // namespace

TEST_CASE("sparse-chunks: a layer that makes sparse chunks dense, and the memory it costs",
          "[analysis][sparse-chunks]") {
  // 1% density: 167,772 values x 24 B (value + two int64 coordinates) = 3.84 MiB sparse, 128 MiB dense.
  const Trace t = sparse_trace(0.01, 167772.0 * 24, true);
  const auto f = testing::find_rule(analyze(t), "sparse-chunks");
  REQUIRE(f);
  CHECK(f->layers == std::vector<std::string>{"d", "x"});
  CHECK(f->severity == Severity::Warning);  // 124 MiB more, above the 64 MiB stake floor
  CHECK(f->find("dense_bytes")->value == Approx(128.0 * (1 << 20)));
  CHECK(f->find("dense_to_sparse")->value == Approx(128.0 * (1 << 20) / (167772.0 * 24)));
  CHECK(f->find("density")->value == Approx(0.01));
  CHECK(f->message.find("\"d\" makes dense chunks from the sparse chunks of \"x\" (density 1%)") != std::string::npos);
  CHECK(f->advice.find("Keep the chunks sparse") != std::string::npos);
}

TEST_CASE("sparse-chunks: sparse chunks bigger than the same array dense", "[analysis][sparse-chunks]") {
  // 60% density: 24 B per stored value vs 8 B per element dense = 1.8x.
  const double sparse = 0.6 * 4096 * 4096 * 24;
  const auto f = testing::find_rule(analyze(sparse_trace(0.6, sparse, false)), "sparse-chunks");
  REQUIRE(f);
  CHECK(f->layers == std::vector<std::string>{"x"});
  CHECK(f->find("sparse_to_dense")->value == Approx(1.8));
  CHECK(f->message.find("density of 60%") != std::string::npos);
  CHECK(f->advice.find(".map_blocks(lambda b: b.todense())") != std::string::npos);
}

TEST_CASE("sparse-chunks stays quiet on sparse chunks that save memory and stay sparse", "[analysis][sparse-chunks]") {
  CHECK_FALSE(testing::find_rule(analyze(sparse_trace(0.01, 167772.0 * 24, false)), "sparse-chunks"));
  // Dense output from sparse input that is not bigger (a reduction's small result) is no finding.
  TraceBuilder b(2, 1000, "dask-threaded");
  const int x = b.layer("x", "array", "source", {}, {4096, 4096}, {512, 4096}, "float64",
                        {{"chunk_type", "sparse._coo.core.COO"}, {"density", 0.01}, {"sparse_bytes", 4.0e6}});
  auto xs = b.per_chunk(x, 1'000'000, 500'000, testing::none);
  const int s = b.layer("s", "sum", "reduce", {"x"}, {4096}, {4096}, "float64", {{"chunk_type", "numpy.ndarray"}});
  b.task(s, 0, 1'000'000, 4096 * 8, xs);
  CHECK_FALSE(testing::find_rule(analyze(b.done()), "sparse-chunks"));
}
