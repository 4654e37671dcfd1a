#pragma once
// What a run may write, checked before anything runs, so that a user's file is never destroyed.
//
// A run writes its sinks (to_npy files, to_zarr folders), its trace and its HTML page; `export`,
// `html` and `apply-advice` write one file. check_run_paths() and check_file_output() refuse, with
// an InputError naming the output and the file it would destroy:
//   - two outputs that are one file (paths compared resolved: symbolic links, "./a" and "a",
//     "../x/a"), or an output that is the pipeline, a source the pipeline reads or the file read;
//   - anything inside a to_zarr folder (it is replaced whole), and a to_zarr folder inside a source
//     folder;
//   - a to_npy target that exists and is not a regular file, or is a symbolic link;
//   - a to_zarr target that exists and is not a Zarr array: a folder with a .zarray file and no
//     .zarray or .zgroup anywhere else in it. Replacing a Zarr array is allowed; a Zarr group, a
//     folder inside a group other than the array itself, or any other folder is never removed;
//   - a trace, HTML or -o target that is a directory, a block device or a socket (a character
//     device such as /dev/null and a FIFO are written through, a symbolic link is followed: see
//     write_file_atomic in file_util.hpp);
//   - an empty path or one holding a NUL byte.
//
//   check_run_paths(graph, {.pipeline = "p.json", .trace = "p.cstrace.json", .html = "p.html"});
//   OutputFolders folders;
//   folders.create_for(graph);      // creates the sinks' missing parent folders
//   ... run ...
//   if (!ok) folders.remove_empty();  // a failed run leaves no empty folder it created
#include <string>
#include <vector>

#include "chunkscope/core/graph.hpp"

namespace chunkscope {

/// The files a run touches besides its graph's sources and sinks ("" = none).
struct RunFiles {
  std::string pipeline;  ///< the pipeline file the graph was read from
  std::string trace;     ///< the trace the run writes
  std::string html;      ///< the HTML page the run writes
};

/// Refuses (InputError, one line) a run whose outputs would replace or remove a file that is not
/// theirs. Reads only file metadata; writes nothing.
void check_run_paths(const Graph& graph, const RunFiles& files = {});

/// One file read by a command, for check_file_output.
struct ReadFile {
  std::string path;
  std::string role;  ///< "the trace", "the pipeline", ...
};

/// Refuses (InputError) writing one file (`role`: "-o", "--trace") at `path` when it is one of
/// `reads` or cannot be written without destroying something else (see above). "-" is standard
/// output and always allowed.
void check_file_output(const std::string& path, const std::string& role, const std::vector<ReadFile>& reads);

/// The parent folders of a graph's sinks, created before a run and removed again when the run
/// fails and leaves them empty. Not copyable.
class OutputFolders {
 public:
  OutputFolders() = default;
  /// Creates the missing parent folders of every sink of `graph`; throws std::runtime_error
  /// naming the folder that could not be created (removing those it made).
  void create_for(const Graph& graph);
  OutputFolders(const OutputFolders&) = delete;
  OutputFolders& operator=(const OutputFolders&) = delete;
  /// Removes the folders created here that are empty now (innermost first).
  void remove_empty();

 private:
  std::vector<std::vector<std::string>> created_;
};

}  // namespace chunkscope
