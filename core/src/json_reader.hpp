#pragma once
// One located reader of JSON fields for every document core reads (private to core/src): the
// pipeline parser (pipeline.cpp, pipeline_infer.cpp) and the trace reader (trace_io.cpp). Each read
// checks the field's type and range; a fault throws InputError whose one-line message names the
// file, the layer (pipelines) and the field's path (docs/design/json-reader.md):
//
//   cells.json: layer "blur": field "sigma": must be a number, got string
//   run.cstrace.json: field "layers[3].chunks": has a chunk size out of range
//
//   FieldReader top{"run.cstrace.json", "", &doc};
//   FieldReader m = top.object("memory");          // m's fields are named "memory.<field>"
//   std::vector<std::int64_t> t = m.int_column<std::int64_t>("t_ns");
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/error.hpp"

namespace chunkscope::detail {

/// Integer columns that the trace readers diverted out of a document (trace_columns.hpp): a field
/// {"$col": k} stands for column k.
using DivertedColumns = std::vector<std::vector<std::int64_t>>;

/// Reads the fields of one JSON object; what it reads from and where, for messages.
struct FieldReader {
  std::string file;                     ///< named first in every message
  std::string layer;                    ///< pipelines: the layer's id (`layer "<id>": `); empty for traces
  const nlohmann::json* obj = nullptr;  ///< the object whose fields are read
  std::string path;                     ///< the object's location, prefixed to each field: "layers[3]." or ""
  DivertedColumns* columns = nullptr;   ///< the diverted columns of a trace document, or null

  /// Throws InputError `<file>: [layer "<layer>": ]field "<path><field>": <what>`.
  [[noreturn]] void fail(const std::string& field, const std::string& what) const;
  /// The field is present and not null.
  bool has(const char* f) const;
  /// The field (which may be null); "is missing" when absent.
  const nlohmann::json& at(const char* f) const;

  /// A string ("must be a string, got number"); `str_or` gives `d` when absent or null.
  std::string str(const char* f) const;
  std::string str_or(const char* f, const std::string& d) const;
  /// An integer: a JSON integer, or a float with an integral value below 9e18 in magnitude. `f`
  /// names the value `v` in messages ("must be an integer, got 4.5", "got NaN", "got string").
  std::int64_t integer(const std::string& f, const nlohmann::json& v) const;
  std::int64_t integer(const char* f) const;
  std::int64_t integer_or(const char* f, std::int64_t d) const;
  /// A number of any kind ("must be a number, got string").
  double number(const std::string& f, const nlohmann::json& v) const;
  double number(const char* f) const;
  double number_or(const char* f, double d) const;
  /// true or false; `d` when absent or null.
  bool boolean_or(const char* f, bool d) const;
  /// A list of integers (pipelines); an entry's fault names the list.
  std::vector<std::int64_t> int_list(const char* f) const;

  /// A column of a trace: an array of integers that fit T (or a diverted column); an entry's fault
  /// names it ("tasks.worker[3]": "is out of range"). Absent or null: "is missing" when `required`,
  /// else an empty column. A diverted column is moved out of `columns` (read each once).
  template <class T>
  std::vector<T> int_column(const char* f, bool required = true) const;
  /// An array of finite numbers (a diverted integer column too); an entry's fault names it.
  std::vector<double> number_column(const char* f) const;

  /// The object in field `f` ("must be an object"): a reader whose fields are named "<path><f>.<field>".
  FieldReader object(const char* f) const;
  /// A reader of `v`, found at `where` (a full path such as "layers[3]"); "must be an object".
  FieldReader nested(const nlohmann::json& v, const std::string& where) const;

  /// Refuses any field not in `allowed` ("is not a known field here (allowed: id, op)").
  void only(std::initializer_list<const char*> allowed) const;
};

extern template std::vector<std::int64_t> FieldReader::int_column<std::int64_t>(const char*, bool) const;
extern template std::vector<std::int32_t> FieldReader::int_column<std::int32_t>(const char*, bool) const;
extern template std::vector<std::uint8_t> FieldReader::int_column<std::uint8_t>(const char*, bool) const;

}  // namespace chunkscope::detail
