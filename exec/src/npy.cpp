#include "chunkscope/exec/npy.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "chunkscope/core/error.hpp"
#include "chunkscope/exec/block_copy.hpp"

namespace chunkscope {
namespace {

[[noreturn]] void bad(const std::string& name, const std::string& what) { throw InputError(name + ": " + what); }

// At most 60 bytes of header text, for a message.
std::string excerpt(std::string_view v) {
  return v.size() <= 60 ? std::string(v) : std::string(v.substr(0, 60)) + "...";
}

// The header dict, read as strictly as NumPy reads it (ast.literal_eval, then exactly the keys
// 'descr', 'fortran_order' and 'shape'): a Python dict literal whose 'descr' is a string,
// 'fortran_order' is True or False and 'shape' a tuple of integers. Anything else is refused, so
// that no header means one thing to NumPy and another here: `(10 20)` is not (1020,), a key given
// twice is not read from its first copy, `'fortran_order': 0` is not False.
class HeaderDict {
 public:
  HeaderDict(std::string_view h, const std::string& name) : h_(h), name_(name) {}

  std::string descr;
  bool fortran_order = false;
  Shape shape;

  void parse() {
    skip_space();
    if (!eat('{')) bad(name_, "the .npy header is not a dict literal");
    bool seen[3] = {false, false, false};
    for (;;) {
      skip_space();
      if (eat('}')) break;
      const std::string key = string_literal("a key");
      const int k = key == "descr" ? 0 : key == "fortran_order" ? 1 : key == "shape" ? 2 : -1;
      if (k < 0)
        bad(name_, "the .npy header has the key '" + excerpt(key) +
                       "' (NumPy's headers hold only 'descr', 'fortran_order' and 'shape')");
      if (seen[k]) bad(name_, "the .npy header has the key '" + key + "' twice");
      seen[k] = true;
      skip_space();
      if (!eat(':')) malformed("after '" + key + "'");
      skip_space();
      if (k == 0)
        parse_descr();
      else if (k == 1)
        parse_fortran_order();
      else
        parse_shape();
      skip_space();
      if (eat(',')) continue;
      if (eat('}')) break;
      malformed("after the value of '" + key + "'");
    }
    skip_space();
    if (i_ < h_.size()) bad(name_, "the .npy header has text after its dict");
    const char* keys[3] = {"descr", "fortran_order", "shape"};
    for (int k = 0; k < 3; ++k)
      if (!seen[k]) bad(name_, std::string("the .npy header has no '") + keys[k] + "'");
  }

 private:
  static constexpr int kMaxDepth = 16;

  [[noreturn]] void malformed(const std::string& where) const {
    if (i_ >= h_.size()) bad(name_, "the .npy header is cut short");
    bad(name_, "the .npy header is malformed " + where);
  }
  char peek() const { return i_ < h_.size() ? h_[i_] : '\0'; }
  bool eat(char c) {
    if (i_ < h_.size() && h_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void skip_space() {
    while (i_ < h_.size() && (h_[i_] == ' ' || h_[i_] == '\t' || h_[i_] == '\n' || h_[i_] == '\r')) ++i_;
  }
  static bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  // 'text' or "text", without escapes (NumPy writes none).
  std::string string_literal(const std::string& what) {
    const char q = peek();
    if (q != '\'' && q != '"') malformed("where " + what + " (a quoted string) should be");
    const auto e = h_.find(q, i_ + 1);
    if (e == std::string_view::npos) bad(name_, "the .npy header has an unterminated string");
    const std::string_view text = h_.substr(i_ + 1, e - i_ - 1);
    if (text.find('\\') != std::string_view::npos || text.find('\n') != std::string_view::npos)
      bad(name_, "the .npy header has a string with an escape or a line break in it");
    i_ = e + 1;
    return std::string(text);
  }

  // Skips one literal of any kind (for the message about a value of the wrong kind); returns its text.
  std::string_view any_literal(int depth = 0) {
    if (depth > kMaxDepth) bad(name_, "the .npy header is nested too deeply");
    const std::size_t b = i_;
    const char c = peek();
    if (c == '\'' || c == '"') {
      string_literal("a value");
    } else if (c == '(' || c == '[' || c == '{') {
      const char close = c == '(' ? ')' : c == '[' ? ']' : '}';
      ++i_;
      for (;;) {
        skip_space();
        if (eat(close)) break;
        any_literal(depth + 1);
        skip_space();
        if (c == '{' && eat(':')) {
          skip_space();
          any_literal(depth + 1);
          skip_space();
        }
        if (eat(close)) break;
        if (!eat(',')) malformed("inside a value");
      }
    } else if (is_name_char(c) || c == '-' || c == '+' || c == '.') {
      ++i_;
      while (i_ < h_.size() && (is_name_char(h_[i_]) || h_[i_] == '.' || h_[i_] == '+' || h_[i_] == '-')) ++i_;
    } else {
      malformed("where a value should be");
    }
    return h_.substr(b, i_ - b);
  }

  void parse_descr() {
    if (peek() == '\'' || peek() == '"') {
      descr = string_literal("the dtype");
      return;
    }
    const std::string_view v = any_literal();
    bad(name_,
        "unsupported .npy dtype " + excerpt(v) + " (little-endian " + std::string(dtype_names_list()) + " only)");
  }

  void parse_fortran_order() {
    const std::string_view v = any_literal();
    if (v == "True")
      fortran_order = true;
    else if (v == "False")
      fortran_order = false;
    else
      bad(name_, "the .npy header's 'fortran_order' is " + excerpt(v) + ", not True or False");
  }

  // A tuple of non-negative integers: (), (4,), (3, 4), (3, 4,); NumPy 1.x files from Python 2 may
  // write 3L.
  void parse_shape() {
    const std::size_t b = i_;
    auto refuse = [&](const std::string& why) {
      i_ = b;
      skip_value_quietly();
      bad(name_, "the .npy shape " + excerpt(h_.substr(b, i_ - b)) + " " + why);
    };
    if (!eat('(')) refuse("is not a tuple");
    bool comma = false;
    for (;;) {
      skip_space();
      if (eat(')')) break;
      const char c = peek();
      if (c == '-') refuse("has a negative size");
      if (!std::isdigit(static_cast<unsigned char>(c))) refuse("is malformed (sizes must be integers)");
      std::int64_t v = 0;
      const std::size_t d = i_;
      while (i_ < h_.size() && std::isdigit(static_cast<unsigned char>(h_[i_]))) {
        if (v > (std::int64_t{1} << 50)) bad(name_, "the .npy shape is too large");
        v = v * 10 + (h_[i_++] - '0');
      }
      if (i_ - d > 1 && h_[d] == '0') refuse("is malformed (a size with a leading zero)");
      if (peek() == 'L' || peek() == 'l') ++i_;
      if (is_name_char(peek()) || peek() == '.') refuse("is malformed (sizes must be integers)");
      shape.push_back(v);
      skip_space();
      if (eat(',')) {
        comma = true;
        continue;
      }
      if (eat(')')) break;
      refuse("is malformed (sizes must be separated by commas)");
    }
    if (shape.size() == 1 && !comma) refuse("is not a tuple (a 1-d shape is written (n,))");
  }

  // Moves past the rest of a value for an error message, without failing on its contents.
  void skip_value_quietly() {
    int depth = 0;
    for (; i_ < h_.size(); ++i_) {
      const char c = h_[i_];
      if (c == '(' || c == '[')
        ++depth;
      else if ((c == ')' || c == ']') && --depth <= 0) {
        ++i_;
        return;
      } else if (depth == 0 && (c == ',' || c == '}'))
        return;
    }
  }

  std::string_view h_;
  const std::string& name_;
  std::size_t i_ = 0;
};

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
  HeaderDict dict(std::string_view(b).substr(start, header_len), name);
  dict.parse();
  const auto dt = parse_typestr(dict.descr);
  if (!dt) {
    const std::string why = unsupported_dtype_reason(dict.descr);
    bad(name, why.empty() ? "unsupported .npy dtype '" + dict.descr + "' (little-endian " +
                                std::string(dtype_names_list()) + " only)"
                          : "unsupported .npy dtype '" + dict.descr + "': " + why);
  }
  out.dtype = *dt;
  if (dict.fortran_order) bad(name, "Fortran-order .npy files are not supported (save with np.ascontiguousarray)");
  out.shape = dict.shape;
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
  for (size_t i = 0; i < shape.size(); ++i)
    dict += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "") +
            (i + 1 < shape.size() ? " " : "");
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
std::int64_t run_bytes(const Shape& shape, std::span<const std::int64_t> counts, std::span<const std::int64_t> steps,
                       int itemsize) {
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
