#include "chunkscope/core/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

namespace chunkscope {

std::optional<std::int64_t> parse_bytes(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  const size_t num_begin = i;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == num_begin) return std::nullopt;
  double value = 0;
  try {
    const std::string number(text.substr(num_begin, i - num_begin));
    size_t used = 0;
    value = std::stod(number, &used);
    if (used != number.size()) return std::nullopt;  // "1.2.3"
  } catch (...) {
    return std::nullopt;
  }
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::string unit;
  for (; i < text.size(); ++i) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) break;
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i != text.size()) return std::nullopt;
  double mult = 1;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "k" || unit == "kb")
    mult = 1e3;
  else if (unit == "m" || unit == "mb")
    mult = 1e6;
  else if (unit == "g" || unit == "gb")
    mult = 1e9;
  else if (unit == "t" || unit == "tb")
    mult = 1e12;
  else if (unit == "kib" || unit == "ki")
    mult = 1024.0;
  else if (unit == "mib" || unit == "mi")
    mult = 1024.0 * 1024;
  else if (unit == "gib" || unit == "gi")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "tib" || unit == "ti")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else
    return std::nullopt;
  const double bytes = value * mult;
  if (!std::isfinite(bytes) || bytes < 0 || bytes > 9.0e18) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(bytes));
}

std::string format_bytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  double v = bytes;
  while (std::fabs(v) >= 1024.0 && u < 5) {
    v /= 1024.0;
    ++u;
  }
  char buf[64];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%.0f B", v);
  else
    std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f %s" : (v >= 10 ? "%.1f %s" : "%.2f %s"), v, units[u]);
  return buf;
}

std::string format_duration_ns(double ns) {
  char buf[64];
  const double a = std::fabs(ns);
  if (a >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  else if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1f ms", ns / 1e6);
  else if (a >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1f µs", ns / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  return buf;
}

namespace {

std::string printf1(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

std::string format_count(std::int64_t n) {
  const bool neg = n < 0;
  // Magnitude as unsigned (INT64_MIN has no positive int64).
  std::uint64_t u = neg ? static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  std::string digits = std::to_string(u), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return neg ? "-" + out : out;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "∞" : "-∞";
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e18) return v > 0 ? "≥1e18" : "≤-1e18";
  if (a >= 100 || (a == std::floor(a))) return format_count(std::llround(v));
  if (a < 0.001) return v > 0 ? "<0.001" : ">-0.001";
  std::string s = printf1("%.3g", a);
  return v < 0 ? "-" + s : s;
}

std::string format_percent(double share) {
  if (!std::isfinite(share)) return format_number(share);
  const double p = share * 100.0, a = std::fabs(p);
  std::string s;
  if (a == 0) return "0%";
  if (a >= 999.5)
    s = format_count(std::llround(a));
  else if (a >= 9.95)
    s = printf1("%.0f", a);
  else if (a >= 0.995)
    s = printf1("%.1f", a);
  else if (a >= 0.00995)
    s = printf1("%.2g", a);
  else
    return p > 0 ? "<0.01%" : ">-0.01%";
  return (p < 0 ? "-" : "") + s + "%";
}

std::string format_ratio(double ratio) {
  if (!std::isfinite(ratio)) return format_number(ratio) + "×";
  const double a = std::fabs(ratio);
  if (a == 0) return "0×";
  if (a < 0.1) return format_percent(ratio);
  std::string s;
  if (a >= 99.5)
    s = format_count(std::llround(a));
  else if (a >= 9.95)
    s = printf1("%.0f", a);
  else if (a >= 0.995)
    s = printf1("%.1f", a);
  else
    s = printf1("%.2f", a);
  return (ratio < 0 ? "-" : "") + s + "×";
}

}  // namespace chunkscope
