#pragma once
// Numbers for people, one formatter for every front-end (the browser through WebAssembly, the
// native viewer, labels made in viz/): thousands separators, byte sizes and durations with
// their units, factors without exponents, shares as percentages, "no limit" for an unset limit,
// relative changes that stay sane on tiny baselines, and findings' evidence with human labels.
//
//   viz::fmt_count(1234567);                 // "1,234,567"
//   viz::fmt_ratio(110.4);                   // "110×"   (never "1.1e+02×")
//   viz::fmt_ratio(0.00035);                 // "0.035%" (never "0.00035×")
//   viz::fmt_limit(0);                       // "no limit"
//   viz::evidence_label("held_at_peak:img"); // "held at the peak by img"
//   viz::fmt_change(3, 40, 1000);            // "about the same" (both below the 1 µs floor)
#include <cstdint>
#include <string>
#include <string_view>

#include "chunkscope/core/analysis/findings.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope::viz {

/// An integer with thousands separators: "1,234,567", "-12,000", "7".
std::string fmt_count(std::int64_t n);
/// A plain number: integers (and |v| >= 100) rounded with separators ("1,234"), else 3
/// significant digits without an exponent ("12.3", "0.0123"); below 0.001 "<0.001" (0 is "0").
std::string fmt_number(double v);
/// "512 B", "1,000 B", "1.50 KiB", "12.3 MiB", "130 GiB" (binary units, 3 significant digits).
std::string fmt_bytes(double bytes);
/// "120 ns", "850 µs", "12.4 ms", "1.23 s", "1,234 s" (never an exponent).
std::string fmt_duration(double ns);
/// A share 0..1 as a percentage: "45%", "4.5%", "0.35%", "<0.01%" (0 is "0%").
std::string fmt_percent(double share);
/// A factor: "3.2×", "12×", "1,100×"; below 0.1 written as a percentage ("0.035%"), never
/// an exponent or a run of zeros.
std::string fmt_ratio(double ratio);
/// A memory limit: "no limit" when <= 0, else fmt_bytes.
std::string fmt_limit(std::int64_t limit_bytes);
/// "512×512", "scalar" for 0-d, "?" for an unknown (negative) size.
std::string fmt_shape(const Shape& shape);

/// How `after` differs from `before` (both >= 0, the same unit): "same" when equal, "new" when
/// before is 0, "gone" when after is 0, "+45%" / "−12%" for changes below 2×, "3.2× more" /
/// "3.2× less" beyond. When both are below `floor` (e.g. 1 µs, 1 KiB: numbers too small to mean
/// anything) "about the same": a 3 ns -> 40 ns change is not "+1,233%".
std::string fmt_change(double before, double after, double floor = 0);

/// The human label of an evidence name: "held_at_peak:img" -> "held at the peak by img",
/// "memory_limit" -> "memory limit", "chunk_bytes" -> "chunk bytes" (snake_case words; a
/// ":suffix" names a layer or a worker).
std::string evidence_label(std::string_view name);
/// The evidence's value for people by its unit ("ns", "B", "B/s", "ratio", "share", "count",
/// "shape"); a 0 "memory_limit" reads "no limit".
std::string evidence_value(const Evidence& e);
/// "label: value" (evidence_label, evidence_value).
std::string evidence_line(const Evidence& e);

}  // namespace chunkscope::viz
