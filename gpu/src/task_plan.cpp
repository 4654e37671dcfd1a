// Planning of device reductions and filters (task_plan.hpp): plain C++, tested on the host.
#include "task_plan.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "chunkscope/exec/filter_weights.hpp"
#include "chunkscope/exec/kernel.hpp"

namespace chunkscope::gpu {
namespace {

std::int64_t product(const Shape& s) {
  std::int64_t n = 1;
  for (auto x : s) n *= x;
  return n;
}

bool is_comparison(Op op) {
  return op == Op::Greater || op == Op::GreaterEqual || op == Op::Less || op == Op::LessEqual || op == Op::Equal;
}

}  // namespace

bool elementwise_on_device(Op op, DType compute) {
  const bool fl = compute == DType::Float32 || compute == DType::Float64;
  const bool uns = compute == DType::UInt8 || compute == DType::UInt16 || compute == DType::UInt64;
  switch (op) {
    case Op::Add:
    case Op::Subtract:
    case Op::Multiply:
    case Op::Maximum:
    case Op::Minimum:
    case Op::Greater:
    case Op::GreaterEqual:
    case Op::Less:
    case Op::LessEqual:
    case Op::Equal:
    case Op::Where:
    case Op::AsType:
    case Op::Negative:
    case Op::Abs: return true;
    case Op::Divide:
    case Op::Sqrt:
    case Op::Exp:
    case Op::Log:
    case Op::Sin:
    case Op::Cos: return fl;
    case Op::Power:  // signed integers raise on negative exponents: the host kernel reports it
      return fl || uns || compute == DType::Bool;
    default: return false;
  }
}

/// The element-wise computation type, as exec's elementwise kernel derives it (ew_prepare).
/// Returns false when the op raises whatever the data (an out-of-bounds integer scalar), or when an
/// integer literal must stay exact (beyond 2^53, or outside a comparison's type): the host kernel
/// then runs the layer (or reports NumPy's error).
bool plan_elementwise(const Graph& g, const Layer& l, EwPlan& d) {
  int next = 0;
  for (const Operand& o : l.params.operands) {
    dm::EwOperand e;
    if (o.is_scalar()) {
      e.scalar = o.scalar;
      e.dtype = o.scalar_is_integral ? DType::Int64 : DType::Float64;
      d.operand_input.push_back(-1);
    } else {
      e.dtype = g.layer(o.layer).meta.dtype;
      d.operand_input.push_back(next++);
    }
    d.operands.push_back(e);
  }
  const size_t first_value = l.op == Op::Where ? 1 : 0;
  DType arrays = DType::Bool;
  bool have_array = false, any_scalar = false, scalar_integral = true;
  for (size_t k = first_value; k < l.params.operands.size(); ++k) {
    const Operand& o = l.params.operands[k];
    if (o.is_scalar()) {
      any_scalar = true;
      scalar_integral &= o.scalar_is_integral;
    } else {
      const DType t = g.layer(o.layer).meta.dtype;
      arrays = have_array ? promote(arrays, t) : t;
      have_array = true;
    }
  }
  DType promoted = arrays;
  if (!have_array)
    promoted = scalar_integral ? DType::Int64 : DType::Float64;
  else if (any_scalar)
    promoted = promote_with_scalar(arrays, scalar_integral);
  d.compute = is_comparison(l.op) ? promoted : l.meta.dtype;
  if (l.op == Op::AsType) d.compute = d.operands[0].dtype;
  if (d.compute == DType::Float16 && l.op != Op::AsType)  // NumPy converts a literal to float16 first
    for (size_t k = 0; k < d.operands.size(); ++k)
      if (d.operand_input[k] < 0)
        d.operands[k].scalar = static_cast<double>(static_cast<float>(numpy::Half(d.operands[k].scalar)));
  if (is_integer(d.compute)) {
    for (size_t k = first_value; k < l.params.operands.size(); ++k) {
      const Operand& o = l.params.operands[k];
      if (!o.is_scalar() || !o.scalar_is_integral) continue;
      // The device operands hold numbers as doubles: a literal beyond 2^53, one that raises, and a
      // comparison with one outside the type (the same result everywhere) run on the host kernel,
      // which keeps integer literals exact.
      if (!o.integer.fits(d.compute) || o.integer.magnitude > (std::uint64_t{1} << 53)) return false;
    }
  }
  return elementwise_on_device(l.op, d.compute);
}

std::vector<std::shared_ptr<const FusedChain>> plan_fusion(const Graph& g, const std::vector<const EwPlan*>& ew,
                                                           std::vector<int>& fused_into) {
  const int nl = static_cast<int>(g.layers().size());
  std::vector<std::vector<int>> consumers(nl);
  for (int c = 0; c < nl; ++c)
    for (int in : g.layer(c).inputs)
      if (std::find(consumers[in].begin(), consumers[in].end(), c) == consumers[in].end()) consumers[in].push_back(c);
  std::vector<bool> output(nl, false);
  for (const auto& o : g.outputs()) output[o.layer] = true;
  // consumer[l]: the layer l would be fused into, or -1.
  std::vector<int> consumer(nl, -1);
  for (int l = 0; l < nl; ++l) {
    if (!ew[l] || output[l] || consumers[l].size() != 1) continue;
    const int c = consumers[l][0];
    if (!ew[c] || g.layer(c).meta.shape != g.layer(l).meta.shape || g.layer(c).meta.chunks != g.layer(l).meta.chunks)
      continue;
    consumer[l] = c;
  }
  fused_into.assign(nl, -1);
  std::vector<std::shared_ptr<const FusedChain>> chains(nl);
  for (int root = 0; root < nl; ++root) {
    if (!ew[root] || consumer[root] >= 0) continue;
    bool any = false;
    for (int in : g.layer(root).inputs) any |= consumer[in] == root;
    if (!any) continue;
    auto chain = std::make_shared<FusedChain>();
    bool fits = true;
    // Steps in dependency order: a layer after the fused layers it reads.
    auto emit = [&](auto&& self, int l) -> int {  // returns the step index of l
      const Layer& L = g.layer(l);
      const EwPlan& p = *ew[l];
      dm::FusedStep st;
      st.op = L.op;
      st.compute = p.compute;
      st.out = L.meta.dtype;
      st.count = static_cast<std::uint8_t>(std::min<size_t>(p.operands.size(), 3));
      for (int k = 0; k < st.count; ++k) {
        dm::FusedOperand& o = st.operand[k];
        if (p.operand_input[k] < 0) {
          o.kind = dm::FusedOperand::Scalar;
          o.dtype = p.operands[k].dtype;
          o.scalar = p.operands[k].scalar;
          continue;
        }
        const int in = L.params.operands[k].layer;
        o.dtype = g.layer(in).meta.dtype;
        if (consumer[in] >= 0) {  // a fused producer: its step comes first
          const auto at = std::find(chain->layers.begin(), chain->layers.end(), in);
          o.kind = dm::FusedOperand::Step;
          o.index = static_cast<std::uint8_t>(at != chain->layers.end() ? at - chain->layers.begin() : self(self, in));
        } else {
          auto at = std::find(chain->input_layers.begin(), chain->input_layers.end(), in);
          if (at == chain->input_layers.end()) {
            chain->input_layers.push_back(in);
            at = chain->input_layers.end() - 1;
          }
          o.kind = dm::FusedOperand::Input;
          o.index = static_cast<std::uint8_t>(at - chain->input_layers.begin());
        }
      }
      if (chain->layers.size() >= static_cast<size_t>(dm::kFusedOps) ||
          chain->input_layers.size() > static_cast<size_t>(dm::kFusedInputs)) {
        fits = false;
        return 0;
      }
      chain->layers.push_back(l);
      chain->program.step[chain->program.steps++] = st;
      return chain->program.steps - 1;
    };
    emit(emit, root);
    if (!fits) continue;  // too long: the chain's layers run one by one
    chain->program.inputs = static_cast<int>(chain->input_layers.size());
    for (size_t k = 0; k < chain->input_layers.size(); ++k)
      chain->program.input_dtype[k] = g.layer(chain->input_layers[k]).meta.dtype;
    for (int l : chain->layers)
      if (l != root) fused_into[l] = root;
    chains[root] = chain;
  }
  return chains;
}

bool plan_reduce(const Graph& g, const Layer& l, ReducePlan& p, std::string& why) {
  const ArrayMeta& im = g.layer(l.inputs[0]).meta;
  if (im.dtype == DType::Float16) {
    why = "float16 reduction (the host kernel accumulates it in float64)";
    return false;
  }
  dm::ReduceSpec& r = p.spec;
  r.in = im.dtype;
  r.out = l.meta.dtype;
  r.ddof = l.params.value;
  r.max = l.op == Op::Max;
  r.std_dev = l.op == Op::Std;
  switch (l.op) {
    case Op::Sum:
      r.layout = dm::Layout::Sum;
      r.acc = is_float(im.dtype) ? DType::Float64 : is_unsigned(im.dtype) ? DType::UInt64 : DType::Int64;
      break;
    case Op::Mean: r.layout = dm::Layout::Mean; break;
    case Op::Var:
    case Op::Std: r.layout = dm::Layout::Var; break;
    case Op::Min:
    case Op::Max: r.layout = dm::Layout::MinMax; break;
    default: why = "no device reduction for this op"; return false;
  }
  if (im.ndim() > dm::kAxes) {
    why = "more than 8 axes";
    return false;
  }
  for (int a : l.params.axes) p.reduced[a] = true;
  return true;
}

std::int64_t partial_k(const dm::ReduceSpec& r, TaskKey key, std::int64_t bytes) {
  if (key.stage == 0) return bytes / dtype_size(r.out);
  switch (r.layout) {
    case dm::Layout::Sum: return bytes / 8;
    case dm::Layout::Mean: return (bytes - dm::kHeader) / 8;
    case dm::Layout::Var: return (bytes - dm::kHeader) / 16;
    case dm::Layout::MinMax: return bytes / dtype_size(r.in);
  }
  return 0;
}

dm::ReduceWalk reduce_walk(const Graph& g, const Layer& l, const ReducePlan& p, std::int64_t index) {
  const ArrayMeta& im = g.layer(l.inputs[0]).meta;
  const Shape shape = im.chunk_shape(index);
  return dm::make_reduce_walk(im.ndim(), shape.data(), p.reduced);
}

bool plan_filter(const Graph& g, const Layer& l, FilterPlan& p, std::string& why) {
  const ArrayMeta& im = g.layer(l.inputs[0]).meta;
  if (im.dtype == DType::Bool) {
    why = "filter of a bool array (the host kernel reports it)";
    return false;
  }
  if (im.dtype == DType::Float16) {
    why = "float16 filter (the host kernel filters it as float32)";
    return false;
  }
  if (im.ndim() > dm::kAxes) {
    why = "more than 8 axes";
    return false;
  }
  p.overlap = make_overlap_plan(l, im);
  for (const auto& c : im.chunks) p.bounds.push_back(chunk_bounds(c));
  p.weights.resize(im.ndim());
  if (l.op == Op::GaussianFilter)
    for (int a = 0; a < im.ndim(); ++a) {
      const std::int64_t r = p.overlap.depth_before[a];
      if (r + p.overlap.depth_after[a] == 0) continue;
      if (2 * r + 1 > dm::kTapsMax) {
        why = "gaussian radius over " + std::to_string((dm::kTapsMax - 1) / 2);
        return false;
      }
      p.weights[a] = gaussian_weights(l.params.sigma[a], r);
    }
  dispatch_dtype(im.dtype, [&](auto t) {
    using T = decltype(t);
    const T v = dm::cast<T>(l.params.cval);
    std::memcpy(p.cval, &v, sizeof v);
  });
  return true;
}

bool make_gather(const Graph& g, const Layer& l, const FilterPlan& p, std::int64_t c, std::span<const void* const> in,
                 dm::GatherDesc& gd) {
  const ArrayMeta& im = g.layer(l.inputs[0]).meta;
  const int nd = im.ndim();
  const std::vector<std::int64_t> needed = p.overlap.needed_chunks(im, c);  // the order of the task's inputs
  if (needed.size() > static_cast<size_t>(dm::kGatherPtrs)) return false;
  std::vector<std::vector<std::int64_t>> along(nd);  // distinct chunk indices per axis
  for (auto f : needed) {
    const Shape cc = im.chunk_coords(f);
    for (int a = 0; a < nd; ++a)
      if (std::find(along[a].begin(), along[a].end(), cc[a]) == along[a].end()) along[a].push_back(cc[a]);
  }
  gd = dm::GatherDesc{};
  gd.nd = nd;
  gd.mode = p.overlap.mode;
  const Shape off = im.chunk_offset(c), ext = im.chunk_shape(c);
  std::int64_t radix = 1;
  for (int a = nd - 1; a >= 0; --a) {
    std::sort(along[a].begin(), along[a].end());
    if (along[a].size() > static_cast<size_t>(dm::kGatherSpan)) return false;
    gd.ext[a] = ext[a] + p.overlap.depth_before[a] + p.overlap.depth_after[a];
    gd.first[a] = off[a] - p.overlap.depth_before[a];
    gd.n[a] = im.shape[a];
    gd.span[a] = static_cast<int>(along[a].size());
    for (size_t s = 0; s < along[a].size(); ++s) {
      gd.start[a][s] = p.bounds[a][along[a][s]];
      gd.len[a][s] = im.chunks[a][along[a][s]];
    }
    gd.radix[a] = radix;
    radix *= std::max(gd.span[a], 1);
  }
  if (in.empty()) return true;
  if (in.size() != needed.size()) throw std::logic_error("filter gather: inputs do not match the plan");
  for (size_t j = 0; j < needed.size(); ++j) {
    const Shape cc = im.chunk_coords(needed[j]);
    std::int64_t slot = 0;
    for (int a = 0; a < nd; ++a)
      slot += (std::lower_bound(along[a].begin(), along[a].end(), cc[a]) - along[a].begin()) * gd.radix[a];
    gd.ptr[slot] = in[j];
  }
  return true;
}

std::vector<FilterStep> filter_steps(const Graph& g, const Layer& l, const FilterPlan& p, std::int64_t c) {
  const ArrayMeta& im = g.layer(l.inputs[0]).meta;
  const int nd = im.ndim();
  const Shape chunk = im.chunk_shape(c), off = im.chunk_offset(c);
  Shape shape = chunk;
  std::vector<int> passes;
  for (int a = 0; a < nd; ++a) {
    shape[a] += p.overlap.depth_before[a] + p.overlap.depth_after[a];
    if (p.overlap.depth_before[a] + p.overlap.depth_after[a] > 0) passes.push_back(a);
  }
  std::vector<FilterStep> steps;
  const std::int64_t n_out = product(chunk);
  if (passes.empty()) {  // nothing to filter: the block is the chunk
    steps.push_back({FilterStep::Kind::Copy, FilterBuf::In, FilterBuf::Out, n_out, {}});
    return steps;
  }
  const bool f64 = im.dtype == DType::Float64, constant = p.overlap.mode == BoundaryMode::Constant;
  dm::PassDesc base;
  base.nd = nd;
  base.cval = l.params.cval;
  for (int a = 0; a < nd; ++a) {
    base.first[a] = off[a] - p.overlap.depth_before[a];
    base.n[a] = im.shape[a];
  }
  FilterBuf cur = FilterBuf::In;  // float64 blocks are filtered in place of the conversion
  if (!f64) {
    FilterStep s{FilterStep::Kind::ToDouble, FilterBuf::In, FilterBuf::A, product(shape), base};
    s.desc.reset = constant;
    for (int a = 0; a < nd; ++a) s.desc.shape[a] = shape[a];
    steps.push_back(s);
    cur = FilterBuf::A;
  }
  int next = f64 ? 0 : 1;
  for (size_t k = 0; k < passes.size(); ++k) {
    const int a = passes[k];
    Shape to = shape;
    to[a] = chunk[a];
    const bool last = k + 1 == passes.size();
    FilterStep s{FilterStep::Kind::Pass, cur, FilterBuf::Out, product(to), base};
    if (!(f64 && last)) {
      s.dst = next == 0 ? FilterBuf::A : FilterBuf::B;
      next ^= 1;
    }
    dm::PassDesc& d = s.desc;
    d.gaussian = l.op == Op::GaussianFilter;
    for (int b = 0; b < a; ++b) d.outer *= shape[b];
    for (int b = a + 1; b < nd; ++b) d.inner *= shape[b];
    d.lin = shape[a];
    d.lout = to[a];
    if (d.gaussian) {
      d.radius = (static_cast<std::int64_t>(p.weights[a].size()) - 1) / 2;
      std::copy(p.weights[a].begin(), p.weights[a].end(), d.w);
    } else {
      d.size = l.params.size[a];
    }
    d.reset = constant && !last;
    d.from_axis = a + 1;
    for (int b = 0; b < nd; ++b) d.shape[b] = to[b];
    steps.push_back(s);
    cur = s.dst;
    shape = to;
  }
  if (!f64) steps.push_back({FilterStep::Kind::FromDouble, cur, FilterBuf::Out, n_out, {}});
  return steps;
}

std::int64_t filter_scratch_bytes(const Graph& g, const Layer& l, const FilterPlan& p, std::int64_t c,
                                  std::int64_t* b_offset) {
  const ArrayMeta& im = g.layer(l.inputs[0]).meta;
  Shape ext = im.chunk_shape(c);
  int passes = 0;
  for (int a = 0; a < im.ndim(); ++a) {
    const std::int64_t h = p.overlap.depth_before[a] + p.overlap.depth_after[a];
    ext[a] += h;
    passes += h > 0;
  }
  if (b_offset) *b_offset = product(ext);
  if (passes == 0 || (im.dtype == DType::Float64 && passes == 1)) return 0;
  return 2 * product(ext) * static_cast<std::int64_t>(sizeof(double));
}

}  // namespace chunkscope::gpu
