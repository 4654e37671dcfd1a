// .npy headers, region reads and concurrent block writes.
#include "chunkscope/exec/npy.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "chunkscope/core/error.hpp"
#include "chunkscope/exec/array_io.hpp"
#include "chunkscope/exec/block_copy.hpp"
#include "io_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::test;

namespace {

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string header_with(const std::string& dict) {
  std::string d = dict;
  while ((10 + d.size() + 1) % 64) d += ' ';
  d += '\n';
  std::string h = "\x93NUMPY";
  h += '\x01';
  h += '\x00';
  h += static_cast<char>(d.size() & 0xff);
  h += static_cast<char>(d.size() >> 8);
  return h + d;
}

std::string error_of(const std::string& path) {
  try {
    read_npy_header(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("npy header round trip", "[npy]") {
  for (const Shape& shape : {Shape{7}, Shape{3, 4}, Shape{2, 1, 100000}}) {
    const std::string h = make_npy_header(shape, DType::UInt16);
    REQUIRE(h.size() % 64 == 0);
    const NpyHeader p = parse_npy_header(h, -1, "x.npy");
    CHECK(p.shape == shape);
    CHECK(p.dtype == DType::UInt16);
    CHECK(p.data_offset == static_cast<std::int64_t>(h.size()));
  }
}

TEST_CASE("bad npy files are rejected with the file named", "[npy]") {
  TempDir dir;
  const std::string p = dir / "bad.npy";
  SECTION("missing file") {
    CHECK_THAT(error_of(dir / "none.npy"), Catch::StartsWith(dir / "none.npy") && Catch::Contains("cannot open"));
  }
  SECTION("bad magic") {
    write_bytes(p, "PK\x03\x04 this is a zip file, not an array");
    CHECK_THAT(error_of(p), Catch::StartsWith(p) && Catch::Contains("bad magic"));
  }
  SECTION("empty file") {
    write_bytes(p, "");
    CHECK_THAT(error_of(p), Catch::StartsWith(p) && Catch::Contains("not a .npy file"));
  }
  SECTION("header cut short") {
    write_bytes(p, header_with("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }").substr(0, 30));
    CHECK_THAT(error_of(p), Catch::StartsWith(p) && Catch::Contains("cut short"));
  }
  SECTION("truncated data") {
    write_bytes(p,
                header_with("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 5), }") + std::string(8 * 14, '\0'));
    CHECK_THAT(error_of(p), Catch::StartsWith(p) && Catch::Contains("truncated") && Catch::Contains("120 data bytes"));
  }
  SECTION("big-endian dtype") {
    write_bytes(p, header_with("{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }") + std::string(24, '\0'));
    CHECK_THAT(error_of(p), Catch::StartsWith(p) && Catch::Contains("unsupported .npy dtype '>f8'"));
  }
  SECTION("Fortran order") {
    write_bytes(p, header_with("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2), }") + std::string(16, '\0'));
    CHECK_THAT(error_of(p), Catch::StartsWith(p) && Catch::Contains("Fortran"));
  }
  SECTION("garbage shape") {
    write_bytes(p, header_with("{'descr': '<i4', 'fortran_order': False, 'shape': (2, x), }") + std::string(16, '\0'));
    CHECK_THAT(error_of(p), Catch::StartsWith(p) && Catch::Contains("malformed"));
  }
  SECTION("NpyReader reports the same errors") {
    write_bytes(p, "\x93NUMPY\x01");
    CHECK_THROWS_AS(NpyReader(p), InputError);
  }
}

TEST_CASE("npy headers are read as strictly as NumPy reads them", "[npy]") {
  const std::string data(8 * 4, '\0');
  auto error = [&](const std::string& dict) {
    try {
      parse_npy_header(header_with(dict) + data, -1, "h.npy");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  // Accepted, as NumPy accepts them: either quote, no trailing comma, spaces anywhere, Python 2's 4L.
  for (const std::string ok : {"{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }",
                               "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (4,)}",
                               "{'shape': ( 2 , 2 ), 'fortran_order':False,'descr':'<f8'}",
                               "{'descr': '<f8', 'fortran_order': False, 'shape': (4L,), }"}) {
    INFO(ok);
    CHECK(error(ok).empty());
  }
  CHECK(parse_npy_header(header_with("{'shape': ( 2 , 2 ), 'fortran_order':False,'descr':'<f8'}") + data, -1, "h.npy")
            .shape == Shape{2, 2});
  // Refused: NumPy refuses each, or reads it differently from a lenient parser.
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': (2 2), }"),
             Catch::StartsWith("h.npy: the .npy shape (2 2)") && Catch::Contains("commas"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': (4), }"),
             Catch::Contains("shape (4) is not a tuple"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': 4, }"),
             Catch::Contains("shape 4 is not a tuple"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': [4], }"), Catch::Contains("not a tuple"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'shape': (4,), }"),
             Catch::Contains("the key 'shape' twice"));
  CHECK_THAT(error("{'descr': '<f8', 'descr': '<i4', 'fortran_order': False, 'shape': (4,), }"),
             Catch::Contains("the key 'descr' twice"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), 'x': 1}"), Catch::Contains("the key 'x'"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': 0, 'shape': (4,), }"),
             Catch::Contains("'fortran_order' is 0, not True or False"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': 'False', 'shape': (4,), }"),
             Catch::Contains("not True or False"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': false, 'shape': (4,), }"), Catch::Contains("not True or False"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), } (8,)"),
             Catch::Contains("after its dict"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': (04,), }"), Catch::Contains("leading zero"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': (1_0,), }"), Catch::Contains("integers"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': (4,,), }"), Catch::Contains("shape"));
  CHECK_THAT(error("{'descr': '<f8' 'fortran_order': False, 'shape': (4,), }"), Catch::Contains("malformed"));
  CHECK_THAT(error("{'descr': '<\\x66\\x38', 'fortran_order': False, 'shape': (4,), }"), Catch::Contains("escape"));
  CHECK_THAT(error("{'descr': '<f8', 'fortran_order': False, 'shape': (4,)"), Catch::Contains("cut short"));
  CHECK_THAT(error("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (4,), }"),
             Catch::Contains("unsupported .npy dtype [('a', '<f8')]"));
  CHECK_THAT(error("{'descr': " + std::string(100, '[') + "], 'fortran_order': False, 'shape': (4,), }"),
             Catch::Contains("nested"));
}

TEST_CASE("NpyReader reads strided regions, reversed ones included", "[npy]") {
  TempDir dir;
  // Large enough that rows are read straight into place and small runs are coalesced.
  const Shape shape{60, 700};
  std::vector<std::int32_t> v(60 * 700);
  std::iota(v.begin(), v.end(), 0);
  write_npy(dir / "a.npy", shape, DType::Int32, reinterpret_cast<const std::byte*>(v.data()));
  NpyReader r(dir / "a.npy");
  struct Sel {
    AxisSlice a, b;
  };
  for (const Sel s : {Sel{{0, 1, 60}, {0, 1, 700}}, Sel{{5, 1, 10}, {3, 1, 4}}, Sel{{59, -1, 60}, {699, -1, 700}},
                      Sel{{1, 7, 9}, {0, 600, 2}}, Sel{{10, 1, 3}, {0, 1, 700}}, Sel{{0, 2, 30}, {650, -3, 200}},
                      Sel{{3, 1, 1}, {10, 1, 1}}}) {
    std::vector<std::int32_t> got(static_cast<size_t>(s.a.count * s.b.count));
    const AxisSlice sel[] = {s.a, s.b};
    r.read(sel, reinterpret_cast<std::byte*>(got.data()));
    for (std::int64_t i = 0; i < s.a.count; ++i)
      for (std::int64_t j = 0; j < s.b.count; ++j) REQUIRE(got[i * s.b.count + j] == v[s.a.at(i) * 700 + s.b.at(j)]);
  }
  const AxisSlice outside[] = {{0, 1, 61}, {0, 1, 10}};
  std::vector<std::int32_t> buf(61 * 10);
  CHECK_THROWS_AS(r.read(outside, reinterpret_cast<std::byte*>(buf.data())), std::out_of_range);
}

TEST_CASE("NpyReader reads long strided rows in pieces", "[npy]") {
  TempDir dir;
  // One row of 3M float64 (24 MB), read with step 3: the row's span exceeds the scratch budget.
  std::vector<double> v(3'000'000);
  std::iota(v.begin(), v.end(), 0.0);
  write_npy(dir / "a.npy", {3'000'000}, DType::Float64, reinterpret_cast<const std::byte*>(v.data()));
  NpyReader r(dir / "a.npy");
  for (const AxisSlice s : {AxisSlice{2, 3, 999'999}, AxisSlice{2'999'999, -2, 1'500'000}}) {
    std::vector<double> got(static_cast<size_t>(s.count));
    const AxisSlice sel[] = {s};
    r.read(sel, reinterpret_cast<std::byte*>(got.data()));
    for (std::int64_t i = 0; i < s.count; ++i) REQUIRE(got[i] == static_cast<double>(s.at(i)));
  }
}

TEST_CASE("NpyReader on a file truncated after opening fails naming the file", "[npy]") {
  TempDir dir;
  std::vector<double> v(100 * 10, 2.0);
  write_npy(dir / "a.npy", {100, 10}, DType::Float64, reinterpret_cast<const std::byte*>(v.data()));
  NpyReader r(dir / "a.npy");
  std::filesystem::resize_file(dir / "a.npy", 128 + 8 * 500);
  std::vector<double> out(100 * 10);
  for (const AxisSlice col : {AxisSlice{0, 1, 2}, AxisSlice{0, 1, 10}}) {  // mapped copy, then pread
    const AxisSlice sel[] = {{0, 1, 100}, col};
    CHECK_THROWS_WITH(r.read(sel, reinterpret_cast<std::byte*>(out.data())),
                      Catch::StartsWith(dir / "a.npy") && Catch::Contains("truncated"));
  }
}

TEST_CASE("read_strided coalesces close runs, splits long rows and reads far-apart elements alone", "[npy]") {
  TempDir dir;
  // A raw file of 4M int32 values (16 MB), value = index.
  const std::int64_t n = 4 << 20;
  std::vector<std::int32_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  write_file_via_rename(dir / "raw", {reinterpret_cast<const std::byte*>(v.data()), v.size() * 4});
  const FileHandle f = FileHandle::open_read(dir / "raw");
  struct Case {
    std::vector<std::int64_t> ext, step;
    std::int64_t first;
  };
  for (const Case& c : {Case{{64, 4}, {1024, 1}, 0},            // short runs 4 KiB apart: one coalesced read
                        Case{{64, 4}, {-1024, -1}, n - 1},      // the same, reversed
                        Case{{3, 5}, {1 << 20, 3000}, 17},      // far-apart elements: one read each
                        Case{{2'000'000}, {2}, 1},              // one row longer than the scratch budget
                        Case{{1'500'000}, {-2}, n - 1},         // the same, reversed
                        Case{{5, 70'000}, {100'000, 1}, 3}}) {  // long contiguous rows straight into place
    Shape fs, ms;
    for (auto s : c.step) fs.push_back(s * 4);
    ms = c_strides(c.ext, 4);
    std::vector<std::int32_t> got(static_cast<size_t>(shape_size(c.ext)));
    read_strided(f, c.first * 4, c.ext, fs, reinterpret_cast<std::byte*>(got.data()), ms, 4);
    std::int64_t k = 0;
    for_each_index(c.ext, [&](const std::vector<std::int64_t>& i) {
      std::int64_t idx = c.first;
      for (size_t a = 0; a < i.size(); ++a) idx += i[a] * c.step[a];
      REQUIRE(got[static_cast<size_t>(k++)] == idx);
    });
  }
  const std::int64_t e[] = {10}, s[] = {4}, m[] = {4};
  std::vector<std::int32_t> out(10);
  CHECK_THROWS_WITH(read_strided(f, (n - 5) * 4, e, s, reinterpret_cast<std::byte*>(out.data()), m, 4),
                    Catch::StartsWith(dir / "raw") && Catch::Contains("truncated"));
}

TEST_CASE("NpyWriter takes disjoint blocks from many threads", "[npy]") {
  TempDir dir;
  const Shape shape{64, 48};
  {
    NpyWriter w(dir / "out.npy", shape, DType::Float32);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int br = 0; br < 8; ++br)
          for (int bc = 0; bc < 6; ++bc) {
            if ((br * 6 + bc) % 4 != t) continue;
            std::vector<float> block(8 * 8);
            for (int r = 0; r < 8; ++r)
              for (int c = 0; c < 8; ++c) block[r * 8 + c] = static_cast<float>((br * 8 + r) * 48 + bc * 8 + c);
            w.write_block({br * 8, bc * 8}, {8, 8}, reinterpret_cast<const std::byte*>(block.data()));
          }
      });
    for (auto& th : threads) th.join();
    w.close();
  }
  NpyHeader h;
  const auto bytes = read_npy(dir / "out.npy", &h);
  CHECK(h.shape == shape);
  CHECK(h.dtype == DType::Float32);
  REQUIRE(bytes.size() == 64 * 48 * 4);
  const auto* f = reinterpret_cast<const float*>(bytes.data());
  for (int i = 0; i < 64 * 48; ++i) REQUIRE(f[i] == static_cast<float>(i));
}

TEST_CASE("NpyWriter writes long rows with pwrite and short runs through the mapping", "[npy]") {
  TempDir dir;
  const Shape shape{6, 20000};
  std::vector<double> all(6 * 20000);
  std::iota(all.begin(), all.end(), 0.0);
  {
    NpyWriter w(dir / "out.npy", shape, DType::Float64);
    // Rows 0..3 as two blocks of whole rows (long runs), rows 4..5 as column blocks (short runs).
    w.write_block({0, 0}, {2, 20000}, reinterpret_cast<const std::byte*>(all.data()));
    w.write_block({2, 0}, {2, 20000}, reinterpret_cast<const std::byte*>(all.data() + 2 * 20000));
    std::vector<double> block(2 * 1000);
    for (int c0 = 0; c0 < 20000; c0 += 1000) {
      for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 1000; ++c) block[r * 1000 + c] = all[(4 + r) * 20000 + c0 + c];
      w.write_block({4, c0}, {2, 1000}, reinterpret_cast<const std::byte*>(block.data()));
    }
    w.close();
  }
  const auto bytes = read_npy(dir / "out.npy");
  REQUIRE(bytes.size() == all.size() * 8);
  CHECK(std::memcmp(bytes.data(), all.data(), bytes.size()) == 0);
}

TEST_CASE("write_npy output is what NumPy reads", "[npy]") {
  if (!have_numpy()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  TempDir dir;
  std::vector<std::int64_t> v(3 * 5 * 2);
  std::iota(v.begin(), v.end(), -4);
  write_npy(dir / "a.npy", {3, 5, 2}, DType::Int64, reinterpret_cast<const std::byte*>(v.data()));
  std::vector<std::uint8_t> b{1, 0, 0, 1};
  write_npy(dir / "b.npy", {4}, DType::Bool, reinterpret_cast<const std::byte*>(b.data()));
  CHECK(run_python(dir, R"(
import numpy as np, sys
a = np.load("a.npy"); b = np.load("b.npy")
ok = a.dtype == np.int64 and a.shape == (3, 5, 2) and (a.ravel() == np.arange(-4, 26)).all()
ok = ok and b.dtype == np.bool_ and list(b) == [True, False, False, True]
sys.exit(0 if ok else 1)
)") == 0);
}
