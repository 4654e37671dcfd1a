#pragma once
// Byte sizes and durations as people write them ("4GiB", "128 MiB", "1.5 s").
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

}  // namespace chunkscope
