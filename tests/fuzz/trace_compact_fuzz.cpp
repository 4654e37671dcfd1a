// Fuzz target: trace bytes in the compact encoding (used by chunkscope html and serve) -> read_trace_bytes, then the
// trace's summary and a round trip through every writer. read_trace_bytes detects the encoding from the first bytes, so
// this target differs from the other trace targets only by its seed corpus. It never throws: a bad trace is a failed
// Result. A valid trace that a writer cannot write, or whose written form does not read back, is a bug too (the target
// aborts).
#include "trace_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return chunkscope::fuzz::read_trace_and_round_trip(data, size);
}
