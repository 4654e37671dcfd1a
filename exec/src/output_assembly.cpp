#include "output_assembly.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "chunkscope/exec/kernel.hpp"

namespace chunkscope {

OutputArray assemble_output(const Graph& g, int layer, const std::vector<Buffer>& buffers, std::int64_t max_bytes) {
  const ArrayMeta& m = g.layer(layer).meta;
  OutputArray out;
  out.layer = layer;
  out.meta.shape = m.shape;
  out.meta.dtype = m.dtype;
  for (auto s : m.shape) out.meta.chunks.push_back({s});
  const bool copy = m.nbytes() <= max_bytes;
  if (copy) out.data = Buffer(m.nbytes());
  const int nd = m.ndim();
  const int item = dtype_size(m.dtype);
  Shape strides(nd, 1);
  for (int a = nd - 2; a >= 0; --a) strides[a] = strides[a + 1] * m.shape[a + 1];
  double sum = 0, mn = std::numeric_limits<double>::infinity(), mx = -std::numeric_limits<double>::infinity();
  bool nan = false;
  for (std::int64_t c = 0; c < m.num_chunks(); ++c) {
    const Buffer& b = buffers[g.tasks().output_task(layer, c)];
    const Shape off = g.grid(layer).offset(c), ext = g.grid(layer).shape(c);
    std::int64_t count = 1;
    for (auto e : ext) count *= e;
    dispatch_dtype(m.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T* p = b.as<T>();
      for (std::int64_t i = 0; i < count; ++i) {
        const double v = static_cast<double>(p[i]);
        if (std::isnan(v)) nan = true;
        sum += v;
        mn = std::min(mn, v);
        mx = std::max(mx, v);
      }
    });
    if (!copy) continue;
    // Copy rows along the last axis.
    const std::int64_t row = nd ? ext[nd - 1] : 1;
    const std::int64_t rows = row ? count / row : 0;
    Shape idx(nd, 0);
    for (std::int64_t r = 0; r < rows; ++r) {
      std::int64_t dst = 0;
      for (int a = 0; a < nd; ++a) dst += (off[a] + idx[a]) * strides[a];
      std::memcpy(out.data.data() + dst * item, b.data() + r * row * item, static_cast<size_t>(row * item));
      for (int a = nd - 2; a >= 0; --a) {
        if (++idx[a] < ext[a]) break;
        idx[a] = 0;
      }
    }
  }
  out.sum = sum;
  out.min = nan ? std::nan("") : mn;
  out.max = nan ? std::nan("") : mx;
  return out;
}

}  // namespace chunkscope
