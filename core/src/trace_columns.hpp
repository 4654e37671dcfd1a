#pragma once
// Internal to trace_io: reading traces without one JSON value per number.
//
// A trace's task, memory and transfer columns hold millions of integers; as nlohmann::json values
// they cost ~16 bytes and an allocation-free but slow visit each (a 2,000,000-task CBOR trace took
// 12 s to report). The readers here build the small part of the document as JSON and divert every
// long all-integer array into a side table of int64 columns, leaving {"$col": k} in its place;
// trace_io's int_array() takes such a placeholder from the side table.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace chunkscope::detail {

/// Columns diverted from a document; doc holds {"$col": index} where each one was.
struct ColumnDoc {
  nlohmann::json doc;
  std::vector<std::vector<std::int64_t>> columns;
};

/// A text string (value or key) that is not valid UTF-8; what() is `field "<path>": is not valid UTF-8 ...`.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Receives the elements of the root's "layers" array one at a time while parsing, instead of the
/// document keeping them all (a 100,000-layer trace would hold 1.5 million JSON values, whose
/// construction and destruction were a third of reading it). The document keeps an empty array.
struct ElementSink {
  virtual ~ElementSink() = default;
  /// A new "layers" array starts (a repeated key: the last one wins, as in the document).
  virtual void begin() = 0;
  virtual void element(nlohmann::json&& value) = 0;
};

/// Parses JSON text or CBOR bytes into a ColumnDoc. Integer arrays of at least `min_len` entries
/// are diverted. Throws nlohmann::json::exception on malformed input, std::length_error past
/// `max_depth` levels of nesting and FieldError for a string that is not UTF-8 (CBOR does not
/// check it; JSON output of such a string would fail much later).
/// With `layers`, the root's "layers" elements go to it (see ElementSink).
ColumnDoc parse_with_columns(std::string_view bytes, bool cbor, std::size_t min_len = 32, std::size_t max_depth = 256,
                             ElementSink* layers = nullptr);

/// The compact trace encoding (write_trace_compact): magic, a CBOR header with placeholders, then
/// each column as zig-zag varints of the differences between consecutive entries.
inline constexpr std::string_view kCompactMagic = "CSTRACE1";

/// Appends the column as zig-zag delta varints.
void encode_column(const std::vector<std::int64_t>& v, std::string& out);
/// Decodes `n` entries from data[pos..end); advances pos. Throws std::runtime_error when the data ends early.
std::vector<std::int64_t> decode_column(std::string_view data, std::size_t& pos, std::int64_t n);

}  // namespace chunkscope::detail
