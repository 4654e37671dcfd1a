#pragma once
// Internal to trace_io: a trace document -> Trace. The document comes from trace_columns.hpp's
// parser (long integer columns diverted, "layers" streamed element by element) or from the caller
// (trace_from_json). TraceReader converts each field through the shared FieldReader
// (json_reader.hpp), naming the file and the field on a fault; validate() (trace.cpp) then checks
// what the fields mean together.
#include <cstddef>
#include <exception>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/trace.hpp"
#include "json_reader.hpp"
#include "trace_columns.hpp"

namespace chunkscope::detail {

/// Reads one trace document.
///
///   ColumnDoc cd;
///   TraceReader reader("run.cstrace.json", &cd.columns);
///   cd = parse_with_columns(bytes, cbor);
///   Trace t = reader.read(cd.doc);   // throws InputError naming the field
class TraceReader {
 public:
  /// Layers handed over by the parser one at a time (ElementSink), converted at once. The first
  /// bad layer's error is kept and raised by read() after the document's format and version are
  /// checked, so a file that is not a trace at all still says so first.
  class LayerSink : public ElementSink {
   public:
    explicit LayerSink(const TraceReader& reader) : reader_(reader) {}
    void begin() override;
    void element(nlohmann::json&& value) override;

   private:
    friend class TraceReader;
    const TraceReader& reader_;
    std::vector<TraceLayer> layers_;
    std::exception_ptr error_;
  };

  /// `name`: the file named in messages; `columns`: the columns diverted from the document (the
  /// placeholders {"$col": k} refer to them; each is moved out when read), or null.
  explicit TraceReader(std::string name, DivertedColumns* columns = nullptr)
      : name_(std::move(name)), columns_(columns) {}

  /// Converts the document and validates the trace. `streamed`: the layers the parser already
  /// handed over (the document's "layers" is then empty). Throws InputError.
  Trace read(const nlohmann::json& doc, LayerSink* streamed = nullptr) const;
  /// One element of "layers" (index i). Throws InputError naming the field.
  TraceLayer layer(const nlohmann::json& l, std::size_t i) const;

 private:
  FieldReader reader(const nlohmann::json& doc) const { return FieldReader{name_, "", &doc, "", columns_}; }
  TraceMeta meta(const FieldReader& m) const;
  TraceTasks tasks(const FieldReader& c) const;
  MemorySeries memory(const FieldReader& m, const std::vector<TraceLayer>& layers) const;
  TraceTransfers transfers(const FieldReader& x) const;
  /// The document's "resources" (a list of processes).
  TraceResources resources(const FieldReader& r) const;
  /// The legacy meta.extra.resources of older Dask captures (processes keyed by name).
  TraceResources legacy_resources(const FieldReader& r) const;
  /// One process's series (without its name).
  ResourceSeries series(const FieldReader& s) const;

  std::string name_;
  DivertedColumns* columns_;
};

}  // namespace chunkscope::detail
