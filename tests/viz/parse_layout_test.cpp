#include <catch2/catch.hpp>

#include "chunkscope/viz/layout.hpp"

using namespace chunkscope::viz;

namespace {
VisibleGraph two_nodes() {
  VisibleGraph g;
  VNode a, b;
  a.key = "l:a", b.key = "l:b";
  a.label = {"a"}, b.label = {"b"};
  g.nodes = {a, b};
  g.edges.push_back({"l:a", "l:b", "32×1024", 8, true, 1});
  g.clusters.push_back({"cluster_g:x", "x", ""});
  return g;
}
const char* kGood = R"({"name":"chunkscope","bb":"0,0,100,200",
  "objects":[{"name":"cluster_g:x","bb":"10,20,90,190"},
             {"name":"l:a","pos":"50,170","width":"1","height":"0.5"},
             {"name":"l:b","pos":"50,40","width":1,"height":0.5}],
  "edges":[{"tail":1,"head":2,"pos":"e,50,58 50,152 50,120 50,90 50,68","lp":"60,100"}]})";
}  // namespace

TEST_CASE("a layout's positions are flipped to y down and sized in points", "[viz][parse_layout]") {
  const Scene s = parse_layout(kGood, two_nodes());
  CHECK(s.width == 100);
  CHECK(s.height == 200);
  REQUIRE(s.nodes.size() == 2);
  CHECK(s.nodes[0].x == 50);
  CHECK(s.nodes[0].y == 30);  // 200 - 170
  CHECK(s.nodes[0].w == 72);
  CHECK(s.nodes[0].h == 36);
  REQUIRE(s.clusters.size() == 1);
  CHECK(s.clusters[0].x == 10);
  CHECK(s.clusters[0].y == 10);  // top-left: 200 - 190
  CHECK(s.clusters[0].h == 170);
  REQUIRE(s.edges.size() == 1);
  CHECK(s.edges[0].points.size() == 4);
  CHECK(s.edges[0].points[0].y == 48);
  REQUIRE(s.edges[0].arrow);
  CHECK(s.edges[0].arrow->y == 142);
  CHECK(s.edges[0].label_pos.x == 60);
  CHECK(s.edges[0].label == "32×1024");
  CHECK(s.edges[0].rechunk);
}

TEST_CASE("malformed layouts are LayoutErrors naming the field", "[viz][parse_layout]") {
  const VisibleGraph g = two_nodes();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "json"},
      {"{", "json"},
      {"[]", "json"},
      {"null", "json"},
      {R"({})", "graph.bb"},
      {R"({"bb":"0,0,1"})", "graph.bb"},
      {R"({"bb":"0,0,1,x"})", "graph.bb"},
      {R"({"bb":"0,0,1,nan"})", "graph.bb"},
      {R"({"bb":"0,0,1,1e999"})", "graph.bb"},
      {R"({"bb":7})", "graph.bb"},
      {R"({"bb":"0,0,10,10","objects":{}})", "objects"},
      {R"({"bb":"0,0,10,10","objects":[1]})", "objects[0]"},
      {R"({"bb":"0,0,10,10","objects":[{"pos":"1,1"}]})", "objects[0].name"},
      {R"({"bb":"0,0,10,10","objects":[]})", "missing from the layout"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1"},{"name":"l:b","pos":"1,1"}]})", ".pos"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1"},{"name":"l:b","pos":"1,1","width":1,"height":1}]})",
       ".width"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1","width":-1,"height":1},{"name":"l:b","pos":"1,1","width":1,"height":1}]})",
       "negative"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1","width":1,"height":1},{"name":"l:b","pos":"1,1","width":1,"height":1}]})",
       "missing from the layout"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1","width":1,"height":1},{"name":"l:b","pos":"1,1","width":1,"height":1}],"edges":[{"tail":0,"head":9}]})",
       "index out of range"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1","width":1,"height":1},{"name":"l:b","pos":"1,1","width":1,"height":1}],"edges":[{"tail":-1,"head":1}]})",
       "index out of range"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1","width":1,"height":1},{"name":"l:b","pos":"1,1","width":1,"height":1}],"edges":[{"tail":0,"head":1.5}]})",
       "edges[0].head"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1","width":1,"height":1},{"name":"l:b","pos":"1,1","width":1,"height":1}],"edges":[{"tail":0,"head":1}]})",
       ".pos: missing"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1","width":1,"height":1},{"name":"l:b","pos":"1,1","width":1,"height":1}],"edges":[{"tail":0,"head":1,"pos":"e,1,1"}]})",
       "fewer than 2"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1","width":1,"height":1},{"name":"l:b","pos":"1,1","width":1,"height":1}],"edges":[{"tail":0,"head":1,"pos":"1,1 2,,2"}]})",
       ".pos"},
      {R"({"bb":"0,0,10,10","objects":[{"name":"l:a","pos":"1,1","width":1,"height":1},{"name":"l:b","pos":"1,1","width":1,"height":1}],"edges":[{"tail":0,"head":1,"pos":"1,1 2,2","lp":[1]}]})",
       ".lp"},
  };
  for (const auto& [text, field] : cases) {
    INFO(text);
    try {
      parse_layout(text, g);
      FAIL("no LayoutError");
    } catch (const LayoutError& e) {
      CHECK_THAT(e.what(), Catch::Contains(field));
      CHECK(std::string(e.what()).find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("truncations and byte flips of a good layout never crash", "[viz][parse_layout]") {
  const VisibleGraph g = two_nodes();
  const std::string good = kGood;
  int errors = 0;
  for (size_t n = 0; n < good.size(); ++n) {
    try {
      parse_layout(good.substr(0, n), g);
    } catch (const LayoutError&) {
      ++errors;
    }
    std::string flipped = good;
    flipped[n] = static_cast<char>(flipped[n] ^ 0x5a);
    try {
      parse_layout(flipped, g);
    } catch (const LayoutError&) {
      ++errors;
    }
  }
  CHECK(errors >= static_cast<int>(good.size()));  // every truncation fails
}
