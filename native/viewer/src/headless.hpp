#pragma once
// What chunkscope-view does without a window: the view dump for golden tests (--dump-view) and
// the timings of bench/viewer (--bench).
#include <string>

#include <nlohmann/json.hpp>

#include "document.hpp"

namespace chunkscope::viewer {

/// The deterministic part of what the panels show: the visible graph's node keys, edges
/// ("from -> to") and clusters, the layer table's ids, the timeline's lanes with the copies and
/// bytes of each transfer lane (traces with transfers only), the device memory charts (name, peak,
/// peak layer, limit, highest value of the curve; traces with GPU memory only), the selection and
/// its chunk-grid size, and the trace's error when it could not be read.
nlohmann::json view_dump(const Document& doc);

/// Opens `path` and times opening (read, analyze, model, first layout) and the CPU side of a
/// frame (viz::timeline + viz::memory_view for a 1200-pixel window) at zooms from the whole run
/// down to 1 µs, at several positions; prints one JSON object. Returns 0, or 2 when the trace
/// cannot be read.
int run_bench(const std::string& path);

}  // namespace chunkscope::viewer
