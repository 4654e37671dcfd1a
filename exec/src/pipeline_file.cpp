#include "chunkscope/exec/pipeline_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "chunkscope/exec/npy.hpp"
#include "chunkscope/exec/zarr.hpp"

namespace chunkscope {

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": cannot read: it is a directory");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
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
    info.chunks = m.chunks();
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
