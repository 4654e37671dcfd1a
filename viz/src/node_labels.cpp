// Label lines and colour-by values of visible-graph nodes.
#include <algorithm>
#include <cmath>

#include "chunkscope/viz/format.hpp"
#include "labels.hpp"

namespace chunkscope::viz::detail {
namespace {

// Every number through the shared formatter (format.hpp): "1,234 tasks", "12.4 ms (45%)".
std::string time_memory(std::int64_t busy_ns, double share, std::int64_t bytes, std::int64_t peak_bytes) {
  std::string s = fmt_duration(static_cast<double>(busy_ns)) + " (" + fmt_percent(share) + ") · " +
                  fmt_bytes(static_cast<double>(bytes));
  if (peak_bytes > 0) s += " · " + fmt_bytes(static_cast<double>(peak_bytes)) + " at peak";
  return s;
}

std::string plural(std::int64_t n, const char* word) { return fmt_count(n) + " " + word + (n == 1 ? "" : "s"); }

}  // namespace

void Aggregate::add(const LayerStats& s) {
  ++layers;
  tasks += s.tasks;
  busy_ns += s.busy_ns;
  bytes += s.bytes_out;
  peak_bytes += s.peak_held_bytes;
  critical_ns += s.critical_ns;
  chunk_bytes = std::max(chunk_bytes, s.chunk_bytes);
  if (created_at.empty()) created_at = s.created_at;
  if (s.main_worker >= 0 && s.tasks > main_worker_tasks) {
    main_worker = s.main_worker;
    main_worker_tasks = s.tasks;
  }
}

std::vector<std::string> layer_label(const LayerStats& s) {
  std::string line2 = s.op + "  " + s.shape_text + "  [" + s.chunk_shape_text + "]";
  std::vector<std::string> out{clean_utf8(s.id), clean_utf8(line2),
                               plural(s.chunks, "chunk") + " · " + plural(s.tasks, "task"),
                               time_memory(s.busy_ns, s.time_share, s.bytes_out, s.peak_held_bytes)};
  // Before the time line, which front-ends may replace ("not run").
  if (!s.created_at.empty()) out.insert(out.end() - 1, "created at " + clean_utf8(s.created_at));
  return out;
}

std::vector<std::string> group_label(const std::string& name, const Aggregate& a, std::int64_t run_busy_ns) {
  const double share = run_busy_ns > 0 ? static_cast<double>(a.busy_ns) / static_cast<double>(run_busy_ns) : 0.0;
  std::vector<std::string> out{clean_utf8(name), plural(a.layers, "layer") + " · " + plural(a.tasks, "task"),
                               time_memory(a.busy_ns, share, a.bytes, a.peak_bytes)};
  if (!a.created_at.empty()) out.insert(out.end() - 1, "created at " + clean_utf8(a.created_at));
  return out;
}

std::vector<std::string> task_label(const Model& m, std::int64_t task) {
  const TraceTasks& c = m.trace().tasks;
  const auto& tl = m.trace().layers[static_cast<size_t>(c.layer[task])];
  std::string where;
  if (c.stage[task] == 0 && c.chunk[task] >= 0 &&
      c.chunk[task] < m.layers()[static_cast<size_t>(c.layer[task])].chunks) {
    const Shape coords = tl.meta().chunk_coords(c.chunk[task]);
    where = "[";
    for (size_t a = 0; a < coords.size(); ++a) where += (a ? ", " : "") + std::to_string(coords[a]);
    where += "]";
  } else {
    where = "stage " + std::to_string(c.stage[task]) + " #" + fmt_count(c.chunk[task]);
  }
  std::string line2 = fmt_duration(static_cast<double>(c.duration(task)));
  line2 += c.worker[task] >= 0 ? " · worker " + std::to_string(c.worker[task]) : " · not run";
  return {where, line2};
}

std::vector<std::string> heatmap_label(const LayerStats& s) {
  return {clean_utf8(s.id), plural(s.tasks, "task") + ": chunk grid"};
}

double layer_metric(const LayerStats& s, ColorBy c) {
  switch (c) {
    case ColorBy::TimeShare: return static_cast<double>(s.busy_ns);
    case ColorBy::PeakMemory: return static_cast<double>(s.peak_held_bytes);
    case ColorBy::Tasks: return static_cast<double>(s.tasks);
    case ColorBy::ChunkBytes: return static_cast<double>(s.chunk_bytes);
    case ColorBy::CriticalPath: return static_cast<double>(s.critical_ns);
    case ColorBy::Findings: return (s.severity + 1) / 3.0;
    case ColorBy::Worker: return 0;
  }
  return 0;
}

double group_metric(const Aggregate& a, ColorBy c) {
  switch (c) {
    case ColorBy::TimeShare: return static_cast<double>(a.busy_ns);
    case ColorBy::PeakMemory: return static_cast<double>(a.peak_bytes);
    case ColorBy::Tasks: return static_cast<double>(a.tasks);
    case ColorBy::ChunkBytes: return static_cast<double>(a.chunk_bytes);
    case ColorBy::CriticalPath: return static_cast<double>(a.critical_ns);
    case ColorBy::Findings: return 0;  // set from the findings by the caller
    case ColorBy::Worker: return 0;
  }
  return 0;
}

double task_metric(const Model& m, std::int64_t task, ColorBy c) {
  const TraceTasks& t = m.trace().tasks;
  switch (c) {
    case ColorBy::TimeShare: return static_cast<double>(t.duration(task));
    case ColorBy::PeakMemory:
    case ColorBy::ChunkBytes: return static_cast<double>(t.bytes[task]);
    case ColorBy::Tasks: return 1;
    case ColorBy::CriticalPath: return m.on_critical_path(task) ? 1 : 0;
    case ColorBy::Findings: return (m.layers()[static_cast<size_t>(t.layer[task])].severity + 1) / 3.0;
    case ColorBy::Worker: return 0;
  }
  return 0;
}

bool absolute_mode(ColorBy c) { return c == ColorBy::Findings; }

std::string lower(std::string s) {
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

namespace {
// Calls ok(i, len) for each valid UTF-8 sequence and bad(i) for each byte that is not one.
template <class Ok, class Bad>
void walk_utf8(const std::string& s, Ok ok_seq, Bad bad) {
  const auto n = s.size();
  for (size_t i = 0; i < n;) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2 && b < 0xC2) ok = false;  // overlong
    if (ok) {
      ok_seq(i, len);
      i += len;
    } else {
      bad(i);
      ++i;
    }
  }
}
}  // namespace

std::string encode_key(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [&](size_t i) {
    static const char* digits = "0123456789ABCDEF";
    const auto b = static_cast<unsigned char>(s[i]);
    out += '%';
    out += digits[b >> 4];
    out += digits[b & 15];
  };
  walk_utf8(
      s,
      [&](size_t i, size_t len) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (len == 1 && (b < 0x20 || b == 0x7f || b == '%' || b == '\\'))
          hex(i);
        else
          out.append(s, i, len);
      },
      hex);
  return out;
}

std::string clean_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  walk_utf8(
      s, [&](size_t i, size_t len) { out.append(s, i, len); }, [&](size_t) { out += '?'; });
  return out;
}

}  // namespace chunkscope::viz::detail
