#pragma once
// Atomic file writes: write to a temporary name in the same folder, fsync, rename.
#include <string>
#include <string_view>

namespace chunkscope {

/// Writes `bytes` to `path` atomically: a crash leaves either the old file or the new one, never
/// half a file. Throws std::runtime_error("<path>: cannot write: <reason>") (disk full included);
/// the previous file is left intact on failure.
void write_file_atomic(const std::string& path, std::string_view bytes);

/// Removes what a killed process left next to `path`: entries "<name>.tmp-<pid>..." and
/// "<name>.old-<pid>" of path's folder (files or folders) whose process <pid> no longer runs.
/// Temporaries of running processes (this one included) are left alone. Best effort: errors are
/// ignored. Called before each write of `path` (write_file_atomic, the to_npy/to_zarr sinks), so
/// that SIGKILLed runs do not make temporaries pile up.
void remove_stale_temporaries(const std::string& path);

}  // namespace chunkscope
