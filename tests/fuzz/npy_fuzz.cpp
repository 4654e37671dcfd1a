// Fuzz target: a .npy file -> parse_npy_header on the bytes, then (the readers only open files)
// the bytes written to a scratch file and read by NpyReader (a whole read and a strided region
// read with a negative step) and read_npy. InputError is the expected failure for a bad file;
// anything else is a bug. A header that passes must never make a reader touch bytes the file
// does not have.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "chunkscope/core/error.hpp"
#include "chunkscope/exec/npy.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chunkscope;
  const std::string bytes = fuzz::as_string(data, size);
  NpyHeader h;
  try {
    h = parse_npy_header(bytes, static_cast<std::int64_t>(bytes.size()), "fuzz.npy");
  } catch (const InputError&) {
    return 0;
  }
  const std::string path = (fuzz::scratch_dir() / "input.npy").string();
  fuzz::write_file(path, bytes);
  try {
    const NpyReader r(path);
    // The whole array, C order: no more bytes than the file holds (the header was checked).
    std::vector<AxisSlice> all;
    std::int64_t n = dtype_size(r.header().dtype);
    for (auto s : r.header().shape) {
      all.push_back({0, 1, s});
      n *= s;
    }
    std::vector<std::byte> out(static_cast<std::size_t>(n));
    r.read(all, out.data());
    // Backwards along the last axis, every other element along the others.
    std::vector<AxisSlice> sel;
    std::int64_t m = dtype_size(r.header().dtype);
    for (size_t a = 0; a < r.header().shape.size(); ++a) {
      const std::int64_t s = r.header().shape[a];
      if (a + 1 == r.header().shape.size())
        sel.push_back({s - 1, -1, s});
      else
        sel.push_back({0, 2, (s + 1) / 2});
      m *= sel.back().count;
    }
    std::vector<std::byte> part(static_cast<std::size_t>(m));
    r.read(sel, part.data());
    NpyHeader again;
    const std::vector<std::byte> whole = read_npy(path, &again);
    if (whole != out) std::abort();  // two readers disagree on the same file
  } catch (const InputError&) {
  }
  return 0;
}
