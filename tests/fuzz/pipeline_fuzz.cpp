// Fuzz target: pipeline JSON -> parse_pipeline_text (validation and task expansion), then the
// validated Graph's description. parse_pipeline_text never throws: a bad pipeline is a failed
// Result; anything else (an exception, a crash, a sanitizer report, a huge allocation) is a bug.
#include <cstddef>
#include <cstdint>

#include "chunkscope/core/describe.hpp"
#include "chunkscope/core/pipeline.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chunkscope;
  // The default limit (200M tasks) lets a 100-byte pipeline ask for gigabytes of tasks, legitimately;
  // the fuzzer's memory and time limits would report it. The limit itself is what is tested here.
  PipelineOptions options;
  options.max_tasks = std::int64_t{1} << 17;
  const Result<Graph> g = parse_pipeline_text(fuzz::as_string(data, size), "fuzz.json", "/nonexistent", options);
  if (!g) return 0;
  // A valid graph's consumers must hold up whatever it came from.
  (void)describe_text(*g);
  (void)describe_json(*g).dump();
  for (int l = 0; l < static_cast<int>(g->layers().size()); ++l) (void)g->consumers(l);
  return 0;
}
