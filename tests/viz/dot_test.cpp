#include "chunkscope/viz/dot.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "viz_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::viz;

namespace {
Model hostile_model() {
  chunkscope::testing::TraceBuilder b(1);
  const int a = b.layer("<img src=x onerror=alert(1)>", "random", "source", {}, {4}, {2});
  const int c = b.layer("say \"hi\" \\ bye\\", "neg", "elementwise", {"<img src=x onerror=alert(1)>"}, {4}, {2});
  b.at(c).group = "g\"}; evil [label=\"x";
  b.at(a).name = "line\nbreak";
  const auto t = b.per_chunk(a, 10, 16, chunkscope::testing::none);
  b.per_chunk(c, 10, 16, [&](std::int64_t k) { return std::vector<std::int64_t>{t[k]}; });
  return Model(b.done(), {});
}
}  // namespace

TEST_CASE("dot_quote escapes quotes, backslashes and control characters", "[viz][dot]") {
  CHECK(dot_quote("plain") == "\"plain\"");
  CHECK(dot_quote("a\"b") == "\"a\\\"b\"");
  CHECK(dot_quote("a\\") == "\"a\\\\\"");
  CHECK(dot_quote("x\ny\tz") == "\"x y z\"");
  CHECK(dot_quote(std::string("bad\xff") + "byte") == "\"bad?byte\"");
  CHECK(dot_quote("µs →") == "\"µs →\"");
}

TEST_CASE("hostile layer and group names cannot break out of DOT strings", "[viz][dot]") {
  const Model m = hostile_model();
  ViewState v;
  v.expand_to(m, "say \"hi\" \\ bye\\");
  const std::string dot = to_dot(visible_graph(m, v));
  // Every line is a statement, a brace, or an attribute list: no injected statement survives.
  CHECK(dot.find("evil [label=\"x") == std::string::npos);
  CHECK(dot.find("\"l:<img src=x onerror=alert(1)>\"") != std::string::npos);
  CHECK(dot.find("say \\\"hi\\\"") != std::string::npos);
  CHECK(dot.find("\"l:say \\\"hi\\\" %5C bye%5C\"") != std::string::npos);  // keys encode backslashes
  CHECK(dot.find("subgraph \"cluster_g:g\\\"}; evil [label=\\\"x\"") != std::string::npos);
  // Quotes balance on every line (escaped ones excluded).
  std::istringstream lines(dot);
  for (std::string line; std::getline(lines, line);) {
    int quotes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\')
        ++i;
      else if (line[i] == '"')
        ++quotes;
    }
    CHECK(quotes % 2 == 0);
  }
}

TEST_CASE("node sizes come from the label and are fixed in DOT", "[viz][dot]") {
  const NodeSize small = node_size({"a"});
  const NodeSize wide = node_size({"a much longer line of label text", "two"});
  CHECK(wide.width > small.width);
  CHECK(wide.height >= small.height);
  const std::string dot = to_dot(visible_graph(fixtures::sample_model(), ViewState{}));
  CHECK(dot.find("rankdir=TB") != std::string::npos);
  CHECK(dot.find("fixedsize=true") != std::string::npos);
}

TEST_CASE("golden DOT of the sample trace", "[viz][dot][golden]") {
  const Model m = fixtures::sample_model();
  ViewState v;
  v.toggle_group("denoise");
  v.toggle_group("stats");
  v.toggle_layer("mean");
  v.selected = "thr";
  v.search = "rc";
  v.color_by = ColorBy::PeakMemory;
  const std::string dot = to_dot(visible_graph(m, v));
  CHECK(dot == to_dot(visible_graph(m, v)));  // deterministic
  const std::string path = std::string(CHUNKSCOPE_VIZ_GOLDEN_DIR) + "/sample.dot";
  if (std::getenv("CHUNKSCOPE_REGEN_GOLDEN")) {
    std::ofstream(path) << dot;
    WARN("regenerated " << path);
  }
  std::ifstream in(path);
  REQUIRE(in.good());  // create it: CHUNKSCOPE_REGEN_GOLDEN=1 ctest -R viz
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(dot == expected.str());
}
