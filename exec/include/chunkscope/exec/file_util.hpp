#pragma once
// Atomic file writes: write to a temporary name in the same folder, fsync, rename.
#include <string>
#include <string_view>

namespace chunkscope {

/// Writes `bytes` to `path` atomically: a crash leaves either the old file or the new one, never
/// half a file. Throws std::runtime_error("<path>: cannot write: <reason>") (disk full included);
/// the previous file is left intact on failure.
void write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace chunkscope
