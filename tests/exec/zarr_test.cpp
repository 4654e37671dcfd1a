// Zarr v2: .zarray parsing, chunk encoding/decoding (raw, zlib, gzip, blosc) and region reads.
#include "chunkscope/exec/zarr.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "chunkscope/core/error.hpp"
#include "io_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::test;

TEST_CASE(".zarray fields: fill values, compressors, separators", "[zarr]") {
  const auto m = parse_zarr_meta(R"({"zarr_format": 2, "shape": [10, 20], "chunks": [3, 7], "dtype": "<f4",
      "compressor": {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 0},
      "fill_value": "NaN", "order": "C", "filters": null, "dimension_separator": "/"})",
                                 "a.zarr");
  CHECK(m.compressor == ZarrCompressor::Blosc);
  CHECK(m.blosc_cname == "zstd");
  CHECK(m.level == 3);
  CHECK(m.blosc_shuffle == 2);
  CHECK(std::isnan(m.fill_value));
  CHECK(m.chunks() == Chunks{{3, 3, 3, 1}, {7, 7, 6}});
  CHECK(zarr_chunk_key(m, {2, 1}) == "2/1");
  CHECK(m.chunk_bytes() == 3 * 7 * 4);
  const auto b = parse_zarr_meta(
      R"({"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": "|b1", "compressor": null, "fill_value": true})",
      "b");
  CHECK(b.fill_value == 1);
  const auto n = parse_zarr_meta(
      R"({"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": "<i8", "compressor": null, "fill_value": null})",
      "n");
  CHECK(n.fill_value == 0);
  CHECK_THROWS_WITH(
      parse_zarr_meta(
          R"({"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": "<i8", "compressor": {"id": "lzma"}})", "c.zarr"),
      Catch::Contains("c.zarr") && Catch::Contains("lzma"));
  CHECK_THROWS_WITH(
      parse_zarr_meta(R"({"zarr_format": 2, "shape": [4], "chunks": [4], "dtype": "<i8", "fill_value": "abc"})",
                      "d.zarr"),
      Catch::Contains("d.zarr") && Catch::Contains("fill_value"));
  // Written metadata parses back to the same values.
  ZarrMeta w;
  w.shape = {5, 6};
  w.chunk_shape = {2, 6};
  w.dtype = DType::UInt16;
  w.compressor = ZarrCompressor::Blosc;
  w.level = 4;
  w.fill_value = 9;
  const auto r = parse_zarr_meta(make_zarr_meta(w).dump(), "w");
  CHECK(r.shape == w.shape);
  CHECK(r.chunk_shape == w.chunk_shape);
  CHECK(r.dtype == w.dtype);
  CHECK(r.compressor == ZarrCompressor::Blosc);
  CHECK(r.level == 4);
  CHECK(r.fill_value == 9);
}

TEST_CASE("chunks round-trip through every compressor", "[zarr]") {
  ZarrMeta m;
  m.shape = {100, 30};
  m.chunk_shape = {50, 30};
  m.dtype = DType::Float64;
  std::vector<double> v(50 * 30);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::floor(std::sin(static_cast<double>(i)) * 10);
  for (auto c : {ZarrCompressor::None, ZarrCompressor::Zlib, ZarrCompressor::Gzip, ZarrCompressor::Blosc}) {
    m.compressor = c;
    const std::string enc = encode_zarr_chunk(m, reinterpret_cast<const std::byte*>(v.data()));
    if (c != ZarrCompressor::None) CHECK(enc.size() < v.size() * 8);
    std::vector<double> back(v.size());
    decode_zarr_chunk(m, {reinterpret_cast<const std::byte*>(enc.data()), enc.size()},
                      reinterpret_cast<std::byte*>(back.data()), "f");
    CHECK(back == v);
  }
}

TEST_CASE("chunks of the wrong size or corrupt data fail naming the file", "[zarr]") {
  ZarrMeta m;
  m.shape = {8};
  m.chunk_shape = {8};
  m.dtype = DType::Int32;
  std::vector<std::int32_t> v(8, 3), out(8);
  std::vector<std::int32_t> longer(9, 3);
  auto decode = [&](const std::string& bytes) {
    decode_zarr_chunk(m, {reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()},
                      reinterpret_cast<std::byte*>(out.data()), "a.zarr/0");
  };
  for (auto c : {ZarrCompressor::None, ZarrCompressor::Zlib, ZarrCompressor::Gzip, ZarrCompressor::Blosc}) {
    INFO("compressor " << static_cast<int>(c));
    m.compressor = c;
    // Encoded as if the chunk had 9 elements: decodes to the wrong size.
    ZarrMeta big = m;
    big.chunk_shape = {9};
    const std::string wrong = encode_zarr_chunk(big, reinterpret_cast<const std::byte*>(longer.data()));
    CHECK_THROWS_WITH(decode(wrong), Catch::StartsWith("a.zarr/0: ") &&
                                         (Catch::Contains("expected 32") || Catch::Contains("more than")));
    ZarrMeta small = m;
    small.chunk_shape = {7};
    const std::string shorter = encode_zarr_chunk(small, reinterpret_cast<const std::byte*>(v.data()));
    CHECK_THROWS_WITH(decode(shorter), Catch::StartsWith("a.zarr/0: "));
    if (c != ZarrCompressor::None) {
      std::string good = encode_zarr_chunk(m, reinterpret_cast<const std::byte*>(v.data()));
      CHECK_THROWS_WITH(decode(good.substr(0, good.size() / 2)), Catch::StartsWith("a.zarr/0: "));
      CHECK_THROWS_WITH(decode("garbage that is not compressed at all"), Catch::StartsWith("a.zarr/0: "));
    }
  }
}

TEST_CASE("read_zarr_region: steps, reversed axes, edge chunks and missing chunks", "[zarr]") {
  TempDir dir;
  ZarrMeta m;
  m.shape = {19, 23};
  m.chunk_shape = {4, 6};
  m.dtype = DType::Int32;
  m.compressor = ZarrCompressor::Zlib;
  m.fill_value = -1;
  std::vector<std::int32_t> v(19 * 23);
  std::iota(v.begin(), v.end(), 0);
  write_zarr_array(dir / "a.zarr", m, reinterpret_cast<const std::byte*>(v.data()));
  REQUIRE(std::filesystem::file_size(dir / "a.zarr/4.3") > 0);  // edge chunks are stored whole
  std::filesystem::remove(dir / "a.zarr/2.1");                  // rows 8..11, columns 6..11
  auto want = [&](std::int64_t r, std::int64_t c) {
    return (r >= 8 && r < 12 && c >= 6 && c < 12) ? -1 : v[r * 23 + c];
  };
  struct Sel {
    AxisSlice a, b;
  };
  for (const Sel s : {Sel{{0, 1, 19}, {0, 1, 23}}, Sel{{18, -1, 19}, {22, -3, 8}}, Sel{{4, 1, 4}, {6, 1, 6}},
                      Sel{{8, 1, 4}, {6, 1, 6}}, Sel{{1, 5, 4}, {2, 7, 3}}}) {
    std::vector<std::int32_t> got(static_cast<size_t>(s.a.count * s.b.count));
    const AxisSlice sel[] = {s.a, s.b};
    read_zarr_region(dir / "a.zarr", m, sel, reinterpret_cast<std::byte*>(got.data()));
    for (std::int64_t i = 0; i < s.a.count; ++i)
      for (std::int64_t j = 0; j < s.b.count; ++j) REQUIRE(got[i * s.b.count + j] == want(s.a.at(i), s.b.at(j)));
  }
}

TEST_CASE("nested chunk keys with dimension_separator '/'", "[zarr]") {
  TempDir dir;
  ZarrMeta m;
  m.shape = {5, 5};
  m.chunk_shape = {2, 2};
  m.dimension_separator = "/";
  std::vector<double> v(25);
  std::iota(v.begin(), v.end(), 0.0);
  write_zarr_array(dir / "n.zarr", m, reinterpret_cast<const std::byte*>(v.data()));
  CHECK(std::filesystem::exists(dir / "n.zarr/2/1"));
  const ZarrMeta r = read_zarr_meta(dir / "n.zarr");
  CHECK(r.dimension_separator == "/");
  std::vector<double> got(25);
  const AxisSlice sel[] = {{0, 1, 5}, {0, 1, 5}};
  read_zarr_region(dir / "n.zarr", r, sel, reinterpret_cast<std::byte*>(got.data()));
  CHECK(got == v);
}
