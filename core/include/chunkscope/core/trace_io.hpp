#pragma once
// Reading and writing trace files: JSON (.cstrace.json) and CBOR (.cstrace.cbor), and export to
// the Chrome trace-event format (Perfetto, chrome://tracing). Format: docs/trace-format.md.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/error.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope {

inline constexpr const char* kTraceFormat = "chunkscope-trace";
inline constexpr int kTraceVersion = 1;

/// The trace as a JSON document.
nlohmann::json trace_to_json(const Trace& t);
/// Validates and converts a JSON document; errors name `name` and the field. Throws only
/// std::bad_alloc (out of memory is not a fault of the file).
Result<Trace> trace_from_json(const nlohmann::json& doc, const std::string& name);
/// Serialises to JSON text or CBOR bytes.
std::string write_trace_json(const Trace& t);
std::string write_trace_cbor(const Trace& t);
/// The compact encoding: a CBOR header and every long integer column as zig-zag varints of its
/// differences (8-10x smaller than CBOR; used inside `chunkscope html` pages and by `serve`).
std::string write_trace_compact(const Trace& t);
/// Parses bytes (compact, JSON or CBOR, detected from the first bytes); long integer arrays go
/// straight into columns, not through one JSON value each. Throws only std::bad_alloc.
Result<Trace> read_trace_bytes(const std::string& bytes, const std::string& name);
/// True when a path names a CBOR trace (".cbor" suffix).
bool is_cbor_path(const std::string& path);

/// Chrome trace-event JSON: tasks as complete events per worker, live memory as a counter,
/// dependencies as flow events (only when there are at most `max_flows` edges).
nlohmann::json trace_to_chrome(const Trace& t, std::int64_t max_flows = 200000);

}  // namespace chunkscope
