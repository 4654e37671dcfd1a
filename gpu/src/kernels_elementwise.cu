// Device element-wise kernel: every binary, comparison, where, unary op and astype, with the
// element semantics of exec's CPU kernels (exec/src/kernels/numeric.hpp): operands cast to the
// computation type, wrapping integer arithmetic, NaN-propagating maximum/minimum, NumPy's
// float -> integer conversion. One kernel per computation type; the op and the operand/output
// dtypes are uniform run-time switches (the kernel is memory-bound). Compiled with -fmad=false so
// no multiply-add is contracted (same rounding as the CPU).
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "cuda_check.hpp"
#include "device_kernels.hpp"
#include "device_math.hpp"
#include "launch_util.cuh"

namespace chunkscope::gpu {
namespace {

template <class T>
__global__ void elementwise_kernel(Op op, DType out_dtype, EwOperand a, EwOperand b, EwOperand c, void* out,
                                   std::int64_t n) {
  CHUNKSCOPE_GRID_LOOP(i, n) dm::ew_apply<T>(op, out_dtype, a, b, c, out, i);
}

template <class T>
void launch_typed(Op op, DType out_dtype, const EwOperand* ops, int count, void* out, std::int64_t n, cudaStream_t s) {
  const EwOperand none{};
  const EwOperand a = count > 0 ? ops[0] : none, b = count > 1 ? ops[1] : none, c = count > 2 ? ops[2] : none;
  elementwise_kernel<T><<<blocks_for(n), kThreads, 0, s>>>(op, out_dtype, a, b, c, out, n);
}

__global__ void fused_kernel(dm::FusedProgram p, void* out, std::int64_t n) {
  CHUNKSCOPE_GRID_LOOP(i, n) dm::fused_element(p, out, i);
}

}  // namespace

void launch_fused(const dm::FusedProgram& p, void* out, std::int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  fused_kernel<<<blocks_for(n), kThreads, 0, stream>>>(p, out, n);
  check_launch("fused_kernel");
}

void launch_elementwise(Op op, DType compute, DType out_dtype, const EwOperand* operands, int count, void* out,
                        std::int64_t n, cudaStream_t stream) {
  if (n <= 0) return;
  switch (compute) {
    case DType::Bool: launch_typed<bool>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Int8: launch_typed<std::int8_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Int16: launch_typed<std::int16_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::UInt32: launch_typed<std::uint32_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Float16: launch_typed<float>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::UInt8: launch_typed<std::uint8_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::UInt16: launch_typed<std::uint16_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Int32: launch_typed<std::int32_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Int64: launch_typed<std::int64_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::UInt64: launch_typed<std::uint64_t>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Float32: launch_typed<float>(op, out_dtype, operands, count, out, n, stream); break;
    case DType::Float64: launch_typed<double>(op, out_dtype, operands, count, out, n, stream); break;
  }
  check_launch("elementwise_kernel");
}

}  // namespace chunkscope::gpu
