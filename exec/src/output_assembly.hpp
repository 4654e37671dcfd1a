#pragma once
// Assembling an in-memory output layer's chunks into one C-order array plus a summary.
#include <vector>

#include "chunkscope/exec/executor.hpp"

namespace chunkscope {

/// Copies the stage-0 chunks of `layer` (held in `buffers`, indexed by task) into one array when
/// it is at most `max_bytes`; always computes sum/min/max over all elements.
OutputArray assemble_output(const Graph& g, int layer, const std::vector<Buffer>& buffers, std::int64_t max_bytes);

}  // namespace chunkscope
