#include "chunkscope/exec/zarr.hpp"

#include <filesystem>

#include "chunkscope/core/chunking.hpp"
#include "chunkscope/core/error.hpp"
#include "chunkscope/exec/pipeline_file.hpp"

namespace chunkscope {
namespace {
[[noreturn]] void bad(const std::string& name, const std::string& field, const std::string& what) {
  throw InputError(name + ": .zarray field \"" + field + "\": " + what);
}
}  // namespace

Chunks ZarrMeta::chunks() const {
  Chunks c;
  for (size_t a = 0; a < shape.size(); ++a) c.push_back(regular_chunks(shape[a], chunk_shape[a]));
  return c;
}

ZarrMeta parse_zarr_meta(const std::string& text, const std::string& name) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception&) {
    throw InputError(name + ": .zarray is not valid JSON");
  }
  if (!j.is_object()) throw InputError(name + ": .zarray must be a JSON object");
  ZarrMeta m;
  if (!j.contains("zarr_format") || j["zarr_format"] != 2) bad(name, "zarr_format", "only Zarr v2 arrays are supported");
  auto ints = [&](const char* f) {
    if (!j.contains(f) || !j[f].is_array()) bad(name, f, "must be a list of integers");
    Shape s;
    for (const auto& x : j[f]) {
      if (!x.is_number_integer() || x.get<std::int64_t>() <= 0 || x.get<std::int64_t>() > (std::int64_t{1} << 50))
        bad(name, f, "must hold positive integers, got " + x.dump());
      s.push_back(x.get<std::int64_t>());
    }
    return s;
  };
  m.shape = ints("shape");
  m.chunk_shape = ints("chunks");
  if (m.shape.empty()) bad(name, "shape", "0-d arrays are not supported");
  if (m.shape.size() != m.chunk_shape.size()) bad(name, "chunks", "has a different number of axes than shape");
  std::int64_t n = 1;
  for (auto s : m.shape) {
    if (n > (std::int64_t{1} << 55) / s) bad(name, "shape", "is too large");
    n *= s;
  }
  if (!j.contains("dtype") || !j["dtype"].is_string()) bad(name, "dtype", "must be a string like \"<f8\"");
  const auto dt = parse_typestr(j["dtype"].get<std::string>());
  if (!dt) bad(name, "dtype", "unsupported dtype " + j["dtype"].dump());
  m.dtype = *dt;
  if (j.contains("order") && j["order"] != "C") bad(name, "order", "only C order is supported");
  if (j.contains("filters") && !j["filters"].is_null() && !(j["filters"].is_array() && j["filters"].empty()))
    bad(name, "filters", "filters are not supported");
  if (j.contains("dimension_separator") && j["dimension_separator"].is_string()) {
    m.dimension_separator = j["dimension_separator"].get<std::string>();
    if (m.dimension_separator != "." && m.dimension_separator != "/") bad(name, "dimension_separator", "must be \".\" or \"/\"");
  }
  if (j.contains("fill_value") && j["fill_value"].is_number()) m.fill_value = j["fill_value"].get<double>();
  if (j.contains("compressor") && !j["compressor"].is_null()) {
    const auto& c = j["compressor"];
    if (!c.is_object() || !c.contains("id") || !c["id"].is_string()) bad(name, "compressor", "must be null or an object with an \"id\"");
    const std::string id = c["id"].get<std::string>();
    if (id == "zlib") m.compressor = ZarrCompressor::Zlib;
    else if (id == "gzip") m.compressor = ZarrCompressor::Gzip;
    else if (id == "blosc") m.compressor = ZarrCompressor::Blosc;
    else bad(name, "compressor", "unsupported compressor \"" + id + "\" (zlib, gzip and blosc are supported)");
    if (c.contains("level") && c["level"].is_number_integer()) m.level = c["level"].get<int>();
  }
  return m;
}

ZarrMeta read_zarr_meta(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) throw InputError(path + ": not a Zarr v2 array (not a directory)");
  return parse_zarr_meta(read_file(path + "/.zarray"), path);
}

nlohmann::json make_zarr_meta(const ZarrMeta& m) {
  nlohmann::json c = nullptr;
  if (m.compressor == ZarrCompressor::Zlib) c = {{"id", "zlib"}, {"level", m.level}};
  else if (m.compressor == ZarrCompressor::Gzip) c = {{"id", "gzip"}, {"level", m.level}};
  return {{"zarr_format", 2}, {"shape", m.shape}, {"chunks", m.chunk_shape}, {"dtype", dtype_typestr(m.dtype)},
          {"compressor", c}, {"fill_value", m.fill_value}, {"order", "C"}, {"filters", nullptr}};
}

}  // namespace chunkscope
