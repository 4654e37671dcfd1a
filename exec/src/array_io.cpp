// Positioned, strided file I/O for the array readers and writers.
#include "chunkscope/exec/array_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include <sys/mman.h>
#include <sys/stat.h>

#include "chunkscope/exec/block_copy.hpp"
#include "chunkscope/exec/file_util.hpp"

namespace chunkscope {
namespace {

constexpr int kMaxAxes = 64;
// Largest scratch read; runs farther apart than kGap bytes are read separately (reading a few
// KiB more costs about as much as another system call).
constexpr std::int64_t kScratchBudget = 8 << 20;
constexpr std::int64_t kGap = 4096;

[[noreturn]] void sys_fail(const std::string& path, const std::string& what) {
  const int e = errno;  // before any allocation below
  throw std::runtime_error(path + ": " + what + ": " + std::strerror(e));
}

struct Region {
  int n = 0;
  std::int64_t ext[kMaxAxes];
  std::int64_t fs[kMaxAxes];  // file strides
  std::int64_t ms[kMaxAxes];  // memory strides
  bool empty = false;
};

Region normalise(std::span<const std::int64_t> extent, std::span<const std::int64_t> fs,
                 std::span<const std::int64_t> ms) {
  if (extent.size() != fs.size() || extent.size() != ms.size() || extent.size() > static_cast<size_t>(kMaxAxes))
    throw std::invalid_argument("strided file I/O: bad extent/stride lengths");
  Region r;
  for (size_t a = 0; a < extent.size(); ++a) {
    if (extent[a] <= 0) {
      r.empty = true;
      return r;
    }
    if (extent[a] == 1) continue;
    if (r.n > 0 && r.fs[r.n - 1] == fs[a] * extent[a] && r.ms[r.n - 1] == ms[a] * extent[a]) {
      r.ext[r.n - 1] *= extent[a];
      r.fs[r.n - 1] = fs[a];
      r.ms[r.n - 1] = ms[a];
      continue;
    }
    r.ext[r.n] = extent[a];
    r.fs[r.n] = fs[a];
    r.ms[r.n] = ms[a];
    ++r.n;
  }
  return r;
}

// Calls f(file_offset, mem) for every index of the first `m` axes.
template <class P, class F>
void for_outer(const Region& r, int m, std::int64_t off, P mem, F&& f) {
  if (m <= 0) {
    f(off, mem);
    return;
  }
  std::int64_t idx[kMaxAxes] = {};
  while (true) {
    f(off, mem);
    int a = m - 1;
    for (; a >= 0; --a) {
      off += r.fs[a];
      mem += r.ms[a];
      if (++idx[a] < r.ext[a]) break;
      off -= r.fs[a] * r.ext[a];
      mem -= r.ms[a] * r.ext[a];
      idx[a] = 0;
    }
    if (a < 0) return;
  }
}

std::int64_t abs64(std::int64_t x) { return x < 0 ? -x : x; }

}  // namespace

FileHandle& FileHandle::operator=(FileHandle&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    path_ = std::move(o.path_);
    o.fd_ = -1;
  }
  return *this;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {
// Opens `path` for reading without blocking (a FIFO with no writer would block open(2) forever),
// then refuses anything that is not a regular file by name: a directory (open succeeds and fstat
// gives it a size), a FIFO, a character device (/dev/zero never ends), a socket. Returns -1 with
// errno set when open(2) fails.
int open_regular(const std::string& path) {
  if (path.find('\0') != std::string::npos)
    throw std::runtime_error(path_for_message(path) + ": cannot open: the path holds a NUL byte");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return -1;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    sys_fail(path, "cannot stat");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error(path + ": cannot open: it is " + file_kind_name(file_kind_of_mode(st.st_mode)) +
                             ", not a regular file");
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}
}  // namespace

FileHandle FileHandle::open_read(const std::string& path) {
  FileHandle h;
  h.path_ = path;
  h.fd_ = open_regular(path);
  if (h.fd_ < 0) sys_fail(path, "cannot open");
  return h;
}

FileHandle FileHandle::open_read_if_exists(const std::string& path) {
  FileHandle h;
  h.fd_ = open_regular(path);
  if (h.fd_ < 0) {
    if (errno == ENOENT) return h;
    sys_fail(path, "cannot open");
  }
  h.path_ = path;
  return h;
}

FileHandle FileHandle::create(const std::string& path) {
  FileHandle h;
  h.path_ = path;
  h.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (h.fd_ < 0) sys_fail(path, "cannot create");
  return h;
}

std::int64_t FileHandle::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) sys_fail(path_, "cannot stat");
  return static_cast<std::int64_t>(st.st_size);
}

void FileHandle::resize(std::int64_t bytes) const {
  if (::ftruncate(fd_, static_cast<off_t>(bytes)) != 0)
    sys_fail(path_, "cannot set the file size to " + std::to_string(bytes) + " bytes");
}

void FileHandle::close() {
  if (fd_ < 0) return;
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) sys_fail(path_, "close failed");
}

MappedFile::MappedFile(const FileHandle& f, std::int64_t bytes, bool writable) : size_(bytes) {
  if (bytes <= 0) {
    size_ = 0;
    return;
  }
  void* p =
      ::mmap(nullptr, static_cast<size_t>(bytes), writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, f.fd(), 0);
  if (p == MAP_FAILED) sys_fail(f.path(), "cannot map the file into memory");
  data_ = static_cast<std::byte*>(p);
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (data_) ::munmap(data_, static_cast<size_t>(size_));
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(data_, static_cast<size_t>(size_));
}

void reserve_file_space(const FileHandle& f, std::int64_t bytes) {
  if (bytes <= 0) return;
  const int rc = ::posix_fallocate(f.fd(), 0, static_cast<off_t>(bytes));
  if (rc != 0) {
    errno = rc;
    sys_fail(f.path(), "cannot reserve " + std::to_string(bytes) + " bytes on disk");
  }
}

void pread_exact(const FileHandle& f, std::byte* out, std::int64_t n, std::int64_t offset) {
  std::int64_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(f.fd(), out + done, static_cast<size_t>(std::min<std::int64_t>(n - done, 1 << 30)),
                              static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      sys_fail(f.path(), "read failed at byte " + std::to_string(offset + done));
    }
    if (r == 0)
      throw std::runtime_error(f.path() + ": the file ends at byte " + std::to_string(offset + done) +
                               ", expected at least " + std::to_string(offset + n) + " (truncated?)");
    done += r;
  }
}

void pwrite_all(const FileHandle& f, const std::byte* data, std::int64_t n, std::int64_t offset) {
  std::int64_t done = 0;
  while (done < n) {
    const ssize_t r = ::pwrite(f.fd(), data + done, static_cast<size_t>(std::min<std::int64_t>(n - done, 1 << 30)),
                               static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      sys_fail(f.path(), "write failed at byte " + std::to_string(offset + done));
    }
    done += r;
  }
}

void read_strided(const FileHandle& f, std::int64_t base, std::span<const std::int64_t> extent,
                  std::span<const std::int64_t> file_stride, std::byte* out, std::span<const std::int64_t> out_stride,
                  int itemsize) {
  const Region r = normalise(extent, file_stride, out_stride);
  if (r.empty) return;
  if (r.n == 0) return pread_exact(f, out, itemsize, base);
  const int L = r.n - 1;
  // Contiguous rows in both: read them straight into place.
  if (r.fs[L] == itemsize && r.ms[L] == itemsize && r.ext[L] * itemsize >= kGap) {
    const std::int64_t row = r.ext[L] * itemsize;
    for_outer(r, L, base, out, [&](std::int64_t off, std::byte* m) { pread_exact(f, m, row, off); });
    return;
  }
  // Far-apart single elements: one read each.
  if (abs64(r.fs[L]) - itemsize > kGap) {
    for_outer(r, r.n, base, out, [&](std::int64_t off, std::byte* m) { pread_exact(f, m, itemsize, off); });
    return;
  }
  // Grow the block read at once outwards while the gaps between its runs stay small.
  std::int64_t span = (r.ext[L] - 1) * abs64(r.fs[L]) + itemsize;
  int k = L;
  while (k > 0) {
    const std::int64_t gap = abs64(r.fs[k - 1]) - span;
    const std::int64_t grown = (r.ext[k - 1] - 1) * abs64(r.fs[k - 1]) + span;
    if (gap > kGap || grown > kScratchBudget) break;
    span = grown;
    --k;
  }
  std::int64_t lowest = 0;  // offset of the block's lowest byte relative to its first element
  for (int a = k; a < r.n; ++a)
    if (r.fs[a] < 0) lowest += (r.ext[a] - 1) * r.fs[a];
  const int inner = r.n - k;
  const std::span<const std::int64_t> iext(r.ext + k, inner), ifs(r.fs + k, inner), ims(r.ms + k, inner);
  if (span <= kScratchBudget) {
    std::unique_ptr<std::byte[]> scratch(new std::byte[static_cast<size_t>(span)]);
    for_outer(r, k, base, out, [&](std::int64_t off, std::byte* m) {
      pread_exact(f, scratch.get(), span, off + lowest);
      copy_strided(iext, scratch.get() - lowest, ifs, m, ims, itemsize);
    });
    return;
  }
  // One row longer than the budget (k == L): read it in pieces.
  const std::int64_t step = abs64(r.fs[L]);
  const std::int64_t per = std::max<std::int64_t>(1, (kScratchBudget - itemsize) / std::max<std::int64_t>(step, 1) + 1);
  std::unique_ptr<std::byte[]> scratch(new std::byte[static_cast<size_t>((per - 1) * step + itemsize)]);
  for_outer(r, L, base, out, [&](std::int64_t off, std::byte* m) {
    for (std::int64_t j = 0; j < r.ext[L]; j += per) {
      const std::int64_t cnt = std::min(per, r.ext[L] - j);
      const std::int64_t first = off + j * r.fs[L];
      const std::int64_t low = r.fs[L] < 0 ? first + (cnt - 1) * r.fs[L] : first;
      pread_exact(f, scratch.get(), (cnt - 1) * step + itemsize, low);
      const std::int64_t e[] = {cnt}, s[] = {r.fs[L]}, d[] = {r.ms[L]};
      copy_strided(e, scratch.get() + (first - low), s, m + j * r.ms[L], d, itemsize);
    }
  });
}

void write_strided(const FileHandle& f, std::int64_t base, std::span<const std::int64_t> extent,
                   std::span<const std::int64_t> file_stride, const std::byte* in,
                   std::span<const std::int64_t> in_stride, int itemsize) {
  const Region r = normalise(extent, file_stride, in_stride);
  if (r.empty) return;
  if (r.n == 0) return pwrite_all(f, in, itemsize, base);
  const int L = r.n - 1;
  if (r.fs[L] == itemsize) {
    const std::int64_t row = r.ext[L] * itemsize;
    if (r.ms[L] == itemsize) {
      for_outer(r, L, base, in, [&](std::int64_t off, const std::byte* m) { pwrite_all(f, m, row, off); });
      return;
    }
    // Contiguous in the file only: gather each row first.
    std::unique_ptr<std::byte[]> scratch(new std::byte[static_cast<size_t>(row)]);
    for_outer(r, L, base, in, [&](std::int64_t off, const std::byte* m) {
      const std::int64_t e[] = {r.ext[L]}, s[] = {r.ms[L]}, d[] = {itemsize};
      copy_strided(e, m, s, scratch.get(), d, itemsize);
      pwrite_all(f, scratch.get(), row, off);
    });
    return;
  }
  for_outer(r, r.n, base, in, [&](std::int64_t off, const std::byte* m) { pwrite_all(f, m, itemsize, off); });
}

bool read_whole_file(const std::string& path, std::string& out) {
  FileHandle h = FileHandle::open_read_if_exists(path);
  if (!h) return false;
  out.resize(static_cast<size_t>(h.size()));
  pread_exact(h, reinterpret_cast<std::byte*>(out.data()), static_cast<std::int64_t>(out.size()), 0);
  return true;
}

std::string temp_path_for(const std::string& path) { return path + ".tmp-" + std::to_string(::getpid()); }

void write_file_via_rename(const std::string& path, std::span<const std::byte> data) {
  const std::span<const std::byte> parts[] = {data};
  write_file_via_rename(path, parts);
}

void write_file_via_rename(const std::string& path, std::span<const std::span<const std::byte>> parts) {
  static std::atomic<std::uint64_t> counter{0};
  const std::string tmp = temp_path_for(path) + "." + std::to_string(counter.fetch_add(1));
  try {
    FileHandle h = FileHandle::create(tmp);
    std::int64_t at = 0;
    for (const auto& p : parts) {
      pwrite_all(h, p.data(), static_cast<std::int64_t>(p.size()), at);
      at += static_cast<std::int64_t>(p.size());
    }
    h.close();
  } catch (const std::runtime_error& e) {
    ::unlink(tmp.c_str());
    // Name the file being written, not its temporary.
    std::string m = e.what();
    if (m.rfind(tmp, 0) != 0) throw;
    throw std::runtime_error(path + m.substr(tmp.size()));
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    errno = e;
    sys_fail(path, "cannot rename the temporary file into place");
  }
}

}  // namespace chunkscope
