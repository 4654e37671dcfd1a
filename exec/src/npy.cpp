#include "chunkscope/exec/npy.hpp"

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "chunkscope/core/error.hpp"

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
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) bad(path, "cannot open: " + ec.message());
  std::ifstream f(path, std::ios::binary);
  if (!f) bad(path, "cannot open");
  std::string b(std::min<std::uintmax_t>(size, 65536 + 16), '\0');
  f.read(b.data(), static_cast<std::streamsize>(b.size()));
  b.resize(static_cast<size_t>(f.gcount()));
  return parse_npy_header(b, static_cast<std::int64_t>(size), path);
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

}  // namespace chunkscope
