#include "chunkscope/core/array_meta.hpp"

#include <algorithm>
#include <sstream>

namespace chunkscope {

Shape ArrayMeta::grid() const {
  Shape g(chunks.size());
  for (size_t a = 0; a < chunks.size(); ++a) g[a] = static_cast<std::int64_t>(chunks[a].size());
  return g;
}

std::int64_t ArrayMeta::num_chunks() const {
  std::int64_t n = 1;
  for (const auto& c : chunks) n *= static_cast<std::int64_t>(c.size());
  return n;
}

std::int64_t ArrayMeta::size() const {
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

Shape ArrayMeta::chunk_coords(std::int64_t flat) const {
  Shape c(chunks.size());
  for (int a = ndim() - 1; a >= 0; --a) {
    const auto n = static_cast<std::int64_t>(chunks[a].size());
    c[a] = flat % n;
    flat /= n;
  }
  return c;
}

std::int64_t ArrayMeta::chunk_flat(const Shape& coords) const {
  std::int64_t f = 0;
  for (int a = 0; a < ndim(); ++a) f = f * static_cast<std::int64_t>(chunks[a].size()) + coords[a];
  return f;
}

Shape ArrayMeta::chunk_shape(std::int64_t flat) const {
  Shape c = chunk_coords(flat);
  for (int a = 0; a < ndim(); ++a) c[a] = chunks[a][c[a]];
  return c;
}

Shape ArrayMeta::chunk_offset(std::int64_t flat) const {
  Shape c = chunk_coords(flat);
  for (int a = 0; a < ndim(); ++a) {
    std::int64_t off = 0;
    for (std::int64_t k = 0; k < c[a]; ++k) off += chunks[a][k];
    c[a] = off;
  }
  return c;
}

std::int64_t ArrayMeta::chunk_bytes(std::int64_t flat) const {
  std::int64_t n = dtype_size(dtype);
  for (auto s : chunk_shape(flat)) n *= s;
  return n;
}

Shape ArrayMeta::max_chunk_shape() const {
  Shape m(chunks.size(), 0);
  for (size_t a = 0; a < chunks.size(); ++a)
    for (auto s : chunks[a]) m[a] = std::max(m[a], s);
  return m;
}

std::int64_t ArrayMeta::max_chunk_bytes() const {
  std::int64_t n = dtype_size(dtype);
  for (auto s : max_chunk_shape()) n *= s;
  return n;
}

bool ArrayMeta::regular() const {
  for (const auto& c : chunks) {
    for (size_t k = 0; k + 1 < c.size(); ++k)
      if (c[k] != c[0]) return false;
    if (c.size() > 1 && c.back() > c[0]) return false;
  }
  return true;
}

ChunkGrid::ChunkGrid(const ArrayMeta& m) {
  for (const auto& c : m.chunks) bounds_.push_back(chunk_bounds(c));
}

Shape ChunkGrid::coords(std::int64_t flat) const {
  Shape c(bounds_.size());
  for (int a = ndim() - 1; a >= 0; --a) {
    const auto n = static_cast<std::int64_t>(bounds_[a].size()) - 1;
    c[a] = flat % n;
    flat /= n;
  }
  return c;
}

std::int64_t ChunkGrid::flat(const Shape& coords) const {
  std::int64_t f = 0;
  for (int a = 0; a < ndim(); ++a) f = f * (static_cast<std::int64_t>(bounds_[a].size()) - 1) + coords[a];
  return f;
}

Shape ChunkGrid::offset(std::int64_t flat) const {
  Shape c = coords(flat);
  for (int a = 0; a < ndim(); ++a) c[a] = bounds_[a][c[a]];
  return c;
}

Shape ChunkGrid::shape(std::int64_t flat) const {
  Shape c = coords(flat);
  for (int a = 0; a < ndim(); ++a) c[a] = bounds_[a][c[a] + 1] - bounds_[a][c[a]];
  return c;
}

std::int64_t ChunkGrid::locate(int axis, std::int64_t i) const {
  const auto& b = bounds_[axis];
  return std::upper_bound(b.begin() + 1, b.end(), i) - (b.begin() + 1);
}

std::vector<std::int64_t> chunk_bounds(const std::vector<std::int64_t>& sizes) {
  std::vector<std::int64_t> b(sizes.size() + 1, 0);
  for (size_t k = 0; k < sizes.size(); ++k) b[k + 1] = b[k] + sizes[k];
  return b;
}

std::string format_shape(const Shape& s) {
  if (s.empty()) return "()";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += "×";
    out += std::to_string(s[i]);
  }
  return out;
}

std::string format_chunk_shape(const Chunks& c) {
  if (c.empty()) return "()";
  std::string out;
  for (size_t a = 0; a < c.size(); ++a) {
    if (a) out += "×";
    const auto [lo, hi] = std::minmax_element(c[a].begin(), c[a].end());
    // The last chunk being smaller is normal; irregular means interior chunks differ.
    bool irregular = false;
    for (size_t k = 0; k + 1 < c[a].size(); ++k) irregular |= c[a][k] != c[a][0];
    irregular |= c[a].size() > 1 && c[a].back() > c[a][0];  // a larger last chunk is irregular too (as in regular())
    if (!irregular || *lo == *hi)
      out += std::to_string(c[a].front());
    else
      out += std::to_string(*lo) + ".." + std::to_string(*hi);
  }
  return out;
}

}  // namespace chunkscope
