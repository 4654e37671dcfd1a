#pragma once
// Files the user names: what kind of thing a path is, atomic writes that never replace what is
// not a regular file, and the folders a write creates.
//
//   write_file_atomic("runs/a.cstrace.json", text);  // creates runs/ if needed; a crash leaves the
//                                                     // old file or the new one, never half a file
//   write_file_atomic("/dev/null", text);             // a character device is written through
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace chunkscope {

/// What a path names (after following symbolic links, unless asked not to).
enum class FileKind { Missing, Regular, Directory, CharDevice, BlockDevice, Fifo, Socket, Symlink, Other };

/// The kind of the thing at `path`; `follow` = false reports a symbolic link as Symlink. Errors
/// other than "does not exist" (a permission problem on a parent) report Other.
FileKind file_kind(const std::string& path, bool follow = true);
/// The kind from a stat(2) st_mode.
FileKind file_kind_of_mode(mode_t mode);
/// "a folder", "a FIFO", "a character device", ... for messages.
const char* file_kind_name(FileKind k);
/// `path` for a message: a NUL byte is shown as "\0" (a std::string may hold one; a file name cannot).
std::string path_for_message(const std::string& path);

/// Writes `bytes` to `path` atomically: a crash leaves either the old file or the new one, never
/// half a file. Missing parent folders are created (and removed again if the write fails). A
/// symbolic link is followed: the file it points to is replaced, the link stays. A character
/// device (/dev/null) is written through; so is a FIFO that has a reader (one without a reader
/// is refused, never waited on). A folder, a block device, a socket, a dangling link or a path
/// holding a NUL byte is refused. Throws std::runtime_error("<path>: cannot write: <reason>")
/// (disk full included); the previous file is left intact on failure.
void write_file_atomic(const std::string& path, std::string_view bytes);

/// Creates the missing folders above `path`; returns those it created, outermost first. Throws
/// std::runtime_error naming the folder that could not be created (and removes what it created).
std::vector<std::string> create_parent_folders(const std::string& path);
/// Removes the folders of `created` (as create_parent_folders returned them) that are empty,
/// innermost first. Best effort: a folder that is not empty, or cannot be removed, stays.
void remove_empty_folders(const std::vector<std::string>& created);

/// Removes what a killed process left next to `path`: entries "<name>.tmp-<pid>..." and
/// "<name>.old-<pid>" of path's folder (files or folders) whose process <pid> no longer runs.
/// Temporaries of running processes (this one included) are left alone. Best effort: errors are
/// ignored. Called before each write of `path` (write_file_atomic, the to_npy/to_zarr sinks), so
/// that SIGKILLed runs do not make temporaries pile up.
void remove_stale_temporaries(const std::string& path);

}  // namespace chunkscope
