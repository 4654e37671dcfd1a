// Sink kernels: to_npy and to_zarr write a layer's chunks into one output, in temporaries that
// finalize_sinks() moves into place at the end of the run (see sink_finalize.hpp).
//
// to_zarr honours optional layer parameters (Layer::raw_params): "compressor" = null (default,
// raw chunks) | "zlib" | "gzip" | "blosc", and "level" (compression level, default 1 / blosc 5).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include "chunkscope/exec/array_io.hpp"
#include "chunkscope/exec/block_copy.hpp"
#include "chunkscope/exec/file_util.hpp"
#include "chunkscope/exec/kernel.hpp"
#include "chunkscope/exec/npy.hpp"
#include "chunkscope/exec/sink_finalize.hpp"
#include "chunkscope/exec/zarr.hpp"

namespace chunkscope {
namespace {

namespace fs = std::filesystem;

struct NpySink {
  std::unique_ptr<NpyWriter> writer;
};
struct ZarrSink {
  std::string dir;  // the temporary folder
  ZarrMeta meta;
};

ZarrMeta zarr_meta_for(const Layer& l) {
  ZarrMeta m;
  m.shape = l.meta.shape;
  for (const auto& c : l.meta.chunks) m.chunk_shape.push_back(c.front());
  m.dtype = l.meta.dtype;
  const auto& p = l.raw_params;
  if (p.contains("compressor") && !p["compressor"].is_null()) {
    const auto& c = p["compressor"];
    const std::string id = c.is_string() ? c.get<std::string>() : "";
    if (id == "zlib")
      m.compressor = ZarrCompressor::Zlib;
    else if (id == "gzip")
      m.compressor = ZarrCompressor::Gzip;
    else if (id == "blosc")
      m.compressor = ZarrCompressor::Blosc, m.level = 5;
    else
      throw std::runtime_error(l.params.path + ": unsupported Zarr compressor " + c.dump() +
                               " (null, \"zlib\", \"gzip\" or \"blosc\")");
  }
  if (p.contains("level") && p["level"].is_number_integer()) m.level = p["level"].get<int>();
  return m;
}

/// Runs f; an error naming the temporary file or folder is re-thrown naming the user's output path
/// instead (the temporary is an implementation detail: "out/a.zarr/0.0: No space left on device").
template <class F>
auto naming_output(const std::string& path, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::runtime_error& e) {
    const std::string tmp = temp_path_for(path);
    std::string m = e.what();
    bool renamed = false;
    for (size_t at; (at = m.find(tmp)) != std::string::npos; renamed = true) m.replace(at, tmp.size(), path);
    if (!renamed) throw;
    throw std::runtime_error(m);
  }
}

std::shared_ptr<const void> prepare_sink(const Graph& g, int li);

std::shared_ptr<const void> prepare(const Graph& g, int li) {
  const Layer& l = g.layer(li);
  return naming_output(l.params.path, [&] { return prepare_sink(g, li); });
}

std::shared_ptr<const void> prepare_sink(const Graph& g, int li) {
  const Layer& l = g.layer(li);
  const std::string tmp = temp_path_for(l.params.path);
  remove_stale_temporaries(l.params.path);  // left by runs that were killed
  // Output folders are created as needed (samples write to out/ next to the pipeline).
  if (const fs::path parent = fs::path(l.params.path).parent_path(); !parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw std::runtime_error(parent.string() + ": cannot create the output folder: " + ec.message());
  }
  if (l.op == Op::ToNpy) {
    auto st = std::make_shared<NpySink>();
    st->writer = std::make_unique<NpyWriter>(tmp, l.meta.shape, l.meta.dtype);
    return st;
  }
  if (l.op != Op::ToZarr) throw std::logic_error("sink kernel used for a non-sink op");
  if (!l.meta.regular())
    throw std::runtime_error(l.params.path + ": Zarr needs regular chunks, got " + format_chunk_shape(l.meta.chunks));
  auto st = std::make_shared<ZarrSink>();
  st->dir = tmp;
  st->meta = zarr_meta_for(l);
  std::error_code ec;
  fs::remove_all(tmp, ec);  // a leftover of an earlier run of this process id
  fs::create_directories(tmp, ec);
  if (ec) throw std::runtime_error(tmp + ": cannot create the folder: " + ec.message());
  const std::string meta = make_zarr_meta(st->meta).dump(2);
  write_file_via_rename(tmp + "/.zarray", {reinterpret_cast<const std::byte*>(meta.data()), meta.size()});
  return st;
}

std::int64_t output_bytes(const Graph&, int, TaskKey, const void*) { return 0; }

void write_chunk(const KernelContext& ctx);

void run(const KernelContext& ctx) {
  naming_output(ctx.layer.params.path, [&] { write_chunk(ctx); });
}

void write_chunk(const KernelContext& ctx) {
  const Layer& l = ctx.layer;
  const Buffer& in = *ctx.inputs[0];
  const Shape off = ctx.graph.grid(ctx.layer_index).offset(ctx.key.index),
              ext = ctx.graph.grid(ctx.layer_index).shape(ctx.key.index);
  std::int64_t chunk_bytes = dtype_size(l.meta.dtype);
  for (auto e : ext) chunk_bytes *= e;
  if (in.size() != chunk_bytes) throw std::logic_error("sink: input chunk has an unexpected size");
  if (l.op == Op::ToNpy) {
    static_cast<const NpySink*>(ctx.state)->writer->write_block(off, ext, in.data());
    return;
  }
  const auto& st = *static_cast<const ZarrSink*>(ctx.state);
  const Shape coords = l.meta.chunk_coords(ctx.key.index);
  if (ext == st.meta.chunk_shape) {
    write_zarr_chunk(st.dir, st.meta, coords, in.data());
    return;
  }
  // Edge chunk: Zarr v2 stores the full chunk shape, padded with the fill value.
  const int itemsize = dtype_size(l.meta.dtype);
  std::vector<std::byte> padded(static_cast<size_t>(st.meta.chunk_bytes()));
  std::byte fill[8];
  scalar_to_dtype(st.meta.fill_value, st.meta.dtype, fill);
  fill_strided(st.meta.chunk_shape, padded.data(), c_strides(st.meta.chunk_shape, itemsize), fill, itemsize);
  copy_box({in.data(), off, ext}, {padded.data(), off, st.meta.chunk_shape}, itemsize);
  write_zarr_chunk(st.dir, st.meta, coords, padded.data());
}

std::string errno_text() { return std::strerror(errno); }

void flush_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": cannot open to flush: " + errno_text());
  const int rc = ::fdatasync(fd);
  const std::string why = rc != 0 ? errno_text() : "";
  ::close(fd);
  if (rc != 0) throw std::runtime_error(path + ": flushing to disk failed: " + why);
}

void finish_npy(const std::string& path, const std::string& tmp) {
  flush_file(tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot move the finished output into place: " + errno_text());
}

void finish_zarr(const std::string& path, const std::string& tmp) {
  std::error_code ec;
  // Swap the new folder and the previous one in one step (renameat2 RENAME_EXCHANGE), so that a
  // crash at any moment leaves a complete folder at `path`; the previous one, now under the
  // temporary name, is then deleted (or, after a crash, by the next run's
  // remove_stale_temporaries).
  if (fs::is_directory(fs::symlink_status(path, ec))) {
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
      fs::remove_all(tmp, ec);
      return;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
      throw std::runtime_error(path + ": cannot move the finished output into place: " + errno_text());
  }
  // No previous folder, or a file system without RENAME_EXCHANGE: move the old one aside first.
  std::string old;
  if (fs::exists(fs::symlink_status(path, ec))) {
    old = path + ".old-" + std::to_string(::getpid());
    fs::remove_all(old, ec);
    if (std::rename(path.c_str(), old.c_str()) != 0)
      throw std::runtime_error(path + ": cannot move the previous output aside: " + errno_text());
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    if (!old.empty()) std::rename(old.c_str(), path.c_str());  // put the previous output back
    throw std::runtime_error(path + ": cannot move the finished output into place: " + why);
  }
  if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace

const KernelInfo& sink_kernel() {
  static const KernelInfo k{prepare, output_bytes, run};
  return k;
}

void finalize_sinks(const Graph& graph, bool success) {
  std::string first_error;
  for (const Layer& l : graph.layers()) {
    if (l.op != Op::ToNpy && l.op != Op::ToZarr) continue;
    const std::string tmp = temp_path_for(l.params.path);
    std::error_code ec;
    const bool exists = fs::exists(fs::symlink_status(tmp, ec));
    if (!success) {
      if (exists) fs::remove_all(tmp, ec);
      continue;
    }
    try {
      if (!exists) throw std::runtime_error(l.params.path + ": the output was not written (no " + tmp + ")");
      naming_output(l.params.path, [&] {
        if (l.op == Op::ToNpy)
          finish_npy(l.params.path, tmp);
        else
          finish_zarr(l.params.path, tmp);
      });
    } catch (const std::exception& e) {
      if (first_error.empty()) first_error = e.what();
      fs::remove_all(tmp, ec);
    }
  }
  if (!first_error.empty()) throw std::runtime_error(first_error);
}

}  // namespace chunkscope
