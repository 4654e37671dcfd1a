#include "chunkscope/core/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "chunkscope/core/terminal_text.hpp"
#include "chunkscope/core/trace_summary.hpp"
#include "chunkscope/core/units.hpp"

namespace chunkscope {
namespace {

/// Pairs of layer indices (a, b), -1 where a layer has no partner: by id, then by a name or an op
/// that exactly one unmatched layer of each run has.
std::vector<std::pair<int, int>> match_layers(const Trace& a, const Trace& b, std::vector<std::string>& how) {
  const int na = static_cast<int>(a.layers.size()), nb = static_cast<int>(b.layers.size());
  std::vector<int> to_b(na, -1), to_a(nb, -1);
  std::vector<std::string> by(na);
  for (int i = 0; i < na; ++i)
    if (const int j = b.find_layer(a.layers[i].id); j >= 0 && to_a[j] < 0) {
      to_b[i] = j;
      to_a[j] = i;
      by[i] = "id";
    }
  auto by_key = [&](auto key, const char* name) {
    std::map<std::string, std::pair<int, int>> ca, cb;  // key -> (count, last index)
    for (int i = 0; i < na; ++i)
      if (to_b[i] < 0 && !key(a.layers[i]).empty()) {
        auto& e = ca[key(a.layers[i])];
        e = {e.first + 1, i};
      }
    for (int j = 0; j < nb; ++j)
      if (to_a[j] < 0 && !key(b.layers[j]).empty()) {
        auto& e = cb[key(b.layers[j])];
        e = {e.first + 1, j};
      }
    for (const auto& [k, ea] : ca)
      if (auto it = cb.find(k); ea.first == 1 && it != cb.end() && it->second.first == 1) {
        to_b[ea.second] = it->second.second;
        to_a[it->second.second] = ea.second;
        by[ea.second] = name;
      }
  };
  by_key([](const TraceLayer& l) { return l.name; }, "name");
  by_key([](const TraceLayer& l) { return l.op; }, "op");
  std::vector<std::pair<int, int>> out;
  for (int i = 0; i < na; ++i) {
    out.emplace_back(i, to_b[i]);
    how.push_back(by[i]);
  }
  for (int j = 0; j < nb; ++j)
    if (to_a[j] < 0) {
      out.emplace_back(-1, j);
      how.emplace_back();
    }
  return out;
}

void flag(ComparedValue& v, double ratio, double floor) {
  v.regression = v.b > v.a * (1 + ratio) && v.b - v.a >= floor;
  v.improvement = v.b < v.a * (1 - ratio) && v.a - v.b >= floor;
}

std::string signed_text(double d, bool bytes) {
  if (d == 0) return "0";
  const std::string abs = bytes ? format_bytes(std::fabs(d)) : format_duration_ns(std::fabs(d));
  return (d > 0 ? "+" : "-") + abs;
}

std::string count_change(double a, double b) {
  const auto d = static_cast<long long>(b - a);
  return d == 0 ? "0" : (d > 0 ? "+" : "") + std::to_string(d);
}

std::string with_relative(const std::string& abs, double a, double b) {
  const std::string rel = relative_change_text(a, b);
  return rel.empty() || abs == "0" ? abs : abs + " (" + rel + ")";
}

}  // namespace

std::string relative_change_text(double a, double b) {
  if (a == 0 && b == 0) return "";
  if (a <= 0) return "new";
  if (b <= 0) return "gone";
  const double r = b / a;
  char buf[32];
  if (r > 1000) return ">1000×";
  if (r > 2) {
    std::snprintf(buf, sizeof buf, r >= 10 ? "%.0f×" : "%.1f×", r);
    return buf;
  }
  const double pct = (r - 1) * 100;
  if (std::fabs(pct) < 0.5) return "0%";
  std::snprintf(buf, sizeof buf, "%+.0f%%", pct);
  return buf;
}

TraceComparison compare_traces(const Trace& a, const Trace& b, const CompareOptions& o) {
  const TraceSummary sa = summarize(a), sb = summarize(b);
  TraceComparison c;
  c.pipeline_a = a.meta.pipeline;
  c.pipeline_b = b.meta.pipeline;
  auto dbl = [](std::int64_t v) { return static_cast<double>(v); };
  c.wall_ns = {dbl(a.meta.wall_ns), dbl(b.meta.wall_ns)};
  c.peak_bytes = {dbl(a.memory.peak_bytes), dbl(b.memory.peak_bytes)};
  c.tasks = {dbl(a.tasks.size()), dbl(b.tasks.size())};
  c.busy_ns = {dbl(sa.busy_ns), dbl(sb.busy_ns)};
  c.critical_ns = {dbl(sa.critical_ns), dbl(sb.critical_ns)};
  const double time_floor = std::max(dbl(o.min_time_ns), o.time_share * c.busy_ns.a);
  const double memory_floor = std::max(dbl(o.min_memory_bytes), o.memory_share * c.peak_bytes.a);
  flag(c.wall_ns, o.time_ratio, std::max(dbl(o.min_time_ns), o.time_share * c.wall_ns.a));
  flag(c.peak_bytes, o.memory_ratio, memory_floor);
  c.regressions = c.wall_ns.regression + c.peak_bytes.regression;
  std::vector<std::string> how;
  const auto pairs = match_layers(a, b, how);
  for (size_t k = 0; k < pairs.size(); ++k) {
    const auto [i, j] = pairs[k];
    LayerComparison l;
    l.layer_a = i;
    l.layer_b = j;
    l.matched_by = how[k];
    if (i >= 0) {
      const TraceLayer& la = a.layers[i];
      const LayerSummary& s = sa.layers[i];
      l.id_a = la.id;
      l.op = la.op;
      l.chunk_shape_a = la.chunk_shape_text();
      l.tasks.a = dbl(s.tasks);
      l.busy_ns.a = dbl(s.busy_ns);
      l.peak_live_bytes.a = dbl(s.peak_live_bytes);
      l.output_bytes.a = dbl(s.output_bytes);
    }
    if (j >= 0) {
      const TraceLayer& lb = b.layers[j];
      const LayerSummary& s = sb.layers[j];
      l.id_b = lb.id;
      if (!lb.op.empty()) l.op = lb.op;
      l.chunk_shape_b = lb.chunk_shape_text();
      l.tasks.b = dbl(s.tasks);
      l.busy_ns.b = dbl(s.busy_ns);
      l.peak_live_bytes.b = dbl(s.peak_live_bytes);
      l.output_bytes.b = dbl(s.output_bytes);
    }
    if (i >= 0 && j >= 0) {  // a layer new in B is reported as added, not as a regression
      flag(l.busy_ns, o.time_ratio, time_floor);
      flag(l.peak_live_bytes, o.memory_ratio, memory_floor);
    }
    c.regressions += l.busy_ns.regression + l.peak_live_bytes.regression;
    c.layers.push_back(std::move(l));
  }
  return c;
}

std::string change_text(const ComparedValue& v, const std::string& unit) {
  const std::string abs = unit == "ns"      ? signed_text(v.change(), false)
                          : unit == "bytes" ? signed_text(v.change(), true)
                                            : count_change(v.a, v.b);
  return with_relative(abs, v.a, v.b);
}

std::string comparison_table(const TraceComparison& c) {
  std::ostringstream out;
  auto table = [&](const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                   size_t first_right) {
    std::vector<size_t> w(head.size());
    for (size_t k = 0; k < head.size(); ++k) {
      w[k] = text_width(head[k]);
      for (const auto& r : rows) w[k] = std::max(w[k], text_width(r[k]));
    }
    auto line = [&](const std::vector<std::string>& r) {
      std::string s;
      for (size_t k = 0; k < r.size(); ++k)
        s += (k ? "  " : "") + pad_text(r[k], w[k], k >= first_right && k + 1 < r.size());
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out << s << "\n";
    };
    line(head);
    for (const auto& r : rows) line(r);
  };
  auto time_row = [](const char* name, const ComparedValue& v) {
    return std::vector<std::string>{name, format_duration_ns(v.a), format_duration_ns(v.b), change_text(v, "ns"),
                                    v.regression ? "!" : ""};
  };
  std::vector<std::vector<std::string>> run;
  run.push_back(time_row("wall time", c.wall_ns));
  run.push_back({"peak memory", format_bytes(c.peak_bytes.a), format_bytes(c.peak_bytes.b),
                 change_text(c.peak_bytes, "bytes"), c.peak_bytes.regression ? "!" : ""});
  run.push_back({"tasks", std::to_string(static_cast<long long>(c.tasks.a)),
                 std::to_string(static_cast<long long>(c.tasks.b)), change_text(c.tasks, ""), ""});
  run.push_back(time_row("busy time", c.busy_ns));
  run.push_back(time_row("critical path", c.critical_ns));
  table({"run", "before", "after", "change", ""}, run, 1);
  out << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : c.layers) {
    std::string name;
    if (l.layer_a < 0)
      name = terminal_safe(l.id_b) + " (only after)";
    else if (l.layer_b < 0)
      name = terminal_safe(l.id_a) + " (only before)";
    else if (l.id_a == l.id_b)
      name = terminal_safe(l.id_a);
    else
      name = terminal_safe(l.id_a) + " → " + terminal_safe(l.id_b);
    const bool both = l.layer_a >= 0 && l.layer_b >= 0;
    auto pair = [&](const std::string& x, const std::string& y) {
      if (l.layer_a < 0) return "→ " + y;
      if (l.layer_b < 0) return x + " →";
      return x == y ? x : x + " → " + y;
    };
    const std::string shapes = pair(terminal_safe(l.chunk_shape_a), terminal_safe(l.chunk_shape_b));
    const std::string tasks =
        pair(std::to_string(static_cast<long long>(l.tasks.a)), std::to_string(static_cast<long long>(l.tasks.b)));
    const std::string time = pair(format_duration_ns(l.busy_ns.a), format_duration_ns(l.busy_ns.b));
    const std::string mem = pair(format_bytes(l.peak_live_bytes.a), format_bytes(l.peak_live_bytes.b));
    std::string flags;
    if (l.busy_ns.regression) flags += "! time";
    if (l.peak_live_bytes.regression) flags += flags.empty() ? "! memory" : ", memory";
    rows.push_back({name, terminal_safe(l.op), shapes, tasks, time, both ? change_text(l.busy_ns, "ns") : "", mem,
                    both ? change_text(l.peak_live_bytes, "bytes") : "", flags});
  }
  table({"layer", "op", "chunks before → after", "tasks", "time", "time change", "peak mem", "mem change", ""}, rows,
        3);
  if (c.regressions == 0)
    out << "no regressions\n";
  else
    out << c.regressions << (c.regressions == 1 ? " regression" : " regressions") << " (marked !)\n";
  return out.str();
}

nlohmann::json comparison_to_json(const TraceComparison& c) {
  auto value = [](const ComparedValue& v, const char* unit, bool present_a = true, bool present_b = true) {
    nlohmann::json j = {{"before", present_a ? nlohmann::json(v.a) : nlohmann::json(nullptr)},
                        {"after", present_b ? nlohmann::json(v.b) : nlohmann::json(nullptr)},
                        {"regression", v.regression},
                        {"improvement", v.improvement}};
    if (present_a && present_b) {
      j["change"] = v.change();
      j["relative"] = v.a > 0 ? nlohmann::json(v.b / v.a - 1) : nlohmann::json(nullptr);
      j["relative_text"] = relative_change_text(v.a, v.b);
      j["change_text"] = change_text(v, unit);
    }
    return j;
  };
  nlohmann::json j;
  j["pipeline_before"] = c.pipeline_a;
  j["pipeline_after"] = c.pipeline_b;
  j["run"] = {{"wall_ns", value(c.wall_ns, "ns")},
              {"peak_bytes", value(c.peak_bytes, "bytes")},
              {"tasks", value(c.tasks, "")},
              {"busy_ns", value(c.busy_ns, "ns")},
              {"critical_ns", value(c.critical_ns, "ns")}};
  j["layers"] = nlohmann::json::array();
  for (const auto& l : c.layers) {
    const bool pa = l.layer_a >= 0, pb = l.layer_b >= 0;
    j["layers"].push_back(
        {{"id_before", pa ? nlohmann::json(l.id_a) : nlohmann::json(nullptr)},
         {"id_after", pb ? nlohmann::json(l.id_b) : nlohmann::json(nullptr)},
         {"op", l.op},
         {"matched_by", l.matched_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(l.matched_by)},
         {"chunk_shape_before", pa ? nlohmann::json(l.chunk_shape_a) : nlohmann::json(nullptr)},
         {"chunk_shape_after", pb ? nlohmann::json(l.chunk_shape_b) : nlohmann::json(nullptr)},
         {"layer_before", l.layer_a},
         {"layer_after", l.layer_b},
         {"tasks", value(l.tasks, "", pa, pb)},
         {"busy_ns", value(l.busy_ns, "ns", pa, pb)},
         {"peak_live_bytes", value(l.peak_live_bytes, "bytes", pa, pb)},
         {"output_bytes", value(l.output_bytes, "bytes", pa, pb)},
         {"regression", l.regression()}});
  }
  j["regressions"] = c.regressions;
  return j;
}

}  // namespace chunkscope
