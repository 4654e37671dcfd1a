#pragma once
// Helpers shared by the fuzz targets (tests/fuzz/README.md): input bytes as a string and a
// per-process scratch folder for readers that only take paths.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace chunkscope::fuzz {

/// The fuzzer's input as a std::string (the readers take bytes as strings).
inline std::string as_string(const std::uint8_t* data, std::size_t size) {
  return size ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
}

/// A folder of this process, made on first use under $TMPDIR (or /tmp) and removed at exit.
/// Targets write their input there when the reader under test only opens files.
inline const std::filesystem::path& scratch_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      const char* tmp = std::getenv("TMPDIR");
      std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/chunkscope-fuzz-XXXXXX";
      if (!mkdtemp(tmpl.data())) throw std::runtime_error("fuzz: cannot make a scratch folder in " + tmpl);
      path = tmpl;
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

/// Writes `bytes` to `path` (created or truncated), making its parent folders.
inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("fuzz: cannot write " + path.string());
}

}  // namespace chunkscope::fuzz
