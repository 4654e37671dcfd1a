#pragma once
// Low-level file access for array I/O: positioned reads and writes of strided regions, so that
// many tasks can read one .npy file, or write disjoint parts of one, at the same time.
//
//   FileHandle f = FileHandle::open_read("stack.npy");
//   // Read rows 10..19 of a 100x100 float64 array whose data starts at byte 128:
//   const std::int64_t ext[] = {10, 100}, file[] = {800, 8}, out[] = {800, 8};
//   read_strided(f, 128 + 10 * 800, ext, file, buffer, out, 8);
//
// Errors: std::runtime_error whose message starts with the file's path ("<path>: ...") for
// failed system calls and for files shorter than expected.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace chunkscope {

/// An open file descriptor, closed on destruction. Movable, not copyable. Positioned I/O on it
/// is thread-safe.
class FileHandle {
 public:
  FileHandle() = default;
  /// Opens for reading; throws std::runtime_error("<path>: cannot open: <reason>").
  static FileHandle open_read(const std::string& path);
  /// Like open_read, but returns an empty handle (false) when the file does not exist.
  static FileHandle open_read_if_exists(const std::string& path);
  /// Creates (or truncates) for writing, mode 0644; throws std::runtime_error naming the path.
  static FileHandle create(const std::string& path);
  FileHandle(FileHandle&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }
  FileHandle& operator=(FileHandle&& o) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  explicit operator bool() const { return fd_ >= 0; }
  /// Size of the file in bytes.
  std::int64_t size() const;
  /// Sets the file's size (ftruncate).
  void resize(std::int64_t bytes) const;
  /// Closes now, reporting a failed close (a write error the kernel held back).
  void close();

 private:
  int fd_ = -1;
  std::string path_;
};

/// A whole file mapped into memory (mmap, shared), unmapped on destruction. Movable.
/// Reading past the end of a file that shrank after mapping raises SIGBUS: check size() first.
class MappedFile {
 public:
  MappedFile() = default;
  /// Maps the first `bytes` bytes of `f` read-only, or read-write when `writable`; throws
  /// std::runtime_error naming the file. `bytes` == 0 gives an empty mapping.
  MappedFile(const FileHandle& f, std::int64_t bytes, bool writable);
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  std::byte* data() const { return data_; }
  std::int64_t size() const { return size_; }
  explicit operator bool() const { return data_ != nullptr; }

 private:
  std::byte* data_ = nullptr;
  std::int64_t size_ = 0;
};

/// Reserves disk blocks for the first `bytes` bytes (posix_fallocate), so that later writes
/// through a mapping cannot fail for lack of space; throws std::runtime_error naming the file.
void reserve_file_space(const FileHandle& f, std::int64_t bytes);

/// Reads exactly `n` bytes at `offset`; a short file is an error ("...: the file ends at byte X,
/// expected at least Y (truncated?)").
void pread_exact(const FileHandle& f, std::byte* out, std::int64_t n, std::int64_t offset);
/// Writes all `n` bytes at `offset`.
void pwrite_all(const FileHandle& f, const std::byte* data, std::int64_t n, std::int64_t offset);

/// Reads a strided region of a file: element i (an index per axis, i < extent) lies at file byte
/// `base + Σ i[a]·file_stride[a]` and is stored at `out + Σ i[a]·out_stride[a]`. Strides are in
/// bytes; file strides may be negative. Runs that are close together in the file are read with one
/// pread of at most 8 MiB into a scratch buffer; contiguous runs go straight into `out`.
void read_strided(const FileHandle& f, std::int64_t base, std::span<const std::int64_t> extent,
                  std::span<const std::int64_t> file_stride, std::byte* out, std::span<const std::int64_t> out_stride,
                  int itemsize);
/// Writes a strided region (the inverse of read_strided). Only the region's own bytes are written
/// (never read-modify-write), so tasks may write disjoint regions of one file concurrently.
void write_strided(const FileHandle& f, std::int64_t base, std::span<const std::int64_t> extent,
                   std::span<const std::int64_t> file_stride, const std::byte* in,
                   std::span<const std::int64_t> in_stride, int itemsize);

/// Reads a whole file; returns false when it does not exist, throws std::runtime_error naming the
/// file on other errors.
bool read_whole_file(const std::string& path, std::string& out);
/// Writes `data` to `path` through a temporary file in the same folder and rename(2): readers see
/// the old file or the new one, never a half-written one. No fsync (cheap enough for one Zarr
/// chunk per task); file_util.hpp's write_file_atomic also survives power loss.
void write_file_via_rename(const std::string& path, std::span<const std::byte> data);
/// write_file_via_rename of the concatenation of `parts`.
void write_file_via_rename(const std::string& path, std::span<const std::span<const std::byte>> parts);
/// The temporary name under which an output of this process is written before it is renamed into
/// place: "<path>.tmp-<pid>".
std::string temp_path_for(const std::string& path);

}  // namespace chunkscope
