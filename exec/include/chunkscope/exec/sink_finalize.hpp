#pragma once
// Finishing the outputs of a run: the atomic step that no single sink task can take.
//
// The sink kernels (to_npy, to_zarr) never write to an output's final path:
//   - to_npy: prepare() creates "<path>.tmp-<pid>" with the .npy header and sizes it to the whole
//     array; each task pwrites its chunk's bytes into it.
//   - to_zarr: prepare() creates the folder "<path>.tmp-<pid>" with its .zarray; each task writes
//     one chunk file into it (under a temporary name, then renamed).
// When the run is over, the executor calls finalize_sinks() exactly once:
//
//   executor.run(graph);                      // all tasks done, or the run failed / was cancelled
//   finalize_sinks(graph, /*success=*/ok);    // after every task has stopped
//
// Contract:
//   - success == true: each sink's temporary file / folder is renamed to its path. A .npy file
//     replaces an older file atomically (rename(2)); a Zarr folder is swapped with an older folder
//     in one step (renameat2 RENAME_EXCHANGE; where the file system lacks it, the old one is moved
//     aside first) and the old one, now under the temporary name, is deleted. Throws
//     std::runtime_error naming the path when a rename fails (the temporaries of the other
//     sinks are still handled; the first error is thrown at the end).
//   - success == false: the temporaries are removed and any previous output is left untouched.
//   - Call it after all tasks have finished (none may still be writing), from one thread.
//     Layers that are not sinks are ignored; sinks whose temporaries do not exist are skipped
//     on failure and reported on success.
//   - Temporary names depend on the process id, so two processes writing the same output do not
//     share a temporary; two runs of one graph in one process must not overlap. A killed process
//     leaves its temporaries; the sinks' prepare() removes those of processes that no longer run
//     (remove_stale_temporaries in file_util.hpp), so they do not pile up.
#include "chunkscope/core/graph.hpp"

namespace chunkscope {

/// Moves every sink's output into place (success) or removes its temporaries (failure).
void finalize_sinks(const Graph& graph, bool success);

}  // namespace chunkscope
