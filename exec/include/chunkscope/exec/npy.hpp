#pragma once
// .npy files (NumPy format 1.0-3.0): header parsing and writing, region reads by many tasks
// at once, block writes by many tasks at once.
//
//   NpyReader r("stack.npy");                       // checks the header (InputError if bad)
//   std::vector<AxisSlice> sel{{0, 1, 16}, {100, 2, 50}};
//   r.read(sel, out);                               // 16x50 elements, C order
//
//   NpyWriter w("out.npy.tmp", {100, 60}, DType::Float64);  // header written, file sized
//   w.write_block({50, 0}, {50, 60}, chunk);        // any thread, disjoint blocks
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "chunkscope/core/array_meta.hpp"
#include "chunkscope/core/layer.hpp"
#include "chunkscope/exec/array_io.hpp"

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

/// An open .npy file whose regions many tasks read at once (thread-safe). Regions made of long
/// contiguous runs (>= 64 KiB) are read with pread straight into place; regions of short runs
/// (column chunks of a row-major file, steps) are copied out of a read-only mapping of the file,
/// which costs no system call per run. The file's size is checked before each mapped copy, so a
/// file truncated while a run is going gives an error rather than SIGBUS (outside a tiny race).
class NpyReader {
 public:
  /// Opens `path` and checks its header; throws InputError("<path>: ...") as read_npy_header.
  explicit NpyReader(const std::string& path);
  const NpyHeader& header() const { return header_; }
  const std::string& path() const { return file_.path(); }
  /// Reads the elements selected by `sel` (one AxisSlice per axis, in the file's coordinates,
  /// inside the array; negative steps allowed) into `out`, a C-order array of shape
  /// (sel[0].count, sel[1].count, ...). Throws std::runtime_error naming the file on I/O errors
  /// (a file truncated after opening, a failing disk).
  void read(std::span<const AxisSlice> sel, std::byte* out) const;

 private:
  NpyHeader header_;
  FileHandle file_;
  MappedFile map_;
};

/// A .npy file that many tasks write disjoint blocks of (thread-safe). The constructor creates
/// or truncates `path`, writes the header, sizes the file to the whole array and reserves its
/// disk space (so a full disk fails here, before any task runs). Blocks with long contiguous
/// runs are written with pwrite; blocks of short runs through a shared mapping of the file.
class NpyWriter {
 public:
  NpyWriter(const std::string& path, const Shape& shape, DType dtype);
  const std::string& path() const { return file_.path(); }
  /// Writes a C-order block of `block_shape` whose first element is at `offset` in the array.
  void write_block(const Shape& offset, const Shape& block_shape, const std::byte* data) const;
  /// Unmaps and closes the file, reporting a failed close.
  void close() {
    map_ = MappedFile();
    file_.close();
  }

 private:
  Shape shape_;
  DType dtype_;
  std::int64_t data_offset_ = 0;
  FileHandle file_;
  MappedFile map_;
};

/// Reads a whole .npy file (C order). Throws InputError on a bad header.
std::vector<std::byte> read_npy(const std::string& path, NpyHeader* header = nullptr);
/// Writes a whole C-order array to `path` atomically (temporary file + rename).
void write_npy(const std::string& path, const Shape& shape, DType dtype, const std::byte* data);

}  // namespace chunkscope
