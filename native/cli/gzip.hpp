#pragma once
// gzip streams for `export -o run.json.gz` and `import run.json.gz` (zlib).
#include <string>
#include <string_view>

namespace chunkscope::cli {

/// True when `path` ends in ".gz".
bool is_gzip_path(const std::string& path);
/// `bytes` as one gzip member (level 6).
std::string gzip_bytes(std::string_view bytes);
/// True when `bytes` start with the gzip magic (1f 8b).
bool looks_gzipped(std::string_view bytes);
/// The content of a gzip stream; throws std::runtime_error("... is not valid gzip data") naming `name`.
std::string gunzip_bytes(std::string_view bytes, const std::string& name);

}  // namespace chunkscope::cli
