#include "chunkscope/exec/zarr.hpp"

#include <blosc.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "chunkscope/core/chunking.hpp"
#include "chunkscope/core/error.hpp"
#include "chunkscope/core/limits.hpp"
#include "chunkscope/exec/array_io.hpp"
#include "chunkscope/exec/block_copy.hpp"
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
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
    throw InputError(name + ": .zarray is not valid JSON");
  }
  if (!j.is_object()) throw InputError(name + ": .zarray must be a JSON object");
  ZarrMeta m;
  if (!j.contains("zarr_format") || j["zarr_format"] != 2)
    bad(name, "zarr_format", "only Zarr v2 arrays are supported");
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
  if (m.shape.size() > static_cast<size_t>(kMaxAxes))
    bad(name, "shape",
        "has " + std::to_string(m.shape.size()) + " axes; at most " + std::to_string(kMaxAxes) + " are supported");
  std::int64_t n = 1;
  for (auto s : m.shape) {
    if (n > (std::int64_t{1} << 55) / s) bad(name, "shape", "is too large");
    n *= s;
  }
  if (!j.contains("dtype") || !j["dtype"].is_string()) bad(name, "dtype", "must be a string like \"<f8\"");
  const auto dt = parse_typestr(j["dtype"].get<std::string>());
  if (!dt) {
    const std::string why = unsupported_dtype_reason(j["dtype"].get<std::string>());
    bad(name, "dtype",
        "unsupported dtype " + j["dtype"].dump() +
            (why.empty() ? " (little-endian " + std::string(dtype_names_list()) + ")" : ": " + why));
  }
  m.dtype = *dt;
  // chunk_bytes() and every chunk buffer multiply these: bound them before anything does.
  std::int64_t chunk_bytes = dtype_size(m.dtype);
  for (auto c : m.chunk_shape) {
    if (chunk_bytes > (std::int64_t{1} << 50) / c)
      bad(name, "chunks", "a chunk of " + format_shape(m.chunk_shape) + " is too large (over 2^50 bytes)");
    chunk_bytes *= c;
  }
  if (j.contains("order") && j["order"] != "C") bad(name, "order", "only C order is supported");
  if (j.contains("filters") && !j["filters"].is_null() && !(j["filters"].is_array() && j["filters"].empty()))
    bad(name, "filters", "filters are not supported");
  if (j.contains("dimension_separator") && j["dimension_separator"].is_string()) {
    m.dimension_separator = j["dimension_separator"].get<std::string>();
    if (m.dimension_separator != "." && m.dimension_separator != "/")
      bad(name, "dimension_separator", "must be \".\" or \"/\"");
  }
  if (j.contains("fill_value")) {
    const auto& f = j["fill_value"];
    if (f.is_number())
      m.fill_value = f.get<double>();
    else if (f.is_boolean())
      m.fill_value = f.get<bool>() ? 1 : 0;
    else if (f.is_string()) {
      const std::string v = f.get<std::string>();
      if (v == "NaN")
        m.fill_value = std::numeric_limits<double>::quiet_NaN();
      else if (v == "Infinity")
        m.fill_value = std::numeric_limits<double>::infinity();
      else if (v == "-Infinity")
        m.fill_value = -std::numeric_limits<double>::infinity();
      else
        bad(name, "fill_value", "unsupported value " + f.dump());
    } else if (!f.is_null()) {
      bad(name, "fill_value", "unsupported value " + f.dump());
    }
  }
  if (j.contains("compressor") && !j["compressor"].is_null()) {
    const auto& c = j["compressor"];
    if (!c.is_object() || !c.contains("id") || !c["id"].is_string())
      bad(name, "compressor", "must be null or an object with an \"id\"");
    const std::string id = c["id"].get<std::string>();
    if (id == "zlib")
      m.compressor = ZarrCompressor::Zlib;
    else if (id == "gzip")
      m.compressor = ZarrCompressor::Gzip;
    else if (id == "blosc")
      m.compressor = ZarrCompressor::Blosc;
    else
      bad(name, "compressor", "unsupported compressor \"" + id + "\" (zlib, gzip and blosc are supported)");
    if (c.contains("level") && c["level"].is_number_integer()) m.level = c["level"].get<int>();
    if (m.compressor == ZarrCompressor::Blosc) {
      if (c.contains("clevel") && c["clevel"].is_number_integer()) m.level = c["clevel"].get<int>();
      if (c.contains("cname") && c["cname"].is_string()) m.blosc_cname = c["cname"].get<std::string>();
      if (c.contains("shuffle") && c["shuffle"].is_number_integer()) m.blosc_shuffle = c["shuffle"].get<int>();
    }
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
  if (m.compressor == ZarrCompressor::Zlib)
    c = {{"id", "zlib"}, {"level", m.level}};
  else if (m.compressor == ZarrCompressor::Gzip)
    c = {{"id", "gzip"}, {"level", m.level}};
  else if (m.compressor == ZarrCompressor::Blosc)
    c = {
        {"id", "blosc"}, {"cname", m.blosc_cname}, {"clevel", m.level}, {"shuffle", m.blosc_shuffle}, {"blocksize", 0}};
  nlohmann::json fill = m.fill_value;
  if (std::isnan(m.fill_value))
    fill = "NaN";
  else if (std::isinf(m.fill_value))
    fill = m.fill_value > 0 ? "Infinity" : "-Infinity";
  else if (m.dtype == DType::Bool)
    fill = m.fill_value != 0;
  else if (!is_float(m.dtype))
    fill = static_cast<std::int64_t>(m.fill_value);
  nlohmann::json j = {{"zarr_format", 2},
                      {"shape", m.shape},
                      {"chunks", m.chunk_shape},
                      {"dtype", dtype_typestr(m.dtype)},
                      {"compressor", c},
                      {"fill_value", fill},
                      {"order", "C"},
                      {"filters", nullptr}};
  if (m.dimension_separator != ".") j["dimension_separator"] = m.dimension_separator;
  return j;
}

std::int64_t ZarrMeta::chunk_bytes() const {
  std::int64_t n = dtype_size(dtype);
  for (auto c : chunk_shape) n *= c;
  return n;
}

std::string zarr_chunk_key(const ZarrMeta& m, const Shape& coords) {
  std::string k;
  for (size_t a = 0; a < coords.size(); ++a) {
    if (a) k += m.dimension_separator;
    k += std::to_string(coords[a]);
  }
  return k;
}

namespace {

[[noreturn]] void chunk_fail(const std::string& file, const std::string& what) {
  throw std::runtime_error(file + ": " + what);
}

// zlib and gzip streams (inflate detects which).
void inflate_exact(std::span<const std::byte> in, std::byte* out, std::int64_t n, const std::string& file) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) chunk_fail(file, "cannot start zlib");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
  std::int64_t in_left = static_cast<std::int64_t>(in.size()), out_done = 0;
  int rc = Z_OK;
  unsigned char extra[1];
  while (rc == Z_OK) {
    if (z.avail_in == 0 && in_left > 0) {
      z.avail_in = static_cast<uInt>(std::min<std::int64_t>(in_left, 1 << 30));
      in_left -= z.avail_in;
    }
    if (out_done < n) {
      z.next_out = reinterpret_cast<Bytef*>(out + out_done);
      z.avail_out = static_cast<uInt>(std::min<std::int64_t>(n - out_done, 1 << 30));
    } else {
      z.next_out = extra;  // any byte past the chunk's size is an error
      z.avail_out = 1;
    }
    const uInt before = z.avail_out;
    rc = inflate(&z, Z_NO_FLUSH);
    if (out_done < n)
      out_done += before - z.avail_out;
    else if (z.avail_out == 0) {
      inflateEnd(&z);
      chunk_fail(file,
                 "the chunk decompresses to more than the chunk's " + std::to_string(n) + " bytes (wrong chunk size?)");
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && in_left == 0) break;
  }
  const std::string msg = z.msg ? z.msg : "error " + std::to_string(rc);
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    if (rc == Z_OK || rc == Z_BUF_ERROR)
      chunk_fail(file, "the compressed chunk is cut short (decoded " + std::to_string(out_done) + " of " +
                           std::to_string(n) + " bytes)");
    chunk_fail(file, "corrupt compressed chunk (zlib: " + msg + ")");
  }
  if (out_done != n)
    chunk_fail(file, "the chunk decompresses to " + std::to_string(out_done) + " bytes, expected " + std::to_string(n) +
                         " (wrong chunk size?)");
}

std::string deflate_all(const std::byte* data, std::int64_t n, int level, bool gzip, const std::string& what) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, gzip ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error(what + ": cannot start zlib at level " + std::to_string(level));
  std::string out(static_cast<size_t>(deflateBound(&z, static_cast<uLong>(n))), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(data));
  z.avail_in = static_cast<uInt>(n);
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error(what + ": zlib compression failed");
  return out;
}

}  // namespace

void decode_zarr_chunk(const ZarrMeta& m, std::span<const std::byte> stored, std::byte* out, const std::string& file) {
  const std::int64_t n = m.chunk_bytes();
  switch (m.compressor) {
    case ZarrCompressor::None:
      if (static_cast<std::int64_t>(stored.size()) != n)
        chunk_fail(file, "the chunk file has " + std::to_string(stored.size()) + " bytes, expected " +
                             std::to_string(n) + " (chunk shape " + format_shape(m.chunk_shape) + ", " +
                             std::string(dtype_name(m.dtype)) + ")");
      std::memcpy(out, stored.data(), static_cast<size_t>(n));
      return;
    case ZarrCompressor::Zlib:
    case ZarrCompressor::Gzip: return inflate_exact(stored, out, n, file);
    case ZarrCompressor::Blosc: {
      size_t nbytes = 0;
      if (stored.size() < BLOSC_MIN_HEADER_LENGTH || blosc_cbuffer_validate(stored.data(), stored.size(), &nbytes) != 0)
        chunk_fail(file, "not a valid blosc chunk");
      if (static_cast<std::int64_t>(nbytes) != n)
        chunk_fail(file, "the blosc chunk holds " + std::to_string(nbytes) + " bytes, expected " + std::to_string(n) +
                             " (wrong chunk size?)");
      const int r = blosc_decompress_ctx(stored.data(), out, static_cast<size_t>(n), 1);
      if (r < 0 || r != n) chunk_fail(file, "corrupt blosc chunk (error " + std::to_string(r) + ")");
      return;
    }
  }
}

std::string encode_zarr_chunk(const ZarrMeta& m, const std::byte* data) {
  const std::int64_t n = m.chunk_bytes();
  switch (m.compressor) {
    case ZarrCompressor::None: return std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    case ZarrCompressor::Zlib: return deflate_all(data, n, m.level, false, "zarr chunk");
    case ZarrCompressor::Gzip: return deflate_all(data, n, m.level, true, "zarr chunk");
    case ZarrCompressor::Blosc: {
      if (n > BLOSC_MAX_BUFFERSIZE)
        throw std::runtime_error("zarr chunk of " + std::to_string(n) + " bytes is too large for blosc (2 GiB)");
      std::string out(static_cast<size_t>(n) + BLOSC_MAX_OVERHEAD, '\0');
      const int r =
          blosc_compress_ctx(m.level, m.blosc_shuffle, static_cast<size_t>(dtype_size(m.dtype)), static_cast<size_t>(n),
                             data, out.data(), out.size(), m.blosc_cname.c_str(), 0, 1);
      if (r <= 0)
        throw std::runtime_error("blosc compression failed (codec \"" + m.blosc_cname + "\", error " +
                                 std::to_string(r) + ")");
      out.resize(static_cast<size_t>(r));
      return out;
    }
  }
  return {};
}

bool read_zarr_chunk(const std::string& dir, const ZarrMeta& m, const Shape& coords, std::byte* out) {
  const std::string file = dir + "/" + zarr_chunk_key(m, coords);
  if (m.compressor == ZarrCompressor::None) {  // raw: straight into place, no copy
    const FileHandle f = FileHandle::open_read_if_exists(file);
    if (!f) return false;
    const std::int64_t size = f.size(), n = m.chunk_bytes();
    if (size != n)
      chunk_fail(file, "the chunk file has " + std::to_string(size) + " bytes, expected " + std::to_string(n) +
                           " (chunk shape " + format_shape(m.chunk_shape) + ", " + std::string(dtype_name(m.dtype)) +
                           ")");
    pread_exact(f, out, n, 0);
    return true;
  }
  std::string bytes;
  if (!read_whole_file(file, bytes)) return false;
  decode_zarr_chunk(m, {reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()}, out, file);
  return true;
}

void write_zarr_chunk(const std::string& dir, const ZarrMeta& m, const Shape& coords, const std::byte* data) {
  const std::string file = dir + "/" + zarr_chunk_key(m, coords);
  if (m.dimension_separator == "/") {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
    if (ec) throw std::runtime_error(file + ": cannot create its folder: " + ec.message());
  }
  const std::string bytes = encode_zarr_chunk(m, data);
  write_file_via_rename(file, {reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()});
}

void read_zarr_region(const std::string& dir, const ZarrMeta& m, std::span<const AxisSlice> sel, std::byte* out) {
  const int nd = static_cast<int>(m.shape.size());
  if (static_cast<int>(sel.size()) != nd) throw std::invalid_argument(dir + ": region has the wrong number of axes");
  const int itemsize = dtype_size(m.dtype);
  // Per axis: the runs of selected elements that fall in one chunk.
  struct Piece {
    std::int64_t chunk, out_first, count, local;
  };
  std::vector<std::vector<Piece>> pieces(nd);
  Shape counts(nd);
  for (int a = 0; a < nd; ++a) {
    const AxisSlice& s = sel[a];
    const std::int64_t cs = m.chunk_shape[a];
    if (s.count <= 0 || s.start < 0 || s.start >= m.shape[a] || s.at(s.count - 1) < 0 ||
        s.at(s.count - 1) >= m.shape[a])
      throw std::out_of_range(dir + ": region outside the array on axis " + std::to_string(a));
    counts[a] = s.count;
    for (std::int64_t i = 0; i < s.count;) {
      const std::int64_t g = s.at(i), k = g / cs, local = g - k * cs;
      const std::int64_t room = s.step > 0 ? (cs - 1 - local) / s.step + 1 : local / (-s.step) + 1;
      const std::int64_t n = std::min(s.count - i, room);
      pieces[a].push_back({k, i, n, local});
      i += n;
    }
  }
  const Shape os = c_strides(counts, itemsize), cst = c_strides(m.chunk_shape, itemsize);
  std::byte fill[8];
  scalar_to_dtype(m.fill_value, m.dtype, fill);
  std::unique_ptr<std::byte[]> scratch;
  Shape cur(nd, 0), coords(nd), ext(nd), sst(nd);
  while (true) {
    std::int64_t out_off = 0, src_off = 0;
    bool whole = true;  // the piece is the whole chunk and the whole output: decode in place
    for (int a = 0; a < nd; ++a) {
      const Piece& p = pieces[a][cur[a]];
      coords[a] = p.chunk;
      ext[a] = p.count;
      out_off += p.out_first * os[a];
      src_off += p.local * cst[a];
      sst[a] = sel[a].step * cst[a];
      whole = whole && sel[a].step == 1 && p.local == 0 && p.count == m.chunk_shape[a] && p.count == counts[a];
    }
    if (whole) {
      if (!read_zarr_chunk(dir, m, coords, out)) fill_strided(ext, out, os, fill, itemsize);
    } else {
      if (!scratch) scratch.reset(new std::byte[static_cast<size_t>(m.chunk_bytes())]);
      if (read_zarr_chunk(dir, m, coords, scratch.get()))
        copy_strided(ext, scratch.get() + src_off, sst, out + out_off, os, itemsize);
      else
        fill_strided(ext, out + out_off, os, fill, itemsize);
    }
    int a = nd - 1;
    for (; a >= 0; --a) {
      if (++cur[a] < static_cast<std::int64_t>(pieces[a].size())) break;
      cur[a] = 0;
    }
    if (a < 0) break;
  }
}

void write_zarr_array(const std::string& dir, const ZarrMeta& m, const std::byte* data) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the folder: " + ec.message());
  const std::string meta = make_zarr_meta(m).dump(2);
  write_file_via_rename(dir + "/.zarray", {reinterpret_cast<const std::byte*>(meta.data()), meta.size()});
  const int nd = static_cast<int>(m.shape.size());
  const int itemsize = dtype_size(m.dtype);
  const ArrayMeta am{m.shape, m.chunks(), m.dtype};
  std::vector<std::byte> chunk(static_cast<size_t>(m.chunk_bytes()));
  std::byte fill[8];
  scalar_to_dtype(m.fill_value, m.dtype, fill);
  const Shape zero(nd, 0);
  for (std::int64_t c = 0; c < am.num_chunks(); ++c) {
    const Shape off = am.chunk_offset(c);
    fill_strided(m.chunk_shape, chunk.data(), c_strides(m.chunk_shape, itemsize), fill, itemsize);
    copy_box({data, zero, m.shape}, {chunk.data(), off, m.chunk_shape}, itemsize);
    write_zarr_chunk(dir, m, am.chunk_coords(c), chunk.data());
  }
}

}  // namespace chunkscope
