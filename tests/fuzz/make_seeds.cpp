// Writes the generated part of the seed corpora (tests/fuzz/README.md says how to run it):
//   fuzz_make_seeds CORPUS_DIR TRACE.json...
// - trace_json, trace_cbor, trace_compact, chrome_export: each trace given (written by
//   `chunkscope run`) re-written in JSON, CBOR and the compact encoding;
// - zarr: small arrays (.zarray, NUL, chunk 0) with every compressor, dtype family and separator;
// - npy: small arrays of every dtype, in formats 1.0, 2.0 and 3.0;
// - layout: Graphviz's json layout of layout_graph.hpp's graph (when Graphviz is linked).
// The hand-written seeds (pipelines, odd layouts, tests/data arrays) are copied in by hand.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/exec/block_copy.hpp"
#include "chunkscope/exec/npy.hpp"
#include "chunkscope/exec/zarr.hpp"
#include "fuzz_support.hpp"
#ifdef CHUNKSCOPE_FUZZ_SEEDS_LAYOUT
#include "chunkscope/viz/dot.hpp"
#include "chunkscope/viz/layout.hpp"
#include "layout_graph.hpp"
#endif

namespace fs = std::filesystem;
using namespace chunkscope;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Element i of an array as bytes of `dtype` (small varied values).
std::vector<std::byte> ramp(std::int64_t n, DType dtype) {
  std::vector<std::byte> out(static_cast<size_t>(n * dtype_size(dtype)));
  for (std::int64_t i = 0; i < n; ++i)
    scalar_to_dtype(static_cast<double>(i % 7) * 0.5, dtype, out.data() + i * dtype_size(dtype));
  return out;
}

void traces(const fs::path& corpus, const std::vector<fs::path>& files) {
  for (const fs::path& f : files) {
    const Result<Trace> t = read_trace_bytes(read(f), f.string());
    if (!t) {
      std::fprintf(stderr, "%s\n", t.error().c_str());
      std::exit(1);
    }
    const std::string stem = f.filename().string().substr(0, f.filename().string().find('.'));
    fuzz::write_file(corpus / "trace_json" / (stem + ".json"), write_trace_json(*t));
    fuzz::write_file(corpus / "trace_cbor" / (stem + ".cbor"), write_trace_cbor(*t));
    fuzz::write_file(corpus / "trace_compact" / (stem + ".compact"), write_trace_compact(*t));
    fuzz::write_file(corpus / "chrome_export" / (stem + ".json"), write_trace_json(*t));
    fuzz::write_file(corpus / "chrome_export" / (stem + ".compact"), write_trace_compact(*t));
  }
}

void zarrs(const fs::path& corpus) {
  struct Case {
    const char* name;
    DType dtype;
    ZarrCompressor c;
    const char* cname;
    int shuffle;
    const char* sep;
    double fill;
  };
  const Case cases[] = {
      {"raw_f8", DType::Float64, ZarrCompressor::None, "", 0, ".", 0},
      {"zlib_i4", DType::Int32, ZarrCompressor::Zlib, "", 0, ".", 3},
      {"gzip_u2", DType::UInt16, ZarrCompressor::Gzip, "", 0, "/", 1},
      {"blosc_lz4_f4", DType::Float32, ZarrCompressor::Blosc, "lz4", 1, ".", 0},
      {"blosc_zstd_i8", DType::Int64, ZarrCompressor::Blosc, "zstd", 2, ".", -1},
      {"blosc_blosclz_u1", DType::UInt8, ZarrCompressor::Blosc, "blosclz", 0, "/", 0},
      {"blosc_zlib_b1", DType::Bool, ZarrCompressor::Blosc, "zlib", 1, ".", 1},
      {"raw_u8_nan", DType::UInt64, ZarrCompressor::None, "", 0, ".", 0},
  };
  for (const Case& k : cases) {
    ZarrMeta m;
    m.shape = {6, 5};
    m.chunk_shape = {4, 3};
    m.dtype = k.dtype;
    m.compressor = k.c;
    m.blosc_cname = k.cname[0] ? k.cname : "lz4";
    m.blosc_shuffle = k.shuffle;
    m.dimension_separator = k.sep;
    m.fill_value = k.fill;
    const auto data = ramp(12, k.dtype);
    const std::string chunk = encode_zarr_chunk(m, data.data());
    fuzz::write_file(corpus / "zarr" / k.name, make_zarr_meta(m).dump() + std::string(1, '\0') + chunk);
  }
  ZarrMeta m;  // one chunk covering a 1-d array; no chunk file (fill value)
  m.shape = {10};
  m.chunk_shape = {16};
  m.fill_value = 2.5;
  fuzz::write_file(corpus / "zarr" / "missing_chunk", make_zarr_meta(m).dump(2));
}

void npys(const fs::path& corpus) {
  const DType dtypes[] = {DType::Bool,  DType::UInt8,  DType::UInt16,  DType::Int32,
                          DType::Int64, DType::UInt64, DType::Float32, DType::Float64};
  const Shape shapes[] = {{5}, {3, 4}, {2, 3, 2}};
  int k = 0;
  for (DType d : dtypes) {
    const Shape& s = shapes[k++ % 3];
    std::int64_t n = 1;
    for (auto x : s) n *= x;
    const auto data = ramp(n, d);
    std::string bytes = make_npy_header(s, d) + std::string(reinterpret_cast<const char*>(data.data()), data.size());
    fuzz::write_file(corpus / "npy" / (std::string(dtype_name(d)) + ".npy"), bytes);
    if (d == DType::Float64 || d == DType::Int32) {  // format 2.0 / 3.0: 4-byte header length
      const std::string dict = bytes.substr(10, bytes.size() - 10 - data.size());
      std::string v2 = std::string("\x93NUMPY", 6) + static_cast<char>(d == DType::Int32 ? 2 : 3) + '\0';
      const std::uint32_t len = static_cast<std::uint32_t>(dict.size());
      for (int i = 0; i < 4; ++i) v2 += static_cast<char>((len >> (8 * i)) & 0xff);
      v2 += dict;
      v2.append(reinterpret_cast<const char*>(data.data()), data.size());
      fuzz::write_file(
          corpus / "npy" / (std::string(dtype_name(d)) + "_v" + std::to_string(static_cast<int>(v2[6])) + ".npy"), v2);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [TRACE...]\n", argv[0]);
    return 2;
  }
  const fs::path corpus = argv[1];
  traces(corpus, std::vector<fs::path>(argv + 2, argv + argc));
  zarrs(corpus);
  npys(corpus);
#ifdef CHUNKSCOPE_FUZZ_SEEDS_LAYOUT
  fuzz::write_file(corpus / "layout" / "graphviz.json", viz::layout_native(viz::to_dot(fuzz::layout_graph())));
#endif
  return 0;
}
