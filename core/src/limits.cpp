#include "chunkscope/core/limits.hpp"

#include <algorithm>

namespace chunkscope {

int group_depth(std::string_view path) {
  int levels = 0;
  bool in_name = false;
  for (char ch : path) {
    if (ch == '/') {
      in_name = false;
    } else if (!in_name) {
      in_name = true;
      ++levels;
    }
  }
  return levels;
}

std::int64_t regular_chunk_count(const Shape& shape, const Shape& chunk, std::int64_t cap) {
  std::int64_t count = 1;
  for (size_t a = 0; a < shape.size() && a < chunk.size(); ++a) {
    if (shape[a] <= 0 || chunk[a] <= 0) return 0;
    const std::int64_t along = (shape[a] - 1) / chunk[a] + 1;  // not (n + c - 1) / c: that overflows
    if (along > cap || count > cap / along) return cap + 1;
    count *= along;
  }
  return std::min(count, cap + 1);
}

}  // namespace chunkscope
