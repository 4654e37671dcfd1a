#include "chunkscope/core/ops.hpp"

#include <array>
#include <utility>

namespace chunkscope {
namespace {

struct OpInfo {
  Op op;
  std::string_view name;
  OpKind kind;
  int arity;
};

constexpr std::array<OpInfo, 42> kOps{{
    {Op::Random, "random", OpKind::Source, 0},
    {Op::Zeros, "zeros", OpKind::Source, 0},
    {Op::Ones, "ones", OpKind::Source, 0},
    {Op::Full, "full", OpKind::Source, 0},
    {Op::FromNpy, "from_npy", OpKind::Source, 0},
    {Op::FromZarr, "from_zarr", OpKind::Source, 0},
    {Op::Add, "add", OpKind::Elementwise, 2},
    {Op::Subtract, "subtract", OpKind::Elementwise, 2},
    {Op::Multiply, "multiply", OpKind::Elementwise, 2},
    {Op::Divide, "divide", OpKind::Elementwise, 2},
    {Op::Power, "power", OpKind::Elementwise, 2},
    {Op::Maximum, "maximum", OpKind::Elementwise, 2},
    {Op::Minimum, "minimum", OpKind::Elementwise, 2},
    {Op::Greater, "greater", OpKind::Elementwise, 2},
    {Op::GreaterEqual, "greater_equal", OpKind::Elementwise, 2},
    {Op::Less, "less", OpKind::Elementwise, 2},
    {Op::LessEqual, "less_equal", OpKind::Elementwise, 2},
    {Op::Equal, "equal", OpKind::Elementwise, 2},
    {Op::Where, "where", OpKind::Elementwise, 3},
    {Op::Negative, "negative", OpKind::Elementwise, 1},
    {Op::Abs, "abs", OpKind::Elementwise, 1},
    {Op::Sqrt, "sqrt", OpKind::Elementwise, 1},
    {Op::Exp, "exp", OpKind::Elementwise, 1},
    {Op::Log, "log", OpKind::Elementwise, 1},
    {Op::Sin, "sin", OpKind::Elementwise, 1},
    {Op::Cos, "cos", OpKind::Elementwise, 1},
    {Op::AsType, "astype", OpKind::Elementwise, 1},
    {Op::Transpose, "transpose", OpKind::Transpose, 0},
    {Op::Slice, "slice", OpKind::Slice, 0},
    {Op::Rechunk, "rechunk", OpKind::Rechunk, 0},
    {Op::Concatenate, "concatenate", OpKind::Concatenate, 0},
    {Op::Sum, "sum", OpKind::Reduce, 0},
    {Op::Mean, "mean", OpKind::Reduce, 0},
    {Op::Min, "min", OpKind::Reduce, 0},
    {Op::Max, "max", OpKind::Reduce, 0},
    {Op::Std, "std", OpKind::Reduce, 0},
    {Op::Var, "var", OpKind::Reduce, 0},
    {Op::GaussianFilter, "gaussian_filter", OpKind::Stencil, 0},
    {Op::UniformFilter, "uniform_filter", OpKind::Stencil, 0},
    {Op::Matmul, "matmul", OpKind::Matmul, 0},
    {Op::ToNpy, "to_npy", OpKind::Sink, 0},
    {Op::ToZarr, "to_zarr", OpKind::Sink, 0},
}};

const OpInfo& info(Op op) {
  for (const auto& i : kOps)
    if (i.op == op) return i;
  return kOps[0];
}

}  // namespace

std::string_view op_name(Op op) { return info(op).name; }
OpKind op_kind(Op op) { return info(op).kind; }
int elementwise_arity(Op op) { return info(op).arity; }

std::optional<Op> parse_op(std::string_view name) {
  for (const auto& i : kOps)
    if (i.name == name) return i.op;
  return std::nullopt;
}

std::string_view op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::Source: return "source";
    case OpKind::Elementwise: return "elementwise";
    case OpKind::Transpose: return "transpose";
    case OpKind::Slice: return "slice";
    case OpKind::Rechunk: return "rechunk";
    case OpKind::Concatenate: return "concatenate";
    case OpKind::Reduce: return "reduce";
    case OpKind::Stencil: return "stencil";
    case OpKind::Matmul: return "matmul";
    case OpKind::Sink: return "sink";
  }
  return "?";
}

bool is_comparison(Op op) {
  return op == Op::Greater || op == Op::GreaterEqual || op == Op::Less || op == Op::LessEqual || op == Op::Equal;
}

std::string_view boundary_mode_name(BoundaryMode m) {
  switch (m) {
    case BoundaryMode::Reflect: return "reflect";
    case BoundaryMode::Nearest: return "nearest";
    case BoundaryMode::Constant: return "constant";
    case BoundaryMode::Wrap: return "wrap";
  }
  return "?";
}

std::optional<BoundaryMode> parse_boundary_mode(std::string_view s) {
  if (s == "reflect") return BoundaryMode::Reflect;
  if (s == "nearest") return BoundaryMode::Nearest;
  if (s == "constant") return BoundaryMode::Constant;
  if (s == "wrap") return BoundaryMode::Wrap;
  return std::nullopt;
}

}  // namespace chunkscope
