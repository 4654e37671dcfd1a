// Legends and shared scale rules (legend.hpp).
#include "chunkscope/viz/legend.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "chunkscope/viz/format.hpp"
#include "chunkscope/viz/palette.hpp"
#include "labels.hpp"

namespace chunkscope::viz {
namespace {

// What a colour-by mode's values are, and how they are written.
const char* mode_title(ColorBy mode) {
  switch (mode) {
    case ColorBy::TimeShare: return "fill: busy time";
    case ColorBy::PeakMemory: return "fill: bytes held at the memory peak";
    case ColorBy::Tasks: return "fill: tasks";
    case ColorBy::ChunkBytes: return "fill: chunk bytes (largest chunk)";
    case ColorBy::CriticalPath: return "fill: time on the critical path";
    case ColorBy::Worker: return "fill: worker that ran most tasks";
    case ColorBy::Findings: return "fill: worst finding";
  }
  return "fill";
}

std::string mode_value(ColorBy mode, double v) {
  switch (mode) {
    case ColorBy::TimeShare:
    case ColorBy::CriticalPath: return fmt_duration(v);
    case ColorBy::PeakMemory:
    case ColorBy::ChunkBytes: return fmt_bytes(v);
    default: return fmt_count(std::llround(v));
  }
}

// Task nodes' metric, written in the unit of the mode (tasks: duration or bytes).
std::string task_value(ColorBy mode, double v) {
  switch (mode) {
    case ColorBy::TimeShare:
    case ColorBy::CriticalPath:
    case ColorBy::Tasks: return fmt_duration(v);
    default: return fmt_bytes(v);
  }
}

void add_group(const Model& m, int group, detail::Aggregate& a) {
  const GroupNode& g = m.groups()[static_cast<size_t>(group)];
  for (int l : g.layers) a.add(m.layers()[static_cast<size_t>(l)]);
  for (int c : g.groups) add_group(m, c, a);
}

Legend ramp(std::string title, double lo, double hi, const std::function<std::string(double)>& text) {
  Legend l;
  l.title = std::move(title);
  l.ramp = true;
  for (int i = 0; i <= 4; ++i) {
    const double t = i / 4.0;
    l.entries.push_back({value_color(t), text(lo + (hi - lo) * t)});
  }
  return l;
}

}  // namespace

Legend graph_legend(const Model& m, const VisibleGraph& g, ColorBy mode) {
  if (mode == ColorBy::Findings) {
    Legend l;
    l.title = mode_title(mode);
    const char* names[] = {"no finding", "info", "warning", "critical"};
    for (int s = -1; s <= 2; ++s) l.entries.push_back({value_color((s + 1) / 3.0), names[s + 1]});
    l.note = "outline: the same severities";
    return l;
  }
  if (mode == ColorBy::Worker) {
    Legend l;
    l.title = mode_title(mode);
    std::set<int> workers;
    for (const auto& n : g.nodes) {
      int w = -1;
      if (n.kind == VNode::Kind::Task)
        w = m.trace().tasks.worker[n.task];
      else if (n.kind == VNode::Kind::Group && n.group >= 0) {
        detail::Aggregate a;
        add_group(m, n.group, a);
        w = a.main_worker;
      } else if (n.layer >= 0)
        w = m.layers()[static_cast<size_t>(n.layer)].main_worker;
      workers.insert(w);
    }
    for (int w : workers) l.entries.push_back({worker_color(w), w < 0 ? "never ran" : "worker " + std::to_string(w)});
    return l;
  }
  double max_layer = 0, max_task = 0;
  bool tasks = false;
  for (const auto& n : g.nodes) {
    if (n.kind == VNode::Kind::Task) {
      max_task = std::max(max_task, detail::task_metric(m, n.task, mode));
      tasks = true;
    } else if (n.kind == VNode::Kind::Group && n.group >= 0) {
      detail::Aggregate a;
      add_group(m, n.group, a);
      max_layer = std::max(max_layer, detail::group_metric(a, mode));
    } else if (n.layer >= 0) {
      max_layer = std::max(max_layer, detail::layer_metric(m.layers()[static_cast<size_t>(n.layer)], mode));
    }
  }
  Legend l = ramp(mode_title(mode), 0, max_layer, [mode](double v) { return mode_value(mode, v); });
  l.note = "scale: 0 to the largest layer or group shown";
  if (tasks) l.note += "; task nodes: 0 to " + task_value(mode, max_task);
  return l;
}

LayerColors timeline_colors(const Model& m) {
  const auto& layers = m.layers();
  LayerColors out;
  out.color.assign(layers.size(), "#cccccc");
  out.key.assign(layers.size(), -1);
  out.legend.title = "layer colours";
  std::vector<int> ran;
  for (const auto& s : layers)
    if (s.busy_ns > 0 || s.main_worker >= 0) ran.push_back(s.layer);
  constexpr size_t kHues = 12;
  // Assigns one hue per distinct key (in order of first appearance along `ran`).
  auto by_key = [&](const std::function<std::string(const LayerStats&)>& key_of) {
    std::map<std::string, int> index;
    for (int l : ran) {
      const std::string k = key_of(layers[static_cast<size_t>(l)]);
      auto [it, added] = index.emplace(k, static_cast<int>(out.legend.entries.size()));
      if (added) out.legend.entries.push_back({layer_color(it->second), k});
      out.key[static_cast<size_t>(l)] = it->second;
      out.color[static_cast<size_t>(l)] = out.legend.entries[static_cast<size_t>(it->second)].color;
    }
  };
  auto distinct = [&](const std::function<std::string(const LayerStats&)>& key_of) {
    std::set<std::string> keys;
    for (int l : ran) keys.insert(key_of(layers[static_cast<size_t>(l)]));
    return keys.size();
  };
  auto group_of = [](const LayerStats& s) { return s.group.empty() ? std::string("(top level)") : s.group; };
  auto op_of = [](const LayerStats& s) { return s.op.empty() ? std::string("(no op)") : s.op; };
  const std::string count = fmt_count(static_cast<std::int64_t>(ran.size())) + " layers, 12 hues: ";
  if (ran.size() <= kHues) {
    out.by = "layer";
    by_key([](const LayerStats& s) { return s.id; });
  } else if (const size_t ng = distinct(group_of); ng >= 2 && ng <= kHues) {
    out.by = "group";
    by_key(group_of);
    out.legend.note = count + "coloured by group (hover a task for its layer)";
  } else if (const size_t no = distinct(op_of); no >= 2 && no <= kHues) {
    out.by = "op";
    by_key(op_of);
    out.legend.note = count + "coloured by op (hover a task for its layer)";
  } else {
    out.by = "busiest";
    std::vector<int> order = ran;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return layers[static_cast<size_t>(a)].busy_ns > layers[static_cast<size_t>(b)].busy_ns;
    });
    for (size_t i = 0; i < order.size(); ++i) {
      const auto l = static_cast<size_t>(order[i]);
      if (i + 1 < kHues) {
        out.key[l] = static_cast<int>(i);
        out.color[l] = layer_color(static_cast<int>(i));
        out.legend.entries.push_back({out.color[l], layers[l].id});
      } else {
        out.key[l] = static_cast<int>(kHues) - 1;
        out.color[l] = "#9ca3af";
      }
    }
    out.legend.entries.push_back(
        {"#9ca3af", "other layers (" + fmt_count(static_cast<std::int64_t>(order.size() - kHues + 1)) + ")"});
    out.legend.note = count + "the 11 busiest layers have their own colour, the others are grey";
  }
  return out;
}

std::pair<double, double> clipped_range(const std::vector<double>& values) {
  std::vector<double> v;
  v.reserve(values.size());
  for (double x : values)
    if (!std::isnan(x)) v.push_back(x);
  if (v.empty()) return {0, 0};
  if (v.size() < 50) {
    auto [a, b] = std::minmax_element(v.begin(), v.end());
    return {*a, *b};
  }
  const size_t a = v.size() / 50, b = v.size() - 1 - v.size() / 50;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(a), v.end());
  const double lo = v[a];
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(b), v.end());
  return {lo, v[b]};
}

GridScale grid_scale(const ChunkGrid& g, GridColor color) {
  GridScale s;
  bool any = false;
  for (double v : g.values)
    if (!std::isnan(v)) {
      s.true_min = any ? std::min(s.true_min, v) : v;
      s.true_max = any ? std::max(s.true_max, v) : v;
      any = true;
    }
  if (color == GridColor::Worker) {
    std::set<int> workers;
    for (double v : g.values)
      if (!std::isnan(v)) workers.insert(static_cast<int>(v));
    s.legend.title = "chunk colour: worker";
    for (int w : workers) s.legend.entries.push_back({worker_color(w), "worker " + std::to_string(w)});
    s.lo = s.true_min, s.hi = s.true_max;
    return s;
  }
  if (color == GridColor::Duration || color == GridColor::Bytes)
    std::tie(s.lo, s.hi) = clipped_range(g.values);
  else
    s.lo = s.true_min, s.hi = s.true_max;
  s.clipped = any && (s.lo != s.true_min || s.hi != s.true_max);
  const auto text = [color](double v) { return color == GridColor::Bytes ? fmt_bytes(v) : fmt_duration(v); };
  const char* title = color == GridColor::Duration ? "chunk colour: task duration"
                      : color == GridColor::Bytes  ? "chunk colour: output bytes"
                                                   : "chunk colour: start (from the run's start)";
  s.legend = ramp(title, s.lo, s.hi, text);
  if (!any)
    s.legend.note = "no task of this slice ran";
  else if (s.clipped)
    s.legend.note = "colours span " + text(s.lo) + " to " + text(s.hi) + " (2nd to 98th percentile); true range " +
                    text(s.true_min) + " to " + text(s.true_max) + ", cells beyond take the end colours";
  else
    s.legend.note = "range " + text(s.true_min) + " to " + text(s.true_max);
  return s;
}

LimitScale limit_on_scale(std::int64_t limit, double curve_max, std::int64_t peak) {
  LimitScale s;
  const double hi = std::max({curve_max, static_cast<double>(peak), 1.0});
  s.top = hi;
  if (limit <= 0) return s;
  const double lim = static_cast<double>(limit);
  s.drawn = lim <= kLimitOnScale * hi;
  if (s.drawn) {
    s.top = std::max(hi, lim);
    s.note = "limit " + fmt_bytes(lim);
  } else {
    s.note = "limit " + fmt_bytes(lim) + " off scale above";
    if (peak > 0) s.note += " (peak " + fmt_percent(static_cast<double>(peak) / lim) + " of it)";
  }
  return s;
}

}  // namespace chunkscope::viz
