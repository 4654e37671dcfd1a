#include "memory_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "chunkscope/viz/format.hpp"
#include "chunkscope/viz/legend.hpp"
#include "draw_util.hpp"
#include "timeline_panel.hpp"

namespace chunkscope::viewer {

namespace {

// Curve colours: the host, then one per GPU (line; the fill is the same at low alpha).
constexpr ImU32 kCurve[] = {IM_COL32(110, 190, 255, 255), IM_COL32(118, 205, 120, 255), IM_COL32(245, 160, 80, 255),
                            IM_COL32(230, 120, 190, 255), IM_COL32(225, 205, 95, 255)};
ImU32 curve_color(int index, int alpha = 255) {
  return (kCurve[static_cast<size_t>(index) % std::size(kCurve)] & ~IM_COL32_A_MASK) |
         (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}
constexpr ImU32 kRss = IM_COL32(240, 240, 245, 255), kUnmanaged = IM_COL32(200, 150, 255, 255),
                kCpu = IM_COL32(120, 215, 200, 255);
constexpr ImU32 kLimit = IM_COL32(235, 70, 70, 255), kLimitText = IM_COL32(235, 90, 90, 255),
                kPeak = IM_COL32(255, 210, 80, 255), kMuted = IM_COL32(170, 170, 180, 255);

// Text on a dark backing, readable over the curve and the lines.
void label(ImDrawList* dl, ImVec2 at, ImU32 color, const std::string& text) {
  const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
  dl->AddRectFilled(ImVec2(at.x - 2, at.y), ImVec2(at.x + ts.x + 2, at.y + ts.y), IM_COL32(20, 20, 24, 200));
  dl->AddText(at, color, text.c_str());
}

}  // namespace

void MemoryPanel::draw(Document& doc) {
  const float label_w = lane_label_width(doc.model());  // the timeline's, so the time axes line up
  ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  const float width = std::max(avail.x - label_w, 20.0f);
  const int columns = std::max(1, static_cast<int>(width));
  const viz::MemoryView mv = viz::memory_view(doc.model(), doc.t0, doc.t1, columns);
  std::vector<const viz::MemoryCurve*> curves{&mv};
  for (const auto& d : mv.devices) curves.push_back(&d);
  // The stack by layer sorts every task's lifetime: computed when the window or width changes, not per frame.
  const viz::MemoryStack* stack = nullptr;
  if (doc.memory_by_layer) {
    if (stack_doc_ != &doc || stack_t0_ != doc.t0 || stack_t1_ != doc.t1 || stack_w_ != columns) {
      stack_ = viz::memory_stack(doc.model(), doc.t0, doc.t1, columns);
      stack_doc_ = &doc, stack_t0_ = doc.t0, stack_t1_ = doc.t1, stack_w_ = columns;
    }
    stack = &stack_;
  }
  const viz::ResourceView res = viz::resource_view(doc.model(), doc.t0, doc.t1, columns);

  // Legend row: the "total / by layer" toggle at its right end; a swatch per curve (by layer: per
  // band of the host stack), the RSS line, the limit's dash (when a curve has a limit), the peak's dot.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float legend_h = ImGui::GetTextLineHeight() + 4;
  const float toggle_w = ImGui::CalcTextSize("total").x + ImGui::CalcTextSize("by layer").x + 2 * 28 + 8;
  const float legend_end = p0.x + avail.x - toggle_w;
  {
    ImGui::SetCursorScreenPos(ImVec2(legend_end + 4, p0.y - 1));
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(2, 0));
    if (ImGui::RadioButton("total", !doc.memory_by_layer)) doc.memory_by_layer = false;
    ImGui::SameLine();
    if (ImGui::RadioButton("by layer", doc.memory_by_layer)) doc.memory_by_layer = true;
    ImGui::PopStyleVar();
  }
  float lx = p0.x + label_w;
  const float ly = p0.y + 1;
  auto key = [&](const std::string& text, ImU32 color = IM_COL32(210, 210, 215, 255)) {
    dl->AddText(ImVec2(lx, ly), color, text.c_str());
    lx += ImGui::CalcTextSize(text.c_str()).x + 14;
  };
  bool limits = false;
  nlohmann::json legend = nlohmann::json::array();
  for (size_t i = 0; i < curves.size(); ++i) limits = limits || curves[i]->limit > 0;
  if (stack) {
    // Room kept for what follows the bands: "+N more", the device curves, RSS, limit and peak keys.
    float reserve = ImGui::CalcTextSize("+99 more").x + ImGui::CalcTextSize("peak").x + 40;
    if (limits) reserve += ImGui::CalcTextSize("limit").x + 32;
    if (!res.empty()) reserve += ImGui::CalcTextSize("process RSS").x + 32;
    for (size_t i = 1; i < curves.size(); ++i) reserve += ImGui::CalcTextSize(curves[i]->device.c_str()).x + 30;
    size_t shown = 0;
    for (const auto& band : stack->bands) {
      if (lx + 16 + ImGui::CalcTextSize(band.label.c_str()).x + reserve > legend_end) break;
      dl->AddRectFilled(ImVec2(lx, ly + 4), ImVec2(lx + 12, ly + 12), hex_color(band.color), 2);
      lx += 16;
      key(band.label);
      legend.push_back(band.label);
      ++shown;
    }
    if (shown < stack->bands.size())
      key("+" + viz::fmt_count(static_cast<std::int64_t>(stack->bands.size() - shown)) + " more", kMuted);
  }
  for (size_t i = stack ? 1 : 0; i < curves.size(); ++i) {
    const std::string name = i == 0 && !res.empty() ? "chunk bytes" : curves[i]->device;
    dl->AddRectFilled(ImVec2(lx, ly + 4), ImVec2(lx + 12, ly + 12), curve_color(static_cast<int>(i), 200), 2);
    lx += 16;
    key(name);
    legend.push_back(name);
  }
  if (!res.empty()) {
    dl->AddLine(ImVec2(lx, ly + 8), ImVec2(lx + 14, ly + 8), kRss, 2.0f);
    lx += 18;
    key("process RSS");
    legend.push_back("process RSS");
  }
  if (limits) {
    for (float x = lx; x < lx + 14; x += 8)
      dl->AddLine(ImVec2(x, ly + 8), ImVec2(std::min(x + 5, lx + 14), ly + 8), kLimit, 1.5f);
    lx += 18;
    key("limit");
    legend.push_back("limit");
  }
  dl->AddCircleFilled(ImVec2(lx + 4, ly + 8), 4, kPeak);
  lx += 12;
  key("peak");
  legend.push_back("peak");
  doc.frame["memory_legend"] = legend;
  doc.frame["memory_mode"] = stack ? "by layer" : "total";
  if (stack) {
    nlohmann::json bands = nlohmann::json::array();
    for (const auto& band : stack->bands) bands.push_back({{"label", band.label}, {"peak_bytes", band.peak_bytes}});
    doc.frame["memory_stack"] = {{"by", stack->by}, {"bands", bands}};
  }

  // The selected layer's share of the peak, at the end of the legend row.
  const auto& layers = doc.model().layers();
  const double peak = static_cast<double>(std::max<std::int64_t>(mv.peak, 1));
  if (const int sel = doc.selected_layer(); sel >= 0) {
    const auto& l = layers[static_cast<size_t>(sel)];
    const std::string bytes = viz::fmt_bytes(static_cast<double>(l.peak_held_bytes)),
                      share = viz::fmt_percent(static_cast<double>(l.peak_held_bytes) / peak);
    // The long form where it fits before the toggle, else the short one, else nothing.
    for (const std::string& text :
         {"| " + l.id + ": " + bytes + " at the peak (" + share + ")", "| " + l.id + ": " + bytes + " (" + share + ")"})
      if (lx + ImGui::CalcTextSize(text.c_str()).x <= legend_end) {
        key(text);
        break;
      }
  }
  // What holds the memory at the peak: the layers' bytes held then, stacked in one bar (layer colours).
  std::vector<int> held;
  for (const auto& l : layers)
    if (l.peak_held_bytes > 0) held.push_back(l.layer);
  std::stable_sort(held.begin(), held.end(), [&](int a, int b) {
    return layers[static_cast<size_t>(a)].peak_held_bytes > layers[static_cast<size_t>(b)].peak_held_bytes;
  });
  float comp_h = 0;
  nlohmann::json comp = nlohmann::json::array();
  if (!held.empty()) {
    comp_h = ImGui::GetTextLineHeight() + 4;
    const float y = p0.y + legend_h, x0 = p0.x + label_w;
    dl->AddText(ImVec2(p0.x + 2, y), kMuted, "at peak");
    double total = 0;
    for (int l : held) total += static_cast<double>(layers[static_cast<size_t>(l)].peak_held_bytes);
    float x = x0;
    const ImGuiIO& io = ImGui::GetIO();
    for (int l : held) {
      const auto& st = layers[static_cast<size_t>(l)];
      const float w = static_cast<float>(static_cast<double>(st.peak_held_bytes) / std::max(total, peak) * width);
      const ImU32 c = hex_color(doc.layer_colors().color[static_cast<size_t>(l)]);
      const ImVec2 a(x, y + 1), b(x + std::max(w, 1.0f), y + comp_h - 3);
      dl->AddRectFilled(a, b, l == doc.selected_layer() || doc.selected_layer() < 0 ? c : lighten(c, 0.5f));
      if (l == doc.selected_layer())
        dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), IM_COL32(255, 255, 255, 255), 0, 0, 2);
      const std::string text = st.id + " " + viz::fmt_bytes(static_cast<double>(st.peak_held_bytes));
      if (ImGui::CalcTextSize(text.c_str()).x + 6 < w) dl->AddText(ImVec2(x + 3, y), text_on(c), text.c_str());
      if (io.MousePos.x >= a.x && io.MousePos.x < b.x && io.MousePos.y >= a.y && io.MousePos.y < b.y) {
        ImGui::SetTooltip("%s holds %s at the memory peak (%s of it)", st.id.c_str(),
                          viz::fmt_bytes(static_cast<double>(st.peak_held_bytes)).c_str(),
                          viz::fmt_percent(static_cast<double>(st.peak_held_bytes) / peak).c_str());
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) doc.select_layer(st.id);
      }
      if (comp.size() < 12) comp.push_back({{"layer", st.id}, {"bytes", st.peak_held_bytes}});
      x += w;
    }
  }
  doc.frame["memory_peak_composition"] = comp;
  const float cpu_h = res.empty() ? 0.0f : std::max(26.0f, ImGui::GetTextLineHeight() * 2 + 2);
  const float charts_h = std::max(avail.y - legend_h - comp_h - cpu_h, 30.0f * static_cast<float>(curves.size()));
  const float chart_h = charts_h / static_cast<float>(curves.size());
  float y = p0.y + legend_h + comp_h;
  for (size_t i = 0; i < curves.size(); ++i) {
    HostExtras extras;
    if (i == 0) extras = {stack, res.empty() ? nullptr : &res};
    draw_chart(doc, *curves[i], static_cast<int>(i), p0.x, y, label_w, width, chart_h, extras);
    y += chart_h;
    if (i == 0 && !res.empty()) {  // the CPU strip right under the host chart (RSS is drawn on it)
      draw_cpu(doc, res, p0.x, y, label_w, width, cpu_h);
      y += cpu_h;
    }
  }
  if (!res.empty())
    doc.frame["resources"] = {{"processes", res.processes.size()},
                              {"cores", res.cores},
                              {"rss_peak", res.rss_peak},
                              {"unmanaged_note", res.unmanaged_note}};
}

void MemoryPanel::draw_chart(Document& doc, const viz::MemoryCurve& c, int index, float x0, float y0, float label_w,
                             float width, float height, HostExtras extras) {
  ImGui::SetCursorScreenPos(ImVec2(x0, y0));
  ImGui::PushID(index);
  ImGui::InvisibleButton("memory_canvas", ImVec2(label_w + width, height));
  ImGui::PopID();
  const bool hovered = ImGui::IsItemHovered();
  const viz::MemoryStack* stack = extras.stack;
  const viz::ResourceView* res = extras.resources;

  double hi = static_cast<double>(std::max<std::int64_t>(c.peak, 1));
  for (double b : c.bytes) hi = std::max(hi, b);
  if (res)
    for (double b : res->rss)
      if (!std::isnan(b)) hi = std::max(hi, b);
  const viz::LimitScale ls = viz::limit_on_scale(c.limit, hi, c.peak);  // the rule both front-ends share
  const bool limit_on = ls.drawn;
  const double top = ls.top * 1.12;
  const ImVec2 area(x0 + label_w, y0 + 4);
  const float h = height - 8;
  const double span = static_cast<double>(std::max<std::int64_t>(doc.t1 - doc.t0, 1));
  auto X = [&](double t) { return static_cast<float>(area.x + (t - static_cast<double>(doc.t0)) / span * width); };
  auto Y = [&](double b) { return static_cast<float>(area.y + h - b / top * h); };

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(ImVec2(x0, y0), ImVec2(x0 + label_w + width, y0 + height), true);
  dl->AddRect(ImVec2(area.x, area.y), ImVec2(area.x + width, area.y + h), IM_COL32(255, 255, 255, 30));
  dl->AddText(ImVec2(x0 + 2, area.y), curve_color(index), c.device.c_str());
  dl->AddText(ImVec2(x0 + 2, area.y + ImGui::GetTextLineHeight()), kMuted, viz::fmt_bytes(top).c_str());
  dl->AddText(ImVec2(x0 + 2, area.y + h - 16), kMuted, "0 B");
  const int sel = doc.selected_layer();
  auto band_has = [](const viz::MemoryBand& b, int layer) {
    return std::find(b.layers.begin(), b.layers.end(), layer) != b.layers.end();
  };
  if (stack && !stack->total.empty()) {
    // By layer: per column the bands stacked from the bottom (largest at the peak first), the
    // selected layer's band bright and the others faded; the total's outline on top.
    std::vector<ImU32> fill(stack->bands.size());
    for (size_t k = 0; k < stack->bands.size(); ++k) {
      const ImU32 col = hex_color(stack->bands[k].color, 230);
      fill[k] = sel < 0 || band_has(stack->bands[k], sel) ? col : lighten(col, 0.55f);
    }
    for (size_t col = 0; col < stack->total.size(); ++col) {
      const float x = X(stack->t_ns[col]);
      double cum = 0;
      for (size_t k = 0; k < stack->bands.size(); ++k) {
        const double v = stack->bands[k].bytes[col];
        if (v <= 0) continue;
        dl->AddRectFilled(ImVec2(x, Y(cum + v)), ImVec2(x + 1.0f, Y(cum)), fill[k]);
        cum += v;
      }
      if (col + 1 < stack->total.size())
        dl->AddLine(ImVec2(x, Y(stack->total[col])), ImVec2(X(stack->t_ns[col + 1]), Y(stack->total[col + 1])),
                    IM_COL32(235, 235, 240, 200), 1.0f);
    }
  } else {
    // Envelope: per column a vertical bar from the lowest to the highest live bytes, filled below.
    const ImU32 fill = curve_color(index, 90), line = curve_color(index);
    for (size_t i = 0; i + 1 < c.t_ns.size(); i += 2) {
      float x = X(c.t_ns[i]);
      dl->AddRectFilled(ImVec2(x, Y(c.bytes[i + 1])), ImVec2(x + 1.0f, area.y + h), fill);
      dl->AddLine(ImVec2(x, Y(c.bytes[i])), ImVec2(x, Y(c.bytes[i + 1]) - 1.0f), line, 1.5f);
      if (i + 2 < c.t_ns.size())
        dl->AddLine(ImVec2(x, Y(c.bytes[i + 1])), ImVec2(X(c.t_ns[i + 2]), Y(c.bytes[i + 2])), line, 1.0f);
    }
  }
  if (res) {  // the processes' summed RSS as a line over the chunk bytes (gaps where not sampled)
    for (size_t col = 0; col + 1 < res->rss.size(); ++col) {
      const double a = res->rss[col], b = res->rss[col + 1];
      if (std::isnan(a) || std::isnan(b)) continue;
      dl->AddLine(ImVec2(X(res->t_ns[col]), Y(a)), ImVec2(X(res->t_ns[col + 1]), Y(b)), kRss, 1.5f);
    }
  }
  if (limit_on) {
    const float y = std::round(Y(static_cast<double>(c.limit)));
    for (float x = area.x; x < area.x + width; x += 10)
      dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + 6, area.x + width), y), kLimit, 1.5f);
    const std::string& text = ls.note;
    const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
    label(dl, ImVec2(area.x + width - ts.x - 4, y - ts.y - 2 < area.y ? y + 3 : y - ts.y - 2), kLimitText,
          text);             // under the line at the top
  } else if (c.limit > 0) {  // far above the curve: said, not drawn
    const std::string& text = ls.note;
    label(dl, ImVec2(area.x + width - ImGui::CalcTextSize(text.c_str()).x - 4, area.y + 1), kLimitText, text);
  }
  if (c.peak > 0 && c.peak_t >= doc.t0 && c.peak_t <= doc.t1) {
    ImVec2 pk(X(static_cast<double>(c.peak_t)), Y(static_cast<double>(c.peak)));
    dl->AddCircleFilled(pk, 4, kPeak);
    std::string text =
        "peak " + viz::fmt_bytes(static_cast<double>(c.peak)) + (c.peak_layer.empty() ? "" : " in " + c.peak_layer);
    ImVec2 ts = ImGui::CalcTextSize(text.c_str());
    const float tx = pk.x + 6 + ts.x <= area.x + width - 2
                         ? pk.x + 6
                         : std::max(area.x + 2, pk.x - 6 - ts.x);  // right of the dot, else left
    label(dl, ImVec2(tx, std::max(pk.y - ts.y - 2, area.y)), kPeak, text);
  }
  dl->PopClipRect();
  if (hovered && !c.t_ns.empty()) {
    ImGuiIO& io = ImGui::GetIO();
    const size_t col = static_cast<size_t>(std::clamp((io.MousePos.x - area.x), 0.0f, width - 1));
    if (2 * col + 1 < c.bytes.size()) {
      const double lo = c.bytes[2 * col], top_b = c.bytes[2 * col + 1];
      const double t = static_cast<double>(doc.t0) +
                       (static_cast<double>(col) + 0.5) / static_cast<double>(c.bytes.size() / 2) * span;
      // By layer: the band under the pointer (click selects its layer when it is one layer).
      const viz::MemoryBand* under = nullptr;
      if (stack && col < stack->total.size()) {
        double cum = 0;
        for (const auto& b : stack->bands) {
          const double v = b.bytes[col];
          if (v > 0 && io.MousePos.y <= Y(cum) && io.MousePos.y >= Y(cum + v)) under = &b;
          cum += v;
        }
        if (under && under->layers.size() == 1 && ImGui::IsMouseClicked(ImGuiMouseButton_Left))
          doc.select_layer(doc.model().layers()[static_cast<size_t>(under->layers[0])].id);
      }
      ImGui::BeginTooltip();
      ImGui::Text("%s at %s", c.device.c_str(), viz::fmt_duration(t).c_str());
      if (lo == top_b)
        ImGui::Text("%s live", viz::fmt_bytes(top_b).c_str());
      else
        ImGui::Text("%s to %s live in this pixel (zoom in for the steps)", viz::fmt_bytes(lo).c_str(),
                    viz::fmt_bytes(top_b).c_str());
      if (stack && col < stack->total.size()) {
        ImGui::TextDisabled("at %s, by %s:", viz::fmt_duration(stack->at_ns[col]).c_str(), stack->by.c_str());
        int lines = 0;
        for (size_t k = stack->bands.size(); k-- > 0;) {  // top of the stack first
          const auto& b = stack->bands[k];
          if (b.bytes[col] <= 0) continue;
          if (++lines > 8) break;
          ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(hex_color(b.color)), "%s%s  %s (%s)",
                             &b == under ? "> " : "", b.label.c_str(), viz::fmt_bytes(b.bytes[col]).c_str(),
                             viz::fmt_percent(stack->total[col] > 0 ? b.bytes[col] / stack->total[col] : 0).c_str());
        }
      }
      if (res && col < res->rss.size() && !std::isnan(res->rss[col])) {
        ImGui::Text("process RSS %s", viz::fmt_bytes(res->rss[col]).c_str());
        if (col < res->unmanaged.size() && !std::isnan(res->unmanaged[col]))
          ImGui::Text("unmanaged %s (%s)", viz::fmt_bytes(res->unmanaged[col]).c_str(), res->unmanaged_note.c_str());
      }
      if (c.limit > 0)
        ImGui::Text("limit %s, %s used", viz::fmt_bytes(static_cast<double>(c.limit)).c_str(),
                    viz::fmt_percent(top_b / static_cast<double>(c.limit)).c_str());
      else
        ImGui::TextUnformatted("no limit");
      if (c.peak > 0) {
        const std::string in = c.peak_layer.empty() ? "" : " in " + c.peak_layer;
        ImGui::Text("peak %s at %s%s", viz::fmt_bytes(static_cast<double>(c.peak)).c_str(),
                    viz::fmt_duration(static_cast<double>(c.peak_t)).c_str(), in.c_str());
      }
      ImGui::EndTooltip();
    }
  }
}

void MemoryPanel::draw_cpu(const Document& doc, const viz::ResourceView& r, float x0, float y0, float label_w,
                           float width, float height) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 area(x0 + label_w, y0 + 1);
  const float h = height - 3;
  const double full = 100.0 * std::max(r.cores, 1);  // the strip's top: every sampled core busy
  dl->AddRect(area, ImVec2(area.x + width, area.y + h), IM_COL32(255, 255, 255, 30));
  dl->AddText(ImVec2(x0 + 2, area.y), kCpu, "CPU");
  const std::string scale = viz::fmt_count(r.cores) + (r.cores == 1 ? " core" : " cores");
  dl->AddText(ImVec2(x0 + 2, area.y + ImGui::GetTextLineHeight() - 2), kMuted, scale.c_str());
  double most = 0;
  for (size_t col = 0; col < r.cpu_percent.size(); ++col) {
    const double v = r.cpu_percent[col];
    if (std::isnan(v)) continue;
    most = std::max(most, v);
    const float x = area.x + static_cast<float>(col) / static_cast<float>(r.cpu_percent.size()) * width;
    const float bh = static_cast<float>(std::min(v / full, 1.0)) * h;
    dl->AddRectFilled(ImVec2(x, area.y + h - bh), ImVec2(x + 1.0f, area.y + h), kCpu);
  }
  const std::string peak = "highest " + viz::fmt_percent(most / full) + " of " + scale + " busy";
  const ImVec2 ts = ImGui::CalcTextSize(peak.c_str());
  label(dl, ImVec2(area.x + width - ts.x - 4, area.y), kMuted, peak);
  const ImGuiIO& io = ImGui::GetIO();
  if (io.MousePos.x >= area.x && io.MousePos.x < area.x + width && io.MousePos.y >= area.y &&
      io.MousePos.y < area.y + h && !r.cpu_percent.empty()) {
    const auto col = static_cast<size_t>((io.MousePos.x - area.x) / width * static_cast<float>(r.cpu_percent.size()));
    if (col < r.cpu_percent.size() && !std::isnan(r.cpu_percent[col])) {
      ImGui::BeginTooltip();
      ImGui::Text("CPU at %s: %s%% (%s of %s cores; 100%% = one core busy)", viz::fmt_duration(r.t_ns[col]).c_str(),
                  viz::fmt_number(r.cpu_percent[col]).c_str(), viz::fmt_percent(r.cpu_percent[col] / full).c_str(),
                  viz::fmt_count(r.cores).c_str());
      for (const auto& p : r.processes)
        if (col < p.cpu_percent.size() && !std::isnan(p.cpu_percent[col]))
          ImGui::Text("  %s: %s%%, RSS %s", p.process.c_str(), viz::fmt_number(p.cpu_percent[col]).c_str(),
                      std::isnan(p.rss[col]) ? "-" : viz::fmt_bytes(p.rss[col]).c_str());
      ImGui::EndTooltip();
    }
  }
  (void)doc;
}

}  // namespace chunkscope::viewer
