#pragma once
// Small drawing helpers shared by the panels: viz's "#rrggbb" colours as ImGui colours, and
// shapes and sizes as text.
#include <cstdint>
#include <string>
#include <vector>

#include <imgui.h>

namespace chunkscope::viewer {

/// "#rrggbb" -> packed ImGui colour with the given alpha; malformed -> grey.
ImU32 hex_color(const std::string& hex, int alpha = 255);
/// The colour mixed with white by t (0..1).
ImU32 lighten(ImU32 c, float t);
/// "64×64" ("scalar" for 0-d).
std::string shape_text(const std::vector<std::int64_t>& s);
/// Black or white, whichever reads better on the fill.
ImU32 text_on(ImU32 fill);

}  // namespace chunkscope::viewer
