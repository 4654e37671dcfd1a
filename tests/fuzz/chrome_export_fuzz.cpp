// Fuzz target: trace bytes (any encoding) -> read_trace_bytes -> trace_to_chrome -> JSON text,
// as `chunkscope export --format chrome` does. Bad traces are failed Results; the export of a
// valid trace must not throw or crash.
#include <cstddef>
#include <cstdint>

#include "chunkscope/core/trace_io.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chunkscope;
  const Result<Trace> t = read_trace_bytes(fuzz::as_string(data, size), "fuzz.cstrace");
  if (!t) return 0;
  (void)trace_to_chrome(*t).dump();
  (void)trace_to_chrome(*t, 4).dump();  // more edges than flows allowed: no flow events
  return 0;
}
