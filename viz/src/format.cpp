// Numbers for people: the one formatter of every front-end (format.hpp).
#include "chunkscope/viz/format.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "chunkscope/core/units.hpp"

namespace chunkscope::viz {
namespace {

std::string printf1(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// A non-negative value with 3 significant digits and no exponent: "123", "12.3", "1.23".
std::string sig3(double v) {
  if (v >= 999.5) return fmt_count(std::llround(v));
  if (v >= 99.95) return printf1("%.0f", v);
  if (v >= 9.995) return printf1("%.1f", v);
  return printf1("%.2f", v);
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

std::string fmt_count(std::int64_t n) { return format_count(n); }

std::string fmt_number(double v) { return format_number(v); }

std::string fmt_bytes(double bytes) {
  if (!std::isfinite(bytes)) return fmt_number(bytes) + " B";
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  const bool neg = bytes < 0;
  double v = std::fabs(bytes);
  if (v < 1024) return (neg ? "-" : "") + fmt_count(std::llround(v)) + " B";
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  if (v >= 1023.5 && u < 6) {  // "1,024 KiB" reads as "1.00 MiB"
    v /= 1024;
    ++u;
  }
  return (neg ? "-" : "") + sig3(v) + " " + units[u];
}

std::string fmt_duration(double ns) {
  if (!std::isfinite(ns)) return fmt_number(ns) + " s";
  const bool neg = ns < 0;
  const double a = std::fabs(ns);
  std::string s;
  if (a >= 999.5e6)
    s = sig3(a / 1e9) + " s";
  else if (a >= 999.5e3)
    s = sig3(a / 1e6) + " ms";
  else if (a >= 999.5)
    s = sig3(a / 1e3) + " µs";
  else
    s = printf1("%.0f", a) + " ns";
  return neg ? "-" + s : s;
}

std::string fmt_percent(double share) { return format_percent(share); }

std::string fmt_ratio(double ratio) { return format_ratio(ratio); }

std::string fmt_limit(std::int64_t limit_bytes) {
  return limit_bytes <= 0 ? "no limit" : fmt_bytes(static_cast<double>(limit_bytes));
}

std::string fmt_shape(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += "×";
    out += shape[i] < 0 ? "?" : std::to_string(shape[i]);
  }
  return out;
}

std::string fmt_change(double before, double after, double floor) {
  if (before == after) return "same";
  if (floor > 0 && std::fabs(before) < floor && std::fabs(after) < floor) return "about the same";
  if (before <= 0) return "new";
  if (after <= 0) return "gone";
  const double r = after / before;
  if (r >= 2) return fmt_ratio(r) + " more";
  if (r <= 0.5) return fmt_ratio(1 / r) + " less";
  const double pct = (r - 1) * 100;
  const double a = std::fabs(pct);
  std::string s = a >= 9.95 ? printf1("%.0f", a) : a >= 0.095 ? printf1("%.1f", a) : std::string("<0.1");
  return (pct > 0 ? "+" : "-") + s + "%";
}

std::string evidence_label(std::string_view name) {
  std::string_view base = name, who;
  if (const auto colon = name.find(':'); colon != std::string_view::npos) {
    base = name.substr(0, colon);
    who = name.substr(colon + 1);
  }
  if (base == "held_at_peak") return "held at the peak by " + std::string(who);
  if (base == "critical") return "time on the critical path in " + std::string(who);
  if (base == "idle_during") return "idle during " + std::string(who);
  if (base == "peak_t_ns") return "time of the peak";
  if (base == "idle_with_no_task_running_ns") return "idle time with no task running";
  std::string words(base);
  if (ends_with(words, "_ns"))
    words = words.substr(0, words.size() - 3) + (ends_with(words.substr(0, words.size() - 3), "time") ? "" : "_time");
  for (char& c : words)
    if (c == '_') c = ' ';
  if (!who.empty()) words += " (" + std::string(who) + ")";
  return words;
}

std::string evidence_value(const Evidence& e) {
  const std::string_view u = e.unit;
  if (!e.text.empty() && (u == "shape" || u.empty())) return e.text;
  if (u == "ns") return fmt_duration(e.value);
  if (u == "B") {
    if (e.value <= 0 && e.name == "memory_limit") return "no limit";
    return fmt_bytes(e.value);
  }
  if (u == "B/s") return fmt_bytes(e.value) + "/s";
  if (u == "ratio") return fmt_ratio(e.value);
  if (u == "share" || u == "%") return fmt_percent(u == "%" ? e.value / 100.0 : e.value);
  if (u == "count" || u.empty()) return fmt_number(e.value);
  if (!e.text.empty()) return e.text;
  return fmt_number(e.value) + " " + std::string(u);
}

std::string evidence_line(const Evidence& e) { return evidence_label(e.name) + ": " + evidence_value(e); }

}  // namespace chunkscope::viz
