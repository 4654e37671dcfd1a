// Fuzz target: a Zarr v2 array as one input: the .zarray JSON text, then a NUL byte, then the
// stored bytes of chunk (0, 0, ...) (no NUL: no chunk file, the chunk reads as fill_value).
// parse_zarr_meta and decode_zarr_chunk run on the bytes; then (the readers open folders) the
// array is written to a scratch folder and read by read_zarr_meta and read_zarr_region (the
// first chunk whole, and a backwards region that spans chunks). InputError (bad metadata) and
// std::runtime_error (a bad chunk file, zarr.hpp's contract) are the expected failures.
//
// Arrays whose chunks decode to more than kMaxChunkBytes are parsed but not read: the metadata
// legitimately asks for buffers of that size (the executor's memory limit decides), and the
// fuzzer's 2 GiB memory limit would report them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "chunkscope/core/error.hpp"
#include "chunkscope/exec/zarr.hpp"
#include "fuzz_support.hpp"

namespace {
constexpr std::int64_t kMaxChunkBytes = std::int64_t{16} << 20;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chunkscope;
  const std::string bytes = fuzz::as_string(data, size);
  const std::size_t nul = bytes.find('\0');
  const std::string meta_text = bytes.substr(0, nul);
  const bool has_chunk = nul != std::string::npos;
  const std::string chunk = has_chunk ? bytes.substr(nul + 1) : std::string();
  ZarrMeta m;
  try {
    m = parse_zarr_meta(meta_text, "fuzz.zarr");
  } catch (const InputError&) {
    return 0;
  }
  const std::int64_t n = m.chunk_bytes();
  if (n > kMaxChunkBytes) return 0;
  std::vector<std::byte> decoded(static_cast<std::size_t>(n));
  if (has_chunk) {
    try {
      decode_zarr_chunk(m, std::as_bytes(std::span(chunk)), decoded.data(), "fuzz.zarr/0");
    } catch (const std::runtime_error&) {
    }
  }

  const std::filesystem::path dir = fuzz::scratch_dir() / "array.zarr";
  std::filesystem::remove_all(dir);
  fuzz::write_file(dir / ".zarray", meta_text);
  if (has_chunk) fuzz::write_file(dir / zarr_chunk_key(m, Shape(m.shape.size(), 0)), chunk);
  const ZarrMeta again = read_zarr_meta(dir.string());  // parsed above: must parse again
  const std::int64_t itemsize = dtype_size(again.dtype);
  std::vector<AxisSlice> first, back;
  std::int64_t first_bytes = itemsize;
  double back_bytes = static_cast<double>(itemsize);  // up to 2x the chunk per axis: may not fit
  for (size_t a = 0; a < again.shape.size(); ++a) {
    const std::int64_t s = again.shape[a], c = std::min(s, again.chunk_shape[a]);
    first.push_back({0, 1, c});
    back.push_back({std::min(s - 1, c), -1, std::min(s - 1, c) + 1});  // crosses into chunk 1 when there is one
    first_bytes *= first.back().count;
    back_bytes *= static_cast<double>(back.back().count);
  }
  try {
    std::vector<std::byte> out(static_cast<std::size_t>(first_bytes));
    read_zarr_region(dir.string(), again, first, out.data());
    if (back_bytes <= static_cast<double>(kMaxChunkBytes)) {
      std::vector<std::byte> out2(static_cast<std::size_t>(back_bytes));
      read_zarr_region(dir.string(), again, back, out2.data());
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
