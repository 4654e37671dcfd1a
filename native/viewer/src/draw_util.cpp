#include "draw_util.hpp"

#include <algorithm>
#include <cctype>
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
  auto mix = [t](unsigned v) {
    return static_cast<unsigned>(static_cast<float>(v) + (255.0f - static_cast<float>(v)) * t);
  };
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
  unsigned r = (fill >> IM_COL32_R_SHIFT) & 0xff, g = (fill >> IM_COL32_G_SHIFT) & 0xff,
           b = (fill >> IM_COL32_B_SHIFT) & 0xff;
  return (r * 299 + g * 587 + b * 114) / 1000 > 140 ? IM_COL32(20, 20, 24, 255) : IM_COL32(245, 245, 245, 255);
}

std::vector<std::string> wrap_lines(const std::string& text, float width) {
  // Words: split at spaces, but a space after a digit joins ("12.4 ms" stays one word).
  std::vector<std::string> words;
  std::string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      words.push_back(cur + "\n");
      cur.clear();
    } else if (c == ' ' && !cur.empty() && !std::isdigit(static_cast<unsigned char>(cur.back()))) {
      words.push_back(cur);
      cur.clear();
    } else if (c != ' ' || !cur.empty()) {
      cur += c;
    }
  }
  if (!cur.empty()) words.push_back(cur);
  std::vector<std::string> lines;
  std::string line;
  for (auto w : words) {
    const bool hard = !w.empty() && w.back() == '\n';
    if (hard) w.pop_back();
    const std::string candidate = line.empty() ? w : line + " " + w;
    if (!line.empty() && ImGui::CalcTextSize(candidate.c_str()).x > width) {
      lines.push_back(line);
      line = w;
    } else {
      line = candidate;
    }
    if (hard) {
      lines.push_back(line);
      line.clear();
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

void wrapped_text(const std::string& text, ImU32 color) {
  const float width = std::max(ImGui::GetContentRegionAvail().x, 40.0f);
  if (color) ImGui::PushStyleColor(ImGuiCol_Text, color);
  for (const auto& line : wrap_lines(text, width)) ImGui::TextUnformatted(line.c_str());
  if (color) ImGui::PopStyleColor();
}

ImVec2 draw_legend(ImDrawList* dl, ImVec2 pos, float max_w, const viz::Legend& legend, bool with_note) {
  const ImU32 text = IM_COL32(215, 215, 225, 255), muted = IM_COL32(160, 160, 172, 255);
  const float lh = ImGui::GetTextLineHeight(), sw = lh * 0.8f;
  float x = pos.x, y = pos.y, right = pos.x;
  auto put = [&](const std::string& s, ImU32 c) {
    const float w = ImGui::CalcTextSize(s.c_str()).x;
    if (x > pos.x && x + w > pos.x + max_w) {
      x = pos.x;
      y += lh + 2;
    }
    dl->AddText(ImVec2(x, y), c, s.c_str());
    x += w + 6;
    right = std::max(right, x);
  };
  auto swatch = [&](const std::string& color, float w) {
    if (x > pos.x && x + w > pos.x + max_w) {
      x = pos.x;
      y += lh + 2;
    }
    dl->AddRectFilled(ImVec2(x, y + (lh - sw) / 2), ImVec2(x + w, y + (lh + sw) / 2), hex_color(color));
    x += w;
  };
  put(legend.title, muted);
  if (legend.ramp && !legend.entries.empty()) {
    put(legend.entries.front().label, text);
    const float cell = 14;
    if (x + cell * static_cast<float>(legend.entries.size()) > pos.x + max_w) {
      x = pos.x;
      y += lh + 2;
    }
    for (const auto& e : legend.entries) swatch(e.color, cell);
    x += 6;
    put(legend.entries.back().label, text);
  } else {
    for (const auto& e : legend.entries) {
      const float w = sw + 4 + ImGui::CalcTextSize(e.label.c_str()).x;
      if (x > pos.x && x + w > pos.x + max_w) {
        x = pos.x;
        y += lh + 2;
      }
      swatch(e.color, sw);
      x += 4;
      put(e.label, text);
      x += 4;
    }
  }
  if (with_note && !legend.note.empty()) {
    for (const auto& line : wrap_lines(legend.note, max_w)) {
      x = pos.x;
      y += lh + 2;
      dl->AddText(ImVec2(x, y), muted, line.c_str());
      right = std::max(right, x + ImGui::CalcTextSize(line.c_str()).x);
    }
  }
  return ImVec2(std::min(right - pos.x, max_w), y + lh - pos.y);
}

}  // namespace chunkscope::viewer
