#pragma once
// The sizes chunkscope refuses beyond, in one place. Readers and validators check them before they
// build anything of that size (docs/reliability.md, "Data-safety pass"), so that a short file
// cannot ask for gigabytes of lists or a tree of 100,000 levels.
#include <cstdint>
#include <string_view>

#include "chunkscope/core/array_meta.hpp"

namespace chunkscope {

/// Most tasks a pipeline may expand into (so also most chunks of one layer). PipelineOptions::
/// max_tasks defaults to it; Graph::build enforces it for graphs built through the C++ API.
inline constexpr std::int64_t kMaxTasks = 200'000'000;
/// Most axes of an array: the strided copy and fill kernels keep per-axis state on the stack.
inline constexpr int kMaxAxes = 64;
/// Most levels of a "/"-separated group path ("denoise/blur" has 2).
inline constexpr int kMaxGroupDepth = 64;
/// Highest device number a trace may name (transfers.device; 0 = host, 1 = first GPU).
inline constexpr int kMaxDevice = 1024;

/// Levels of a group path; empty segments do not count ("a//b/" has 2). O(length).
int group_depth(std::string_view path);

/// Chunks of a regular chunking of `shape` (chunk size `chunk[a]` along axis a; the last chunk of
/// an axis may be smaller), computed without building the lists. Sizes must be positive; a count
/// above `cap` is returned as cap + 1.
///
///     if (regular_chunk_count(shape, {1}, kMaxTasks) > kMaxTasks) ...  // refuse before any list
std::int64_t regular_chunk_count(const Shape& shape, const Shape& chunk, std::int64_t cap = kMaxTasks);

}  // namespace chunkscope
