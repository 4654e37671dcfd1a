#include "chunkscope/exec/npy.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "chunkscope/core/error.hpp"
#include "chunkscope/exec/block_copy.hpp"

namespace chunkscope {
namespace {

[[noreturn]] void bad(const std::string& name, const std::string& what) { throw InputError(name + ": " + what); }

// Finds the value text after 'key': in a Python dict literal.
std::string dict_value(const std::string& h, const std::string& key, const std::string& name) {
  const std::string k1 = "'" + key + "'";
  auto p = h.find(k1);
  if (p == std::string::npos) bad(name, "the .npy header has no '" + key + "'");
  p = h.find(':', p + k1.size());
  if (p == std::string::npos) bad(name, "the .npy header is malformed near '" + key + "'");
  ++p;
  while (p < h.size() && std::isspace(static_cast<unsigned char>(h[p]))) ++p;
  if (p >= h.size()) bad(name, "the .npy header is cut short");
  size_t e = p;
  if (h[p] == '(') {
    e = h.find(')', p);
    if (e == std::string::npos) bad(name, "the .npy header's shape is not closed");
    return h.substr(p, e - p + 1);
  }
  if (h[p] == '\'' || h[p] == '"') {
    e = h.find(h[p], p + 1);
    if (e == std::string::npos) bad(name, "the .npy header has an unterminated string");
    return h.substr(p + 1, e - p - 1);
  }
  while (e < h.size() && h[e] != ',' && h[e] != '}') ++e;
  return h.substr(p, e - p);
}

}  // namespace

NpyHeader parse_npy_header(const std::string& b, std::int64_t file_size, const std::string& name) {
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0) bad(name, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(b[6]);
  std::size_t header_len = 0, start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(b[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(b[9])) << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) bad(name, "the .npy header is cut short");
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= static_cast<std::size_t>(static_cast<unsigned char>(b[8 + i])) << (8 * i);
    start = 12;
  } else {
    bad(name, "unsupported .npy format version " + std::to_string(major));
  }
  if (header_len > (1u << 20)) bad(name, "the .npy header claims " + std::to_string(header_len) + " bytes (too large)");
  if (b.size() < start + header_len) bad(name, "the .npy header is cut short");
  const std::string h = b.substr(start, header_len);
  NpyHeader out;
  const std::string descr = dict_value(h, "descr", name);
  const auto dt = parse_typestr(descr);
  if (!dt) bad(name, "unsupported .npy dtype '" + descr + "' (little-endian bool, uint8, uint16, int32, int64, uint64, float32, float64 only)");
  out.dtype = *dt;
  const std::string fo = dict_value(h, "fortran_order", name);
  if (fo.find("True") != std::string::npos) bad(name, "Fortran-order .npy files are not supported (save with np.ascontiguousarray)");
  const std::string sh = dict_value(h, "shape", name);
  std::int64_t cur = -1;
  for (char c : sh) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (cur < 0) cur = 0;
      if (cur > (std::int64_t{1} << 50)) bad(name, "the .npy shape is too large");
      cur = cur * 10 + (c - '0');
    } else if (c == ',' || c == ')') {
      if (cur >= 0) out.shape.push_back(cur);
      cur = -1;
    } else if (c == '-') {
      bad(name, "the .npy shape has a negative size");
    } else if (c != '(' && c != ' ' && c != 'L') {
      bad(name, "the .npy shape is malformed: " + sh);
    }
  }
  out.data_offset = static_cast<std::int64_t>(start + header_len);
  std::int64_t n = dtype_size(out.dtype);
  for (auto s : out.shape) {
    if (s <= 0) bad(name, "zero-size .npy arrays are not supported");
    if (n > (std::int64_t{1} << 60) / s) bad(name, "the .npy shape is too large");
    n *= s;
  }
  if (out.shape.empty()) bad(name, "0-d .npy arrays are not supported as sources");
  if (file_size >= 0 && file_size < out.data_offset + n)
    bad(name, "the file is truncated: the header claims " + std::to_string(n) + " data bytes, the file has " +
                  std::to_string(file_size - out.data_offset));
  return out;
}

NpyHeader read_npy_header(const std::string& path) {
  FileHandle f;
  std::int64_t size = 0;
  try {
    f = FileHandle::open_read(path);
    size = f.size();
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
  // Magic, version, header length (2 or 4 bytes), then the header itself.
  std::string b(static_cast<size_t>(std::min<std::int64_t>(size, 12)), '\0');
  if (!b.empty()) pread_exact(f, reinterpret_cast<std::byte*>(b.data()), static_cast<std::int64_t>(b.size()), 0);
  if (b.size() >= 10 && std::memcmp(b.data(), "\x93NUMPY", 6) == 0) {
    const int major = static_cast<unsigned char>(b[6]);
    std::int64_t len = 0, start = 10;
    if (major == 1) {
      len = static_cast<unsigned char>(b[8]) | (static_cast<std::int64_t>(static_cast<unsigned char>(b[9])) << 8);
    } else if (b.size() >= 12) {
      for (int i = 0; i < 4; ++i) len |= static_cast<std::int64_t>(static_cast<unsigned char>(b[8 + i])) << (8 * i);
      start = 12;
    }
    const std::int64_t want = std::min<std::int64_t>(size, start + std::min<std::int64_t>(len, (1 << 20) + 1));
    b.resize(static_cast<size_t>(want));
    if (want > 12) pread_exact(f, reinterpret_cast<std::byte*>(b.data()) + 12, want - 12, 12);
  }
  return parse_npy_header(b, size, path);
}

std::string make_npy_header(const Shape& shape, DType dtype) {
  std::string dict = "{'descr': '" + dtype_typestr(dtype) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) dict += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "") + (i + 1 < shape.size() ? " " : "");
  dict += "), }";
  std::size_t total = 10 + dict.size() + 1;
  const std::size_t padded = (total + 63) / 64 * 64;
  dict += std::string(padded - total, ' ') + "\n";
  std::string h = "\x93NUMPY";
  h += static_cast<char>(1);
  h += static_cast<char>(0);
  const std::size_t len = dict.size();
  h += static_cast<char>(len & 0xff);
  h += static_cast<char>((len >> 8) & 0xff);
  return h + dict;
}

namespace {

// Runs of at least this many bytes go through pread/pwrite; shorter ones through the mapping.
constexpr std::int64_t kLongRun = 64 << 10;

// Bytes of the longest contiguous file run of a region: trailing axes with step 1 that cover
// the whole array axis extend the run into the next axis.
std::int64_t run_bytes(const Shape& shape, std::span<const std::int64_t> counts, std::span<const std::int64_t> steps, int itemsize) {
  std::int64_t run = itemsize;
  for (int a = static_cast<int>(shape.size()) - 1; a >= 0; --a) {
    if (counts[a] > 1 && steps[a] != 1) break;
    run *= counts[a];
    if (counts[a] != shape[a]) break;
  }
  return run;
}

}  // namespace

NpyReader::NpyReader(const std::string& path) : header_(read_npy_header(path)) {
  try {
    file_ = FileHandle::open_read(path);
    map_ = MappedFile(file_, file_.size(), false);
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
}

void NpyReader::read(std::span<const AxisSlice> sel, std::byte* out) const {
  const int nd = static_cast<int>(header_.shape.size());
  if (static_cast<int>(sel.size()) != nd)
    throw std::invalid_argument(path() + ": a region of " + std::to_string(sel.size()) + " axes was requested from a " +
                                std::to_string(nd) + "-d array");
  const int itemsize = dtype_size(header_.dtype);
  const Shape file_strides = c_strides(header_.shape, itemsize);
  Shape counts(nd), fs(nd), steps(nd);
  std::int64_t base = header_.data_offset;
  for (int a = 0; a < nd; ++a) {
    const AxisSlice& s = sel[a];
    const std::int64_t last = s.at(s.count - 1);
    if (s.count <= 0 || s.start < 0 || s.start >= header_.shape[a] || last < 0 || last >= header_.shape[a])
      throw std::out_of_range(path() + ": region outside the array on axis " + std::to_string(a));
    counts[a] = s.count;
    steps[a] = s.step;
    fs[a] = s.step * file_strides[a];
    base += s.start * file_strides[a];
  }
  if (map_ && run_bytes(header_.shape, counts, steps, itemsize) < kLongRun) {
    const std::int64_t need = header_.data_offset + shape_size(header_.shape) * itemsize;
    const std::int64_t now = file_.size();
    if (now < need)
      throw std::runtime_error(path() + ": the file ends at byte " + std::to_string(now) + ", expected at least " +
                               std::to_string(need) + " (truncated?)");
    copy_strided(counts, map_.data() + base, fs, out, c_strides(counts, itemsize), itemsize);
    return;
  }
  read_strided(file_, base, counts, fs, out, c_strides(counts, itemsize), itemsize);
}

NpyWriter::NpyWriter(const std::string& path, const Shape& shape, DType dtype)
    : shape_(shape), dtype_(dtype), file_(FileHandle::create(path)) {
  const std::string h = make_npy_header(shape, dtype);
  data_offset_ = static_cast<std::int64_t>(h.size());
  std::int64_t n = dtype_size(dtype);
  for (auto s : shape) n *= s;
  pwrite_all(file_, reinterpret_cast<const std::byte*>(h.data()), data_offset_, 0);
  file_.resize(data_offset_ + n);
  reserve_file_space(file_, data_offset_ + n);
  map_ = MappedFile(file_, data_offset_ + n, true);
}

void NpyWriter::write_block(const Shape& offset, const Shape& block_shape, const std::byte* data) const {
  const int nd = static_cast<int>(shape_.size());
  if (static_cast<int>(offset.size()) != nd || static_cast<int>(block_shape.size()) != nd)
    throw std::invalid_argument(path() + ": block has the wrong number of axes");
  const int itemsize = dtype_size(dtype_);
  const Shape fs = c_strides(shape_, itemsize);
  std::int64_t base = data_offset_;
  for (int a = 0; a < nd; ++a) {
    if (offset[a] < 0 || block_shape[a] < 0 || offset[a] + block_shape[a] > shape_[a])
      throw std::out_of_range(path() + ": block outside the array on axis " + std::to_string(a));
    base += offset[a] * fs[a];
  }
  const Shape ones(nd, 1);
  if (map_ && run_bytes(shape_, block_shape, ones, itemsize) < kLongRun) {
    copy_strided(block_shape, data, c_strides(block_shape, itemsize), map_.data() + base, fs, itemsize);
    return;
  }
  write_strided(file_, base, block_shape, fs, data, c_strides(block_shape, itemsize), itemsize);
}

std::vector<std::byte> read_npy(const std::string& path, NpyHeader* header) {
  NpyReader r(path);
  std::int64_t n = dtype_size(r.header().dtype);
  std::vector<AxisSlice> sel;
  for (auto s : r.header().shape) {
    n *= s;
    sel.push_back({0, 1, s});
  }
  std::vector<std::byte> out(static_cast<size_t>(n));
  r.read(sel, out.data());
  if (header) *header = r.header();
  return out;
}

void write_npy(const std::string& path, const Shape& shape, DType dtype, const std::byte* data) {
  const std::string h = make_npy_header(shape, dtype);
  std::int64_t n = dtype_size(dtype);
  for (auto s : shape) n *= s;
  const std::span<const std::byte> parts[] = {{reinterpret_cast<const std::byte*>(h.data()), h.size()},
                                              {data, static_cast<size_t>(n)}};
  write_file_via_rename(path, parts);
}

}  // namespace chunkscope
