#include "chunkscope/core/chunking.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "chunkscope/core/error.hpp"
#include "chunkscope/core/limits.hpp"

namespace chunkscope {
namespace {
// More chunks than this cannot make a valid graph (the task limit): the counts are checked from
// the sizes, before any per-axis list is made.
void check_axis_count(size_t axis, std::int64_t n, std::int64_t size) {
  if ((n - 1) / size + 1 > kMaxTasks)
    throw InputError("axis " + std::to_string(axis) + ": chunks of size " + std::to_string(size) + " make " +
                     std::to_string((n - 1) / size + 1) + " chunks, more than " + std::to_string(kMaxTasks) +
                     "; use larger chunks");
}
}  // namespace

std::vector<std::int64_t> regular_chunks(std::int64_t n, std::int64_t size) {
  std::vector<std::int64_t> c;
  if (n <= 0 || size <= 0) return c;
  c.reserve(static_cast<size_t>((n - 1) / size + 1));  // not (n + size - 1): overflows for huge sizes
  for (std::int64_t s = 0; s < n; s += size) c.push_back(std::min(size, n - s));
  return c;
}

Chunks normalize_chunks(const ChunkSpec& spec, const Shape& shape, int itemsize, std::int64_t target_bytes) {
  if (spec.size() != shape.size())
    throw InputError("has " + std::to_string(spec.size()) + " entries but the array has " +
                     std::to_string(shape.size()) + " axes");
  if (target_bytes <= 0) throw InputError("the chunk byte target must be positive");
  const size_t nd = shape.size();
  Chunks out(nd);
  std::vector<size_t> autos;
  std::vector<std::int64_t> regular(nd, 0);  // the size of a regular axis; its list is made last
  double fixed_elems = 1;
  for (size_t a = 0; a < nd; ++a) {
    const AxisChunkSpec& s = spec[a];
    switch (s.kind) {
      case AxisChunkSpec::Kind::Size:
        if (s.size <= 0)
          throw InputError("axis " + std::to_string(a) + ": chunk size " + std::to_string(s.size) +
                           " must be positive (or -1 for the whole axis)");
        check_axis_count(a, shape[a], s.size);
        regular[a] = s.size;
        fixed_elems *= static_cast<double>(std::min(s.size, shape[a]));
        break;
      case AxisChunkSpec::Kind::Whole:
        out[a] = {shape[a]};
        fixed_elems *= static_cast<double>(shape[a]);
        break;
      case AxisChunkSpec::Kind::Explicit: {
        std::int64_t sum = 0;
        std::int64_t mx = 0;
        for (auto v : s.explicit_) {
          if (v <= 0)
            throw InputError("axis " + std::to_string(a) + ": chunk sizes must be positive, got " + std::to_string(v));
          sum += v;
          mx = std::max(mx, v);
        }
        if (sum != shape[a])
          throw InputError("axis " + std::to_string(a) + ": chunk sizes sum to " + std::to_string(sum) +
                           " but the axis has length " + std::to_string(shape[a]));
        out[a] = s.explicit_;
        fixed_elems *= static_cast<double>(mx);
        break;
      }
      case AxisChunkSpec::Kind::Auto: autos.push_back(a); break;
    }
  }
  if (!autos.empty()) {
    // Share the remaining element budget equally (geometric mean) among the auto axes; an axis
    // shorter than its share takes its whole length and gives the rest back to the others.
    double budget = std::max(1.0, static_cast<double>(target_bytes) / itemsize / fixed_elems);
    std::vector<size_t> open = autos;
    std::vector<std::int64_t> size(nd, 0);
    bool changed = true;
    while (changed && !open.empty()) {
      changed = false;
      const double share = std::pow(budget, 1.0 / static_cast<double>(open.size()));
      for (size_t i = 0; i < open.size(); ++i) {
        const size_t a = open[i];
        if (static_cast<double>(shape[a]) <= share) {
          size[a] = shape[a];
          budget /= static_cast<double>(shape[a]);
          budget = std::max(1.0, budget);
          open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
          changed = true;
          break;
        }
      }
    }
    if (!open.empty()) {
      const double share = std::pow(budget, 1.0 / static_cast<double>(open.size()));
      for (size_t a : open) size[a] = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(share)));
    }
    for (size_t a : autos) {
      // Prefer equal chunks: spread the axis over the same number of chunks evenly.
      const std::int64_t n = shape[a];
      const std::int64_t count = (n + size[a] - 1) / size[a];
      const std::int64_t even = (n + count - 1) / count;
      check_axis_count(a, n, even);
      regular[a] = even;
    }
  }
  // All axes together, still from the sizes alone.
  std::int64_t total = 1;
  for (size_t a = 0; a < nd; ++a) {
    const std::int64_t along =
        regular[a] > 0 ? (shape[a] - 1) / regular[a] + 1 : static_cast<std::int64_t>(out[a].size());
    total = along > 0 && total > kMaxTasks / along ? kMaxTasks + 1 : total * along;
  }
  if (total > kMaxTasks)
    throw InputError("the chunks make more than " + std::to_string(kMaxTasks) + " chunks; use larger chunks");
  for (size_t a = 0; a < nd; ++a)
    if (regular[a] > 0) out[a] = regular_chunks(shape[a], regular[a]);
  return out;
}

std::vector<std::int64_t> common_refinement(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
  const auto ba = chunk_bounds(a), bb = chunk_bounds(b);
  std::vector<std::int64_t> cuts;
  cuts.reserve(ba.size() + bb.size());
  std::merge(ba.begin(), ba.end(), bb.begin(), bb.end(), std::back_inserter(cuts));
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<std::int64_t> out;
  for (size_t k = 1; k < cuts.size(); ++k) out.push_back(cuts[k] - cuts[k - 1]);
  return out;
}

double stored_chunk_decodes(const Chunks& read, const Shape& stored) {
  double total = 1;
  for (size_t a = 0; a < read.size() && a < stored.size(); ++a) {
    const std::int64_t s = std::max<std::int64_t>(stored[a], 1);
    double axis = 0;  // over the read chunks of this axis: stored chunks each one intersects
    std::int64_t begin = 0;
    for (const std::int64_t n : read[a]) {
      if (n > 0) axis += static_cast<double>((begin + n - 1) / s - begin / s + 1);
      begin += n;
    }
    total *= axis;
  }
  return total;
}

double stored_chunk_count(const Shape& shape, const Shape& stored) {
  double total = 1;
  for (size_t a = 0; a < shape.size() && a < stored.size(); ++a)
    total *= static_cast<double>((shape[a] + std::max<std::int64_t>(stored[a], 1) - 1) /
                                 std::max<std::int64_t>(stored[a], 1));
  return total;
}

}  // namespace chunkscope
