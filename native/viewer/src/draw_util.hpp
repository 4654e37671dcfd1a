#pragma once
// Small drawing helpers shared by the panels: viz's "#rrggbb" colours as ImGui colours, and
// shapes and sizes as text.
#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

#include "chunkscope/viz/legend.hpp"

namespace chunkscope::viewer {

/// "#rrggbb" -> packed ImGui colour with the given alpha; malformed -> grey.
ImU32 hex_color(const std::string& hex, int alpha = 255);
/// The colour mixed with white by t (0..1).
ImU32 lighten(ImU32 c, float t);
/// "64×64" ("scalar" for 0-d).
std::string shape_text(const std::vector<std::int64_t>& s);
/// Black or white, whichever reads better on the fill.
ImU32 text_on(ImU32 fill);

/// Lines of `text` no wider than `width` pixels at the current font, broken only at spaces that
/// do not follow a digit ("12.4 ms", "1,234 tasks" and "3.2×" never split; ImGui's own wrapping
/// breaks after '.' and ',' inside numbers). A word wider than `width` gets a line of its own.
std::vector<std::string> wrap_lines(const std::string& text, float width);
/// Draws `text` wrapped by wrap_lines to the window's content width (ImGui::TextUnformatted per line).
void wrapped_text(const std::string& text, ImU32 color = 0);

/// Draws a legend at `pos` within `max_w` pixels: a ramp as "title  low [five swatches] high",
/// categories as swatch + label pairs flowing over lines, then the note (muted). Returns the size used.
ImVec2 draw_legend(ImDrawList* dl, ImVec2 pos, float max_w, const viz::Legend& legend, bool with_note = true);

}  // namespace chunkscope::viewer
