// Source kernels: random, zeros, ones, full, from_npy, from_zarr — and the rechunk/slice layers
// that absorbed their source (Layer::params.pushed_source), which read or generate exactly
// their own chunks through the source view.
//
// For output chunk (offset o, shape e) of the running layer, element i reads source element
// view[a].at(o[a] + i[a]) on every axis a; without a pushed view the view is the identity.
#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "chunkscope/exec/block_copy.hpp"
#include "chunkscope/exec/kernel.hpp"
#include "chunkscope/exec/npy.hpp"
#include "chunkscope/exec/random_fill.hpp"
#include "chunkscope/exec/zarr.hpp"

namespace chunkscope {
namespace {

struct SourceState {
  const Layer* source = nullptr;   // the layer whose op makes the values
  std::vector<AxisSlice> view;     // this layer's coordinates -> source coordinates (empty: identity)
  std::unique_ptr<NpyReader> npy;  // from_npy
  ZarrMeta zarr;                   // from_zarr
  std::byte fill[8] = {};          // zeros, ones, full: the value in the output dtype
  bool fill_is_zero_bits = false;
};

[[noreturn]] void changed(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": the file changed since the pipeline was read: " + what);
}

std::shared_ptr<const void> prepare(const Graph& g, int li) {
  const Layer& l = g.layer(li);
  if (l.pushed_into >= 0) return nullptr;  // runs no tasks: a later layer reads for it
  auto st = std::make_shared<SourceState>();
  st->source = l.params.pushed_source >= 0 ? &g.layer(l.params.pushed_source) : &l;
  if (l.params.pushed_source >= 0) st->view = l.params.source_view;
  const Layer& src = *st->source;
  switch (src.op) {
    case Op::FromNpy: {
      st->npy = std::make_unique<NpyReader>(src.params.path);
      const NpyHeader& h = st->npy->header();
      if (h.shape != src.meta.shape)
        changed(src.params.path, "shape " + format_shape(h.shape) + ", expected " + format_shape(src.meta.shape));
      if (h.dtype != src.meta.dtype) changed(src.params.path, "dtype " + std::string(dtype_name(h.dtype)));
      break;
    }
    case Op::FromZarr:
      st->zarr = read_zarr_meta(src.params.path);
      if (st->zarr.shape != src.meta.shape)
        changed(src.params.path,
                "shape " + format_shape(st->zarr.shape) + ", expected " + format_shape(src.meta.shape));
      if (st->zarr.dtype != src.meta.dtype)
        changed(src.params.path, "dtype " + std::string(dtype_name(st->zarr.dtype)));
      break;
    case Op::Zeros:
    case Op::Ones:
    case Op::Full: {
      const double v = src.op == Op::Zeros ? 0.0 : src.op == Op::Ones ? 1.0 : src.params.value;
      scalar_to_dtype(v, l.meta.dtype, st->fill);
      st->fill_is_zero_bits = true;
      for (int b = 0; b < dtype_size(l.meta.dtype); ++b) st->fill_is_zero_bits &= st->fill[b] == std::byte{0};
      break;
    }
    case Op::Random:
      if (l.meta.dtype != DType::Float32 && l.meta.dtype != DType::Float64)
        throw std::runtime_error("random makes float32 or float64 values, not " +
                                 std::string(dtype_name(l.meta.dtype)));
      break;
    default: throw std::logic_error("source kernel used for op " + std::to_string(static_cast<int>(src.op)));
  }
  return st;
}

void run(const KernelContext& ctx) {
  const auto& st = *static_cast<const SourceState*>(ctx.state);
  const Layer& l = ctx.layer;
  const Layer& src = *st.source;
  const int nd = l.meta.ndim();
  const Shape off = ctx.graph.grid(ctx.layer_index).offset(ctx.key.index),
              ext = ctx.graph.grid(ctx.layer_index).shape(ctx.key.index);
  std::vector<AxisSlice> sel(nd);
  for (int a = 0; a < nd; ++a)
    sel[a] = st.view.empty() ? AxisSlice{off[a], 1, ext[a]} : AxisSlice{st.view[a].at(off[a]), st.view[a].step, ext[a]};
  std::byte* out = ctx.output.data();
  const int itemsize = dtype_size(l.meta.dtype);
  switch (src.op) {
    case Op::Random: {
      // Global C-order index in the source array: base + Σ i[a]·stride[a].
      const Shape& shape = src.meta.shape;
      Shape gstride(nd);
      std::int64_t acc = 1, base = 0;
      for (int a = nd - 1; a >= 0; --a) {
        gstride[a] = sel[a].step * acc;
        base += sel[a].start * acc;
        acc *= shape[a];
      }
      // In slabs along axis 0 of about 4 Mi elements, checking for cancellation between them.
      const std::int64_t row = nd > 0 ? shape_size(ext) / std::max<std::int64_t>(ext[0], 1) : 1;
      const std::int64_t slab =
          nd > 0 ? std::max<std::int64_t>(1, (std::int64_t{1} << 22) / std::max<std::int64_t>(row, 1)) : 1;
      Shape part = ext;
      for (std::int64_t r0 = 0; r0 < (nd > 0 ? ext[0] : 1); r0 += slab) {
        ctx.check_cancel();
        if (nd > 0) part[0] = std::min(slab, ext[0] - r0);
        fill_random(l.meta.dtype, src.params.seed, base + (nd > 0 ? r0 * gstride[0] : 0), part, gstride,
                    out + r0 * row * itemsize);
      }
      break;
    }
    case Op::Zeros:
    case Op::Ones:
    case Op::Full: {
      if (st.fill_is_zero_bits) {
        std::memset(out, 0, static_cast<size_t>(ctx.output.size()));
      } else {
        const std::int64_t n[] = {shape_size(ext)}, s[] = {itemsize};
        fill_strided(n, out, s, st.fill, itemsize);
      }
      break;
    }
    case Op::FromNpy: st.npy->read(sel, out); break;
    case Op::FromZarr: read_zarr_region(src.params.path, st.zarr, sel, out); break;
    default: throw std::logic_error("source kernel used for a non-source op");
  }
}

}  // namespace

const KernelInfo& source_kernel() {
  static const KernelInfo k{prepare, chunk_output_bytes, run};
  return k;
}

}  // namespace chunkscope
