#include "chunkscope/viz/palette.hpp"

#include <cmath>
#include <regex>

#include <catch2/catch.hpp>

using namespace chunkscope::viz;

TEST_CASE("value_color runs light to dark and clamps", "[viz][palette]") {
  const std::regex hex("#[0-9a-f]{6}");
  auto lightness = [](const std::string& c) {
    return std::stoi(c.substr(1, 2), nullptr, 16) + std::stoi(c.substr(3, 2), nullptr, 16) +
           std::stoi(c.substr(5, 2), nullptr, 16);
  };
  double prev = 1e9;
  for (double v = 0; v <= 1.0001; v += 0.1) {
    const std::string c = value_color(v);
    CHECK(std::regex_match(c, hex));
    CHECK(lightness(c) <= prev);
    prev = lightness(c);
  }
  CHECK(value_color(-3) == value_color(0));
  CHECK(value_color(7) == value_color(1));
  CHECK(value_color(std::nan("")) == value_color(0));
}

TEST_CASE("categorical colours are stable and distinct for neighbours", "[viz][palette]") {
  CHECK(layer_color(3) == layer_color(3));
  CHECK(layer_color(0) != layer_color(1));
  CHECK(layer_color(0) == layer_color(12));
  CHECK(worker_color(0) != worker_color(1));
  CHECK(worker_color(-1) == "#cccccc");
  CHECK(severity_color(2) != severity_color(1));
  CHECK(severity_color(-1) != severity_color(0));
}
