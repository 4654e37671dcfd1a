#pragma once
// The op table: names, families and arity.
#include <optional>
#include <string_view>

#include "chunkscope/core/layer.hpp"

namespace chunkscope {

/// Pipeline-format name of an op ("gaussian_filter").
std::string_view op_name(Op op);
/// Parses a pipeline-format op name; nullopt when unknown.
std::optional<Op> parse_op(std::string_view name);
/// The family that decides task expansion.
OpKind op_kind(Op op);
/// Name of a family ("elementwise").
std::string_view op_kind_name(OpKind k);
/// Number of operands of an element-wise op (1, 2 or 3); 0 for other ops.
int elementwise_arity(Op op);
/// True for greater/less/equal...
bool is_comparison(Op op);
std::string_view boundary_mode_name(BoundaryMode m);
std::optional<BoundaryMode> parse_boundary_mode(std::string_view s);

}  // namespace chunkscope
