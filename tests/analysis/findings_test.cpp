#include <catch2/catch.hpp>

#include "trace_builder.hpp"

using namespace chunkscope;
using chunkscope::testing::TraceBuilder;

TEST_CASE("findings sort by severity then stake, and print", "[analysis][findings]") {
  Findings f(3);
  f[0].rule = "a";
  f[0].severity = Severity::Info;
  f[0].stake_share = 0.9;
  f[1].rule = "b";
  f[1].severity = Severity::Warning;
  f[1].stake_share = 0.1;
  f[2].rule = "c";
  f[2].severity = Severity::Warning;
  f[2].stake_share = 0.5;
  f[2].layers = {"x"};
  f[2].message = "Something.";
  f[2].add("median_task_ns", 1500, "ns")
      .add("chunk_bytes", 4096, "B")
      .add("overhead_share", 0.25, "share")
      .add_text("shape", "32×32");
  f[2].edits.push_back({{"layer", "x"}, {"chunks", {64, 64}}});
  sort_findings(f);
  CHECK(f[0].rule == "c");
  CHECK(f[1].rule == "b");
  CHECK(f[2].rule == "a");
  const std::string text = findings_text(f, 2);
  CHECK(text.find("warning [c] x") != std::string::npos);
  CHECK(text.find("median_task_ns 1.5 µs") != std::string::npos);
  CHECK(text.find("chunk_bytes 4.00 KiB") != std::string::npos);
  CHECK(text.find("overhead_share 25%") != std::string::npos);
  CHECK(text.find("edit: {\"chunks\":[64,64],\"layer\":\"x\"}") != std::string::npos);
  CHECK(text.find("1 more finding") != std::string::npos);
  const auto j = findings_to_json(f);
  CHECK(j[0]["severity"] == "warning");
  CHECK(j[0]["evidence"][0]["name"] == "median_task_ns");
  CHECK(j[0]["evidence"][3]["value"].is_null());
  CHECK(j[0]["edits"][0]["layer"] == "x");
  CHECK(parse_severity("critical") == Severity::Critical);
}

TEST_CASE("analyze is deterministic and lists its rules", "[analysis][findings]") {
  TraceBuilder b(4, 1000);
  const int x = b.layer("x", "random", "source", {}, {1024, 1024}, {16, 16});
  const int y = b.layer("y", "exp", "elementwise", {"x"}, {1024, 1024}, {16, 16});
  auto xs = b.per_chunk(x, 1000, 2048, testing::none);
  b.per_chunk(y, 1000, 2048, [&](std::int64_t k) { return std::vector<std::int64_t>{xs[k]}; });
  const Trace t = b.done();
  CHECK(findings_to_json(analyze(t)) == findings_to_json(analyze(t)));
  CHECK(analysis_rules().size() == 16);
  CHECK(analyze(Trace{}).empty());
}
