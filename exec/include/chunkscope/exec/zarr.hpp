#pragma once
// Zarr v2 arrays: .zarray metadata, chunk files (raw, zlib, gzip, blosc) and region reads.
//
//   ZarrMeta m = read_zarr_meta("cells.zarr");          // InputError if not a usable array
//   std::vector<AxisSlice> sel{{0, 1, 16}, {0, 1, 512}};
//   read_zarr_region("cells.zarr", m, sel, out);         // missing chunk files read as fill_value
//
// Chunk files hold a whole chunk of `chunk_shape` even at the array's edges (Zarr v2's rule).
// I/O and decoding errors are std::runtime_error naming the chunk file.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "chunkscope/core/array_meta.hpp"
#include "chunkscope/core/layer.hpp"

namespace chunkscope {

/// Compression of a Zarr v2 array's chunks.
enum class ZarrCompressor { None, Zlib, Gzip, Blosc };

/// What a .zarray says.
struct ZarrMeta {
  Shape shape;
  Shape chunk_shape;
  DType dtype = DType::Float64;
  ZarrCompressor compressor = ZarrCompressor::None;
  int level = 1;                    ///< zlib/gzip level, blosc clevel
  std::string blosc_cname = "lz4";  ///< blosc: internal codec
  int blosc_shuffle = 1;            ///< blosc: 0 none, 1 byte shuffle, 2 bit shuffle
  double fill_value = 0;            ///< value of missing chunks (null in .zarray reads as 0)
  std::string dimension_separator = ".";
  /// The array's chunking in chunkscope's per-axis form.
  Chunks chunks() const;
  /// Bytes of one stored (decoded) chunk: the full chunk_shape.
  std::int64_t chunk_bytes() const;
};

/// Reads `<path>/.zarray`. Throws InputError naming the path and the field on any problem
/// (not a directory, not Zarr v2, order "F", filters, unsupported dtype or compressor).
ZarrMeta read_zarr_meta(const std::string& path);
/// Parses .zarray JSON text (for tests and fuzzing).
ZarrMeta parse_zarr_meta(const std::string& text, const std::string& name);
/// .zarray JSON for an array written by chunkscope.
nlohmann::json make_zarr_meta(const ZarrMeta& m);

/// Name of the chunk file at chunk-grid coordinates `coords` ("3.0.1", or "3/0/1").
std::string zarr_chunk_key(const ZarrMeta& m, const Shape& coords);
/// Decodes a stored chunk into `out` (exactly m.chunk_bytes() bytes). Throws std::runtime_error
/// naming `file` when the data is corrupt or decodes to a different size than the chunk's.
void decode_zarr_chunk(const ZarrMeta& m, std::span<const std::byte> stored, std::byte* out, const std::string& file);
/// Encodes one whole chunk (m.chunk_bytes() bytes) with m's compressor.
std::string encode_zarr_chunk(const ZarrMeta& m, const std::byte* data);
/// Reads and decodes the chunk at `coords` of the array in `dir` into `out`; returns false (out
/// untouched) when the chunk file does not exist.
bool read_zarr_chunk(const std::string& dir, const ZarrMeta& m, const Shape& coords, std::byte* out);
/// Encodes and writes one whole chunk atomically (temporary name + rename).
void write_zarr_chunk(const std::string& dir, const ZarrMeta& m, const Shape& coords, const std::byte* data);
/// Reads the elements selected by `sel` (one AxisSlice per axis, inside the array; negative
/// steps allowed) into `out`, a C-order array of shape (sel[0].count, ...). Each intersecting
/// chunk file is read once; missing chunk files give m.fill_value.
void read_zarr_region(const std::string& dir, const ZarrMeta& m, std::span<const AxisSlice> sel, std::byte* out);
/// Writes a whole C-order array as a Zarr v2 array in `dir` (created if needed): .zarray and every
/// chunk (edge chunks padded with the fill value). For tests and small arrays.
void write_zarr_array(const std::string& dir, const ZarrMeta& m, const std::byte* data);

}  // namespace chunkscope
