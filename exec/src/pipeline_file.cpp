#include "chunkscope/exec/pipeline_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "chunkscope/exec/array_io.hpp"
#include "chunkscope/exec/npy.hpp"
#include "chunkscope/exec/zarr.hpp"

namespace chunkscope {

std::string read_file(const std::string& path) {
  try {
    // Regular files only: a FIFO, /dev/zero or a folder is refused before any byte is read.
    const FileHandle f = FileHandle::open_read(path);
    const std::int64_t size = f.size();
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (size > 0) pread_exact(f, reinterpret_cast<std::byte*>(bytes.data()), size, 0);
    return bytes;
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    // "<path>: cannot open: <why>" from FileHandle: a file named on the command line "cannot be read".
    std::string m = e.what();
    const std::string open = ": cannot open:";
    if (const auto at = m.find(open); at != std::string::npos) m.replace(at, open.size(), ": cannot read:");
    throw InputError(m);
  }
}

PipelineOptions::SourceInfo probe_source_file(const Layer& layer) {
  PipelineOptions::SourceInfo info;
  if (layer.op == Op::FromNpy) {
    const NpyHeader h = read_npy_header(layer.params.path);
    info.shape = h.shape;
    info.dtype = h.dtype;
  } else {
    const ZarrMeta m = read_zarr_meta(layer.params.path);
    info.shape = m.shape;
    info.dtype = m.dtype;
    info.chunk_shape = m.chunk_shape;  // not m.chunks(): the parser counts them before making lists
  }
  return info;
}

Result<Graph> load_pipeline(const std::string& path, PipelineOptions options) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const InputError& e) {
    return Result<Graph>::failure(e.what());
  }
  if (!options.probe_source) options.probe_source = probe_source_file;
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return parse_pipeline_text(text, path, dir, options);
}

}  // namespace chunkscope
