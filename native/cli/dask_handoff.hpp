#pragma once
// `chunkscope run --executor dask`: the run is handed to Python (chunkscope.run_dask), which
// translates the pipeline to dask.array and runs it on Dask (docs/distributed.md).
#include <string>

#include "run_support.hpp"

namespace chunkscope::cli {

/// Where the Dask run goes: a running scheduler's address, or a LocalCluster of `local_cluster` workers.
struct DaskTarget {
  std::string scheduler;  ///< "" = none
  int local_cluster = 0;  ///< 0 = none (both empty: Dask's threaded scheduler)
};

/// Replaces this process with `python3 -m chunkscope.run_dask PIPELINE ...` (the interpreter:
/// $CHUNKSCOPE_PYTHON, else /usr/bin/python3; the package next to this binary put first on
/// PYTHONPATH). Returns only when that cannot start, with kRunFailed after printing one line.
int run_on_dask(const std::string& pipeline, const RunRequest& req, const DaskTarget& target);

}  // namespace chunkscope::cli
