// viz::fmt_* and the evidence labels: the one number formatter of both front-ends (issue 16, item 9).
#include "chunkscope/viz/format.hpp"

#include <catch2/catch.hpp>

using namespace chunkscope::viz;
using chunkscope::Evidence;

TEST_CASE("counts and numbers have thousands separators and no exponent", "[viz][format]") {
  CHECK(fmt_count(0) == "0");
  CHECK(fmt_count(999) == "999");
  CHECK(fmt_count(1000) == "1,000");
  CHECK(fmt_count(1234567) == "1,234,567");
  CHECK(fmt_count(-12000) == "-12,000");
  CHECK(fmt_number(38229) == "38,229");
  CHECK(fmt_number(110.4) == "110");
  CHECK(fmt_number(12.34) == "12.3");
  CHECK(fmt_number(0.0123) == "0.0123");
  CHECK(fmt_number(0.00002) == "<0.001");
  CHECK(fmt_number(0) == "0");
}

TEST_CASE("bytes and durations", "[viz][format]") {
  CHECK(fmt_bytes(0) == "0 B");
  CHECK(fmt_bytes(1000) == "1,000 B");
  CHECK(fmt_bytes(1536) == "1.50 KiB");
  CHECK(fmt_bytes(12.3 * 1024 * 1024) == "12.3 MiB");
  CHECK(fmt_bytes(1023.9 * 1024) == "1.00 MiB");
  CHECK(fmt_bytes(130.0 * 1024 * 1024 * 1024) == "130 GiB");
  CHECK(fmt_duration(120) == "120 ns");
  CHECK(fmt_duration(850e3) == "850 µs");
  CHECK(fmt_duration(12.4e6) == "12.4 ms");
  CHECK(fmt_duration(1.234e9) == "1.23 s");
  CHECK(fmt_duration(1234e9) == "1,234 s");
  CHECK(fmt_duration(999.9e6) == "1.00 s");
}

TEST_CASE("factors and shares never use an exponent or a run of zeros", "[viz][format]") {
  CHECK(fmt_ratio(110.4) == "110×");
  CHECK(fmt_ratio(12000) == "12,000×");
  CHECK(fmt_ratio(3.24) == "3.2×");
  CHECK(fmt_ratio(0.35) == "0.35×");
  CHECK(fmt_ratio(0.00035) == "0.035%");
  CHECK(fmt_ratio(0) == "0×");
  CHECK(fmt_percent(0.45) == "45%");
  CHECK(fmt_percent(0.045) == "4.5%");
  CHECK(fmt_percent(0.0035) == "0.35%");
  CHECK(fmt_percent(0.00001) == "<0.01%");
  CHECK(fmt_percent(0) == "0%");
  for (double v : {1e-9, 3.5e-4, 0.07, 1.1e2, 1e7}) {
    CHECK(fmt_ratio(v).find('e') == std::string::npos);
    CHECK(fmt_percent(v).find('e') == std::string::npos);
    CHECK(fmt_number(v).find('e') == std::string::npos);
  }
}

TEST_CASE("limits, shapes and relative changes", "[viz][format]") {
  CHECK(fmt_limit(0) == "no limit");
  CHECK(fmt_limit(-1) == "no limit");
  CHECK(fmt_limit(2LL << 30) == "2.00 GiB");
  CHECK(fmt_shape({512, 512}) == "512×512");
  CHECK(fmt_shape({}) == "scalar");
  CHECK(fmt_shape({-1, 3}) == "?×3");
  CHECK(fmt_change(100, 100) == "same");
  CHECK(fmt_change(0, 5) == "new");
  CHECK(fmt_change(5, 0) == "gone");
  CHECK(fmt_change(100, 145) == "+45%");
  CHECK(fmt_change(100, 88) == "-12%");
  CHECK(fmt_change(100, 320) == "3.2× more");
  CHECK(fmt_change(100, 25) == "4.0× less");
  // A tiny baseline: 3 ns -> 40 ns is noise below a 1 µs floor, not "+1,233%".
  CHECK(fmt_change(3, 40, 1000) == "about the same");
  CHECK(fmt_change(3, 4e6, 1000) == "1,333,333× more");
}

TEST_CASE("evidence reads with human labels", "[viz][format]") {
  CHECK(evidence_label("held_at_peak:img") == "held at the peak by img");
  CHECK(evidence_label("memory_limit") == "memory limit");
  CHECK(evidence_label("busy_ns") == "busy time");
  CHECK(evidence_label("median_task_ns") == "median task time");
  CHECK(evidence_label("chunk_bytes") == "chunk bytes");
  CHECK(evidence_label("idle_during:blur") == "idle during blur");
  CHECK(evidence_label("peak_t_ns") == "time of the peak");
  CHECK(evidence_value(Evidence{"memory_limit", 0, "B", ""}) == "no limit");
  CHECK(evidence_value(Evidence{"memory_limit", 2.0 * 1024 * 1024 * 1024, "B", ""}) == "2.00 GiB");
  CHECK(evidence_value(Evidence{"size_ratio", 110.4, "ratio", ""}) == "110×");
  CHECK(evidence_value(Evidence{"size_ratio", 0.00035, "ratio", ""}) == "0.035%");
  CHECK(evidence_value(Evidence{"idle_share", 0.25, "share", ""}) == "25%");
  CHECK(evidence_value(Evidence{"tasks", 38229, "count", ""}) == "38,229");
  CHECK(evidence_value(Evidence{"chunk_shape", 0, "shape", "512×512"}) == "512×512");
  CHECK(evidence_value(Evidence{"bandwidth", 2.0 * 1024 * 1024, "B/s", ""}) == "2.00 MiB/s");
  CHECK(evidence_line(Evidence{"held_at_peak:img", 1536, "B", ""}) == "held at the peak by img: 1.50 KiB");
}
