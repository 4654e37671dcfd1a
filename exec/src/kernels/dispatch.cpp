// Picks the kernel of a layer's op family.
#include "chunkscope/exec/kernel.hpp"

namespace chunkscope {

const KernelInfo& kernel_for(const Layer& layer) {
  if (layer.params.pushed_source >= 0) return source_kernel();
  switch (layer.kind) {
    case OpKind::Source: return source_kernel();
    case OpKind::Elementwise: return elementwise_kernel();
    case OpKind::Transpose:
    case OpKind::Slice:
    case OpKind::Rechunk:
    case OpKind::Concatenate: return structure_kernel();
    case OpKind::Reduce: return reduce_kernel();
    case OpKind::Stencil: return stencil_kernel();
    case OpKind::Matmul: return matmul_kernel();
    case OpKind::Sink: return sink_kernel();
  }
  return source_kernel();
}

}  // namespace chunkscope
