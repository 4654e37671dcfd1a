#include "chunkscope/viz/palette.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace chunkscope::viz {
namespace {

struct Rgb {
  double r, g, b;
};

std::string hex(Rgb c) {
  auto byte = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 255.0))); };
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", byte(c.r), byte(c.g), byte(c.b));
  return buf;
}

// Stops of a light-to-dark sequential ramp (close to matplotlib's "PuBu").
constexpr std::array<Rgb, 6> kRamp{
    {{247, 251, 255}, {208, 225, 242}, {148, 196, 223}, {74, 152, 201}, {33, 102, 172}, {8, 48, 107}}};
// Twelve distinguishable hues (Tableau-like).
constexpr std::array<const char*, 12> kCategories{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                                                  "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295"};

}  // namespace

std::string value_color(double v01) {
  const double v = std::isnan(v01) ? 0.0 : std::clamp(v01, 0.0, 1.0);
  const double pos = v * static_cast<double>(kRamp.size() - 1);
  const auto i = std::min(static_cast<size_t>(pos), kRamp.size() - 2);
  const double f = pos - static_cast<double>(i);
  const Rgb a = kRamp[i], b = kRamp[i + 1];
  return hex({a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f});
}

std::string layer_color(int layer) {
  if (layer < 0) return "#cccccc";
  return kCategories[static_cast<size_t>(layer) % kCategories.size()];
}

std::string worker_color(int worker) {
  if (worker < 0) return "#cccccc";
  // Offset by 5 (coprime with 12) so worker 0 and layer 0 differ.
  return kCategories[(static_cast<size_t>(worker) * 5 + 3) % kCategories.size()];
}

std::string severity_color(int severity) {
  switch (severity) {
    case 0: return "#2563eb";
    case 1: return "#ea580c";
    case 2: return "#dc2626";
    default: return "#6b7280";
  }
}

}  // namespace chunkscope::viz
