#include "draw_util.hpp"

#include <cstdlib>

namespace chunkscope::viewer {

ImU32 hex_color(const std::string& hex, int alpha) {
  if (hex.size() != 7 || hex[0] != '#') return IM_COL32(128, 128, 128, alpha);
  char* end = nullptr;
  unsigned long v = std::strtoul(hex.c_str() + 1, &end, 16);
  if (end != hex.c_str() + 7) return IM_COL32(128, 128, 128, alpha);
  return IM_COL32((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff, alpha);
}

ImU32 lighten(ImU32 c, float t) {
  auto mix = [t](unsigned v) { return static_cast<unsigned>(static_cast<float>(v) + (255.0f - static_cast<float>(v)) * t); };
  return IM_COL32(mix((c >> IM_COL32_R_SHIFT) & 0xff), mix((c >> IM_COL32_G_SHIFT) & 0xff),
                  mix((c >> IM_COL32_B_SHIFT) & 0xff), (c >> IM_COL32_A_SHIFT) & 0xff);
}

std::string shape_text(const std::vector<std::int64_t>& s) {
  if (s.empty()) return "scalar";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "\xC3\x97" : "") + std::to_string(s[i]);
  return out;
}

ImU32 text_on(ImU32 fill) {
  unsigned r = (fill >> IM_COL32_R_SHIFT) & 0xff, g = (fill >> IM_COL32_G_SHIFT) & 0xff, b = (fill >> IM_COL32_B_SHIFT) & 0xff;
  return (r * 299 + g * 587 + b * 114) / 1000 > 140 ? IM_COL32(20, 20, 24, 255) : IM_COL32(245, 245, 245, 255);
}

}  // namespace chunkscope::viewer
