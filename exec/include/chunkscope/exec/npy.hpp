#pragma once
// .npy files (NumPy format 1.0-3.0): header parsing and writing, region reads.
#include <cstdint>
#include <string>

#include "chunkscope/core/array_meta.hpp"

namespace chunkscope {

/// What a .npy header says.
struct NpyHeader {
  Shape shape;
  DType dtype = DType::Float64;
  bool fortran_order = false;
  std::int64_t data_offset = 0;  ///< byte offset of the first element
};

/// Parses the header of `path`. Throws InputError("<path>: ...") on a missing file, a bad magic,
/// an unsupported dtype (big-endian, complex, object), Fortran order, or a file shorter than the
/// data the header claims.
NpyHeader read_npy_header(const std::string& path);
/// Parses a header from bytes (for tests and fuzzing); `file_size` checks the claimed data size.
NpyHeader parse_npy_header(const std::string& bytes, std::int64_t file_size, const std::string& name);
/// The header bytes (format 1.0, padded to 64 bytes) for an array of this shape and dtype.
std::string make_npy_header(const Shape& shape, DType dtype);

}  // namespace chunkscope
