#pragma once
// The body of the three trace-reader fuzz targets (trace_json, trace_cbor, trace_compact).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/core/trace_summary.hpp"
#include "fuzz_support.hpp"

namespace chunkscope::fuzz {

/// Reads a trace; if it is valid, summarises it and checks that JSON, CBOR and compact writes
/// of it read back. Aborts (a finding) when a valid trace does not survive the round trip.
inline int read_trace_and_round_trip(const std::uint8_t* data, std::size_t size) {
  const Result<Trace> t = read_trace_bytes(as_string(data, size), "fuzz.cstrace");
  if (!t) return 0;
  (void)summarize(*t);
  const std::string written[] = {write_trace_json(*t), write_trace_cbor(*t), write_trace_compact(*t)};
  for (const std::string& bytes : written) {
    const Result<Trace> back = read_trace_bytes(bytes, "round-trip");
    if (!back) {
      std::fprintf(stderr, "a valid trace does not read back after writing: %s\n", back.error().c_str());
      std::abort();
    }
  }
  return 0;
}

}  // namespace chunkscope::fuzz
