#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

TEST_CASE("rechunk-fan: frames to pencils, fixed by chunking the source like the rechunk", "[analysis][rechunk-fan]") {
  TraceBuilder b(4, 1000);
  const int m = b.layer("movie", "random", "source", {}, {48, 512, 512}, {1, 512, 512}, "float32");
  const int t = b.layer("tyx", "transpose", "transpose", {"movie"}, {512, 512, 48}, {512, 512, 1}, "float32",
                        {{"axes", {1, 2, 0}}});
  const int p = b.layer("pencils", "rechunk", "rechunk", {"tyx"}, {512, 512, 48}, {64, 64, 48}, "float32",
                        {{"chunks", {64, 64, -1}}});
  const int s = b.layer("std", "std", "reduce", {"pencils"}, {512, 512}, {64, 64}, "float32", {{"axis", 2}});
  const std::int64_t frame = 512LL * 512 * 4;
  auto ms = b.per_chunk(m, 2'000'000, frame, testing::none);
  auto ts = b.per_chunk(t, 2'000'000, frame, [&](std::int64_t k) { return std::vector<std::int64_t>{ms[k]}; });
  auto ps = b.per_chunk(p, 3'000'000, 64LL * 64 * 48 * 4, [&](std::int64_t) { return ts; });
  for (std::int64_t k = 0; k < 64; ++k) {
    const auto part = b.task(s, k, 300'000, 64 * 64 * 4, {ps[k]}, 1);
    b.task(s, k, 10'000, 64 * 64 * 4, {part}, 0);
  }
  const Findings f = analyze(b.done());
  const auto r = testing::find_rule(f, "rechunk-fan");
  REQUIRE(r);
  CHECK(r->layers[0] == "pencils");
  CHECK(r->find("fan_in")->value == 48);
  CHECK(r->find("fan_out")->value == 64);
  CHECK(r->find("input_bytes")->value == 48.0 * frame);
  REQUIRE(r->edits.size() == 1);
  CHECK(r->edits[0] == nlohmann::json::parse(R"({"layer": "movie", "chunks": [-1, 64, 64]})"));
  CHECK(r->advice.find("nothing to move") != std::string::npos);
}

TEST_CASE("rechunk-fan: an array added to its own transpose gets square chunks", "[analysis][rechunk-fan]") {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {4096, 4096}, {256, 4096}, "float32");
  const int xt = b.layer("xt", "transpose", "transpose", {"x"}, {4096, 4096}, {4096, 256}, "float32");
  const int xr = b.layer("xt_rows", "rechunk", "rechunk", {"xt"}, {4096, 4096}, {256, 4096}, "float32");
  const int sym = b.layer("sym", "add", "elementwise", {"x", "xt_rows"}, {4096, 4096}, {256, 4096}, "float32");
  const std::int64_t panel = 256LL * 4096 * 4;
  auto xs = b.per_chunk(x, 5'000'000, panel, testing::none);
  auto ts = b.per_chunk(xt, 5'000'000, panel, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  auto rs = b.per_chunk(xr, 2'000'000, panel, [&](std::int64_t) { return ts; });
  b.per_chunk(sym, 3'000'000, panel, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k], rs[k]}; });
  const Findings f = analyze(b.done());
  INFO(findings_text(f));
  const auto r = testing::find_rule(f, "rechunk-fan");
  REQUIRE(r);
  CHECK(r->layers[0] == "xt_rows");
  REQUIRE(r->edits.size() == 2);
  CHECK(r->edits[0]["layer"] == "x");
  CHECK(r->edits[1]["layer"] == "xt_rows");
  CHECK(r->edits[0]["chunks"] == r->edits[1]["chunks"]);
  CHECK(r->edits[0]["chunks"][0] == r->edits[0]["chunks"][1]);
  CHECK(r->advice.find("own transpose") != std::string::npos);
}

TEST_CASE("rechunk-fan stays quiet on a rechunk that merges pairs of chunks", "[analysis][rechunk-fan]") {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {4096, 4096}, {256, 4096}, "float32");
  const int y = b.layer("y", "exp", "elementwise", {"x"}, {4096, 4096}, {256, 4096}, "float32");
  const int r = b.layer("r", "rechunk", "rechunk", {"y"}, {4096, 4096}, {512, 4096}, "float32");
  const std::int64_t panel = 256LL * 4096 * 4;
  auto xs = b.per_chunk(x, 5'000'000, panel, testing::none);
  auto ys = b.per_chunk(y, 5'000'000, panel, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  b.per_chunk(r, 1'000'000, 2 * panel, [&](std::int64_t k) {
    return std::vector<std::int64_t>{ys[2 * k], ys[2 * k + 1]};
  });
  const Findings f = analyze(b.done());
  CHECK_FALSE(testing::find_rule(f, "rechunk-fan"));
  INFO(findings_text(f));
  CHECK(testing::serious(f).empty());
}

TEST_CASE("rechunk-fan: a rechunk to the chunks it already has is flagged for deletion", "[analysis][rechunk-fan]") {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {4096, 4096}, {1024, 1024}, "float32");
  const int r = b.layer("r", "rechunk", "rechunk", {"x"}, {4096, 4096}, {1024, 1024}, "float32");
  const std::int64_t chunk = 1024LL * 1024 * 4;
  auto xs = b.per_chunk(x, 5'000'000, chunk, testing::none);
  b.per_chunk(r, 3'000'000, chunk, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  const auto f = testing::find_rule(analyze(b.done()), "rechunk-fan");
  REQUIRE(f);
  CHECK(f->layers[0] == "r");
  CHECK(f->advice.find("Delete \"r\"") != std::string::npos);
}

TEST_CASE("rechunk-fan: a rechunk that only makes reduced axes whole is better deleted", "[analysis][rechunk-fan]") {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {4096, 4096}, {256, 4096}, "float32");
  const int r = b.layer("cols", "rechunk", "rechunk", {"x"}, {4096, 4096}, {4096, 256}, "float32");
  const int s = b.layer("colsum", "sum", "reduce", {"cols"}, {4096}, {256}, "float32", {{"axis", 0}});
  const int m =
      b.layer("rowmax", "max", "reduce", {"x"}, {4096}, {256}, "float32", {{"axis", 1}});  // x's rows are needed too
  const std::int64_t panel = 256LL * 4096 * 4;
  auto xs = b.per_chunk(x, 5'000'000, panel, testing::none);
  for (std::int64_t k = 0; k < 16; ++k) b.task(m, k, 1'000'000, 1024, {xs[k]}, 0);
  auto rs = b.per_chunk(r, 2'000'000, panel, [&](std::int64_t) { return xs; });
  for (std::int64_t k = 0; k < 16; ++k) b.task(s, k, 1'000'000, 1024, {rs[k]}, 0);
  const auto f = testing::find_rule(analyze(b.done()), "rechunk-fan");
  REQUIRE(f);
  CHECK(f->layers[0] == "cols");
  CHECK(f->edits.empty());
  CHECK(f->advice.find("reduce \"x\" directly") != std::string::npos);
}
