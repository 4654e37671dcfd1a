// Byte sizes and durations as people write them (core/src/units.cpp).
#include "chunkscope/core/units.hpp"

#include <catch2/catch.hpp>

using namespace chunkscope;

TEST_CASE("parse_bytes: binary and decimal units, case and spaces", "[core][units]") {
  CHECK(parse_bytes("1000") == 1000);
  CHECK(parse_bytes("0") == 0);
  CHECK(parse_bytes("12B") == 12);
  CHECK(parse_bytes("4GiB") == 4LL << 30);
  CHECK(parse_bytes("128MiB") == 128LL << 20);
  CHECK(parse_bytes("128 MiB") == 128LL << 20);
  CHECK(parse_bytes("  128 mib  ") == 128LL << 20);
  CHECK(parse_bytes("1.5KiB") == 1536);
  CHECK(parse_bytes("16MB") == 16'000'000);
  CHECK(parse_bytes("512k") == 512'000);
  CHECK(parse_bytes("2 GB") == 2'000'000'000);
  CHECK(parse_bytes("1TiB") == 1LL << 40);
  CHECK(parse_bytes("3Mi") == 3LL << 20);
}

TEST_CASE("parse_bytes: malformed or negative text gives nullopt", "[core][units]") {
  CHECK_FALSE(parse_bytes(""));
  CHECK_FALSE(parse_bytes("   "));
  CHECK_FALSE(parse_bytes("MiB"));
  CHECK_FALSE(parse_bytes("-1"));
  CHECK_FALSE(parse_bytes("-1MiB"));
  CHECK_FALSE(parse_bytes("12 XB"));
  CHECK_FALSE(parse_bytes("12 MiB extra"));
  CHECK_FALSE(parse_bytes("."));
  CHECK_FALSE(parse_bytes("1.2.3MB"));
  CHECK_FALSE(parse_bytes("99999999999 TiB"));  // past 64 bits
}

TEST_CASE("format_bytes picks a binary unit and 3 significant digits", "[core][units]") {
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(12) == "12 B");
  CHECK(format_bytes(1023) == "1023 B");
  CHECK(format_bytes(1024) == "1.00 KiB");
  CHECK(format_bytes(512 * 1024) == "512 KiB");
  CHECK(format_bytes(2 * 1024 * 1024) == "2.00 MiB");
  CHECK(format_bytes(12.5 * 1024 * 1024) == "12.5 MiB");
  CHECK(format_bytes(1.5 * 1024 * 1024 * 1024) == "1.50 GiB");
  CHECK(format_bytes(3.0 * (1LL << 50)) == "3.00 PiB");
  // Round trip through parse_bytes within the printed precision.
  for (double b : {1536.0, 5e6, 3.25e9}) {
    const auto back = parse_bytes(format_bytes(b));
    REQUIRE(back);
    CHECK(static_cast<double>(*back) == Approx(b).epsilon(0.01));
  }
}

TEST_CASE("format_duration_ns", "[core][units]") {
  CHECK(format_duration_ns(120) == "120 ns");
  CHECK(format_duration_ns(850e3) == "850.0 µs");
  CHECK(format_duration_ns(12.4e6) == "12.4 ms");
  CHECK(format_duration_ns(1.234e9) == "1.23 s");
}
