#pragma once
// Zarr v2 arrays: .zarray metadata.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "chunkscope/core/array_meta.hpp"

namespace chunkscope {

/// Compression of a Zarr v2 array's chunks.
enum class ZarrCompressor { None, Zlib, Gzip, Blosc };

/// What a .zarray says.
struct ZarrMeta {
  Shape shape;
  Shape chunk_shape;
  DType dtype = DType::Float64;
  ZarrCompressor compressor = ZarrCompressor::None;
  int level = 1;
  double fill_value = 0;
  std::string dimension_separator = ".";
  /// The array's chunking in chunkscope's per-axis form.
  Chunks chunks() const;
};

/// Reads `<path>/.zarray`. Throws InputError naming the path and the field on any problem
/// (not a directory, not Zarr v2, order "F", filters, unsupported dtype or compressor).
ZarrMeta read_zarr_meta(const std::string& path);
/// Parses .zarray JSON text (for tests and fuzzing).
ZarrMeta parse_zarr_meta(const std::string& text, const std::string& name);
/// .zarray JSON for an array written by chunkscope.
nlohmann::json make_zarr_meta(const ZarrMeta& m);

}  // namespace chunkscope
