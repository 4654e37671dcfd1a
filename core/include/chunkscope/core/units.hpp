#pragma once
// Byte sizes, durations and numbers as people write them ("4GiB", "128 MiB", "1.5 s", "16,384",
// "110×"): the one number formatter of the finding messages and of every front-end (viz/format.hpp
// builds on these).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chunkscope {

/// Parses "4GiB", "128MiB", "16MB", "512k", "1000"; nullopt when malformed or negative.
std::optional<std::int64_t> parse_bytes(std::string_view text);
/// "1.5 GiB", "512 KiB", "12 B".
std::string format_bytes(double bytes);
/// "1.23 s", "12.4 ms", "850 µs", "120 ns".
std::string format_duration_ns(double ns);
/// An integer with thousands separators: "16,384", "-12,000", "7".
std::string format_count(std::int64_t n);
/// A plain number: integers (and |v| >= 100) rounded with separators ("1,234"), else 3 significant
/// digits without an exponent ("12.3", "0.0123"); below 0.001 "<0.001" (0 is "0").
std::string format_number(double v);
/// A share 0..1 as a percentage: "45%", "4.5%", "0.35%", "<0.01%" (0 is "0%").
std::string format_percent(double share);
/// A factor: "3.2×", "12×", "110×", "1,100×"; below 0.1 written as a percentage ("0.035%"), never
/// an exponent or a run of zeros.
std::string format_ratio(double ratio);

}  // namespace chunkscope
