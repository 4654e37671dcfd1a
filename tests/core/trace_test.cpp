// TraceLayer's shape texts: "?" where Dask left sizes unknown, never a 0-d shape (docs/trace-format.md).
#include "chunkscope/core/trace.hpp"

#include <catch2/catch.hpp>

using namespace chunkscope;

TEST_CASE("a layer with known sizes shows its shape and largest chunk", "[core][trace]") {
  TraceLayer l;
  l.shape = {3000, 32, 2};
  l.chunks = {{1000, 1000, 1000}, {32}, {2}};
  CHECK_FALSE(l.unknown_sizes());
  CHECK(l.shape_text() == "3000×32×2");
  CHECK(l.chunk_shape_text() == "1000×32×2");
}

TEST_CASE("a layer whose sizes Dask left unknown shows ? for them, not a 0-d shape", "[core][trace]") {
  TraceLayer l;  // what the Dask capture writes after x[mask] when the sizes cannot be recovered
  l.params = {{"unknown_chunks", true}, {"known_shape", {nullptr, 32, 2}}, {"known_chunk_shape", {nullptr, 32, 2}}};
  CHECK(l.unknown_sizes());
  CHECK(l.shape_text() == "?×32×2");
  CHECK(l.chunk_shape_text() == "?×32×2");
  l.params.erase("known_shape");  // an older trace: the text alone
  CHECK(l.shape_text() == "?");
}
