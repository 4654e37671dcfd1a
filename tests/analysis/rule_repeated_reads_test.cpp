#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

TEST_CASE("repeated-reads: the same file read by two layers", "[analysis][repeated-reads]") {
  TraceBuilder b(4, 1000);
  const nlohmann::json p{{"path", "stack.npy"}};
  const int a = b.layer("img", "from_npy", "source", {}, {64, 1 << 20}, {8, 1 << 20}, "float64", p);
  const int c = b.layer("img_again", "from_npy", "source", {}, {64, 1 << 20}, {16, 1 << 20}, "float64", p);
  const int d = b.layer("d", "sum", "reduce", {"img_again"}, {}, {});
  const int e = b.layer("e", "sum", "reduce", {"img"}, {}, {});
  auto as = b.per_chunk(a, 50'000'000, 64 << 20, testing::none);
  auto cs = b.per_chunk(c, 100'000'000, 128 << 20, testing::none);
  b.task(d, 0, 1'000'000, 8, cs);
  b.task(e, 0, 1'000'000, 8, as);
  const auto r = testing::find_rule(analyze(b.done()), "repeated-reads");
  REQUIRE(r);
  CHECK(r->layers == std::vector<std::string>{"img", "img_again"});
  CHECK(r->severity != Severity::Info);
  CHECK(r->message.find("same file") != std::string::npos);
}

TEST_CASE("repeated-reads: a stencil whose halo re-reads most of each thin chunk", "[analysis][repeated-reads]") {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {1024, 1024}, {32, 32});
  const int g = b.layer("blur", "gaussian_filter", "stencil", {"x"}, {1024, 1024}, {32, 32}, "float64", {{"sigma", 4}});
  auto xs = b.per_chunk(x, 200'000, 32 * 32 * 8, testing::none);
  const ArrayMeta m = b.at(x).meta();
  for (std::int64_t k = 0; k < m.num_chunks(); ++k) {
    const auto h = b.task(g, k, 100'000, 64 * 64 * 8, {xs[k]}, 1);
    b.task(g, k, 400'000, 32 * 32 * 8, {h}, 0);
  }
  const auto r = testing::find_rule(analyze(b.done()), "repeated-reads");
  REQUIRE(r);
  CHECK(r->layers == std::vector<std::string>{"x", "blur"});  // the fix first
  CHECK(r->find("halo_ratio")->value == 4);
  REQUIRE(r->edits.size() == 1);
  CHECK(r->edits[0]["layer"] == "x");
  CHECK(r->edits[0]["chunks"][0].get<int>() >= 128);  // 4x the halo of 2 x 16
  CHECK(r->edits[0]["chunks"][1].get<int>() >= 128);
}

TEST_CASE("repeated-reads stays quiet on distinct sources and wide chunks", "[analysis][repeated-reads]") {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {1024, 1024}, {256, 256}, "float64", {{"seed", 1}});
  b.layer("y", "random", "source", {}, {1024, 1024}, {256, 256}, "float64", {{"seed", 2}});
  const int g =
      b.layer("blur", "gaussian_filter", "stencil", {"x"}, {1024, 1024}, {256, 256}, "float64", {{"sigma", 1}});
  auto xs = b.per_chunk(x, 2'000'000, 256 * 256 * 8, testing::none);
  for (std::int64_t k = 0; k < 16; ++k) {
    const auto h = b.task(g, k, 100'000, 264 * 264 * 8, {xs[k]}, 1);
    b.task(g, k, 2'000'000, 256 * 256 * 8, {h}, 0);
  }
  CHECK_FALSE(testing::find_rule(analyze(b.done()), "repeated-reads"));
}

TEST_CASE("repeated-reads: a Zarr array stored in columns read as rows (issue 19 item 9)",
          "[analysis][repeated-reads]") {
  // 256 x 256 float64 stored in (256, 4) chunks; the rechunk pushed into the source reads (4, 256)
  // rows: each of the 64 row chunks decodes all 64 stored chunks (64 decodes per stored chunk).
  TraceBuilder b(4, 1000);
  const int a = b.layer("a", "from_zarr", "source", {}, {256, 256}, {256, 4}, "float64",
                        {{"path", "col.zarr"}, {"stored_chunks", {256, 4}}});
  b.at(a).pushed_into = "r";
  const int r = b.layer("r", "rechunk", "rechunk", {"a"}, {256, 256}, {4, 256}, "float64", {{"chunks", {4, 256}}});
  const int s = b.layer("s", "sum", "reduce", {"r"}, {256}, {4});
  auto rs = b.per_chunk(r, 20'000'000, 4 * 256 * 8, testing::none);
  for (std::int64_t k = 0; k < 64; ++k) b.task(s, k, 10'000, 32, {rs[k]});
  const auto f = testing::find_rule(analyze(b.done()), "repeated-reads");
  REQUIRE(f);
  CHECK(f->layers == std::vector<std::string>{"a", "r"});
  CHECK(f->find("decode_ratio")->value == 64);
  CHECK(f->find("stored_chunks")->value == 64);
  CHECK(f->severity != Severity::Info);
  CHECK(f->message.find(
            "stored in chunks of [256,4] but read (by the rechunk \"r\" pushed into it) in chunks of 4×256") !=
        std::string::npos);
  CHECK(f->advice.find("rechunk in memory") != std::string::npos);
  CHECK(f->advice.find("store the array again in chunks like 4×256") != std::string::npos);
  CHECK(f->edits.empty());  // the rechunk is the user's: nothing in the source to edit
}

TEST_CASE("repeated-reads: a Zarr source whose own chunks cut across the stored ones gets an edit",
          "[analysis][repeated-reads]") {
  TraceBuilder b(4, 1000);
  const int a = b.layer("a", "from_zarr", "source", {}, {256, 256}, {4, 256}, "float64",
                        {{"path", "col.zarr"}, {"chunks", {4, 256}}, {"stored_chunks", {256, 4}}});
  b.per_chunk(a, 20'000'000, 4 * 256 * 8, testing::none);
  const auto f = testing::find_rule(analyze(b.done()), "repeated-reads");
  REQUIRE(f);
  CHECK(f->layers == std::vector<std::string>{"a"});
  REQUIRE(f->edits.size() == 1);
  CHECK(f->edits[0] == nlohmann::json{{"layer", "a"}, {"chunks", {-1, 4}}});
}

TEST_CASE("repeated-reads: reads in unions of stored chunks are quiet", "[analysis][repeated-reads]") {
  TraceBuilder b(4, 1000);
  const int a = b.layer("a", "from_zarr", "source", {}, {256, 256}, {256, 4}, "float64",
                        {{"path", "col.zarr"}, {"stored_chunks", {256, 4}}});
  b.at(a).pushed_into = "r";
  const int r = b.layer("r", "rechunk", "rechunk", {"a"}, {256, 256}, {256, 64}, "float64", {{"chunks", {-1, 64}}});
  b.per_chunk(r, 20'000'000, 256 * 64 * 8, testing::none);
  CHECK_FALSE(testing::find_rule(analyze(b.done()), "repeated-reads"));
}
