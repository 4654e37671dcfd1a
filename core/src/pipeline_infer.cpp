// Type and shape inference per op family: each parse_<family> reads its op's fields, checks them
// and sets the layer's ArrayMeta (shape, chunks, dtype by NumPy's rules) and typed params.
#include <algorithm>
#include <cmath>

#include "chunkscope/core/ops.hpp"
#include "chunkscope/core/plans.hpp"
#include "pipeline_parser.hpp"

namespace chunkscope::detail {

using json = nlohmann::json;

void Parser::parse_source(const FieldReader& r, Layer& l, const Allow& allow) {
  switch (l.op) {
    case Op::Random:
    case Op::Zeros:
    case Op::Ones:
    case Op::Full: {
      if (l.op == Op::Random)
        allow({"shape", "chunks", "dtype", "seed"});
      else if (l.op == Op::Full)
        allow({"shape", "chunks", "dtype", "value"});
      else
        allow({"shape", "chunks", "dtype"});
      l.meta.shape = shape_field(r);
      l.meta.dtype = dtype_field(r, "dtype", DType::Float64);
      if (l.op == Op::Random && l.meta.dtype != DType::Float32 && l.meta.dtype != DType::Float64)
        r.fail("dtype", "random makes uniform values in [0, 1): use float32 or float64");
      if (l.op == Op::Random) {
        const auto s = r.integer_or("seed", 0);
        if (s < 0) r.fail("seed", "must be a non-negative integer");
        l.params.seed = static_cast<std::uint64_t>(s);
      }
      if (l.op == Op::Full) l.params.value = r.number("value");
      l.meta.chunks =
          chunks_for(r, "chunks", r.has("chunks") ? r.at("chunks") : json("auto"), l.meta.shape, l.meta.dtype);
      break;
    }
    case Op::FromNpy:
    case Op::FromZarr: {
      allow({"path", "chunks"});
      l.params.path = resolve(r.str("path"));
      if (!options.probe_source) r.fail("path", "source files cannot be read in this build (no file access)");
      PipelineOptions::SourceInfo info;
      try {
        info = options.probe_source(l);
      } catch (const std::bad_alloc&) {
        throw;                             // out of memory is not a fault of the file
      } catch (const std::exception& e) {  // InputError, or any I/O error: parse_pipeline never throws
        r.fail("path", e.what());
      }
      l.meta.shape = info.shape;
      l.meta.dtype = info.dtype;
      if (info.shape.size() > static_cast<size_t>(kMaxAxes))
        r.fail("path", l.params.path + ": the array has " + std::to_string(info.shape.size()) + " axes; at most " +
                           std::to_string(kMaxAxes) + " are supported");
      // The task cap holds for the chunks stored in the file as for those the pipeline asks for.
      const std::int64_t cap = task_cap();
      const std::string too_many =
          " into more than " + std::to_string(cap) + " chunks; set \"chunks\" to read it in larger ones";
      if (r.has("chunks")) {
        l.meta.chunks = chunks_for(r, "chunks", r.at("chunks"), info.shape, info.dtype);
      } else if (!info.chunk_shape.empty()) {
        // The file's own chunks: counted from their sizes before any list is made.
        if (info.chunk_shape.size() != info.shape.size())
          r.fail("path", l.params.path + ": the stored chunks " + json(info.chunk_shape).dump() +
                             " do not fit the shape " + json(info.shape).dump());
        if (regular_chunk_count(info.shape, info.chunk_shape, cap) > cap)
          r.fail("path", l.params.path + ": its stored chunks " + json(info.chunk_shape).dump() +
                             " split the array of shape " + json(info.shape).dump() + too_many);
        for (size_t a = 0; a < info.shape.size(); ++a)
          l.meta.chunks.push_back(regular_chunks(info.shape[a], info.chunk_shape[a]));
      } else if (!info.chunks.empty()) {
        double count = 1;
        for (const auto& axis : info.chunks) count *= static_cast<double>(axis.size());
        if (count > static_cast<double>(cap))
          r.fail("path",
                 l.params.path + ": its stored chunks split the array of shape " + json(info.shape).dump() + too_many);
        l.meta.chunks = info.chunks;
      } else {
        l.meta.chunks = chunks_for(r, "chunks", json("auto"), info.shape, info.dtype);
      }
      // The chunks as stored (a Zarr array's): reads that cut across them decode each stored
      // chunk several times (push-down below and the repeated-reads rule look at it).
      if (l.op == Op::FromZarr && info.chunk_shape.size() == info.shape.size())
        l.raw_params["stored_chunks"] = info.chunk_shape;
      break;
    }
    default: break;
  }
}

void Parser::parse_elementwise(const FieldReader& r, Layer& l, const Allow& allow) {
  const int arity = elementwise_arity(l.op);
  std::vector<json> raw;
  if (arity == 1) {
    if (l.op == Op::AsType)
      allow({"input", "dtype"});
    else
      allow({"input"});
    raw.push_back(r.at("input"));
  } else {
    allow({"inputs"});
    const json& v = r.at("inputs");
    if (!v.is_array() || static_cast<int>(v.size()) != arity)
      r.fail("inputs", "must be a list of " + std::to_string(arity) + " array ids or numbers, got " + v.dump());
    for (const auto& x : v) raw.push_back(x);
  }
  const char* field = arity == 1 ? "input" : "inputs";
  std::vector<int> ins;
  std::vector<size_t> array_pos;
  for (size_t k = 0; k < raw.size(); ++k) {
    Operand o;
    if (raw[k].is_number()) {
      if (arity == 1) r.fail(field, "must name a layer id, got " + raw[k].dump());
      o.scalar = raw[k].get<double>();
      o.scalar_is_integral = raw[k].is_number_integer();
      // Integer literals stay exact (int64 or uint64 as nlohmann_json read them), never a double.
      if (raw[k].is_number_unsigned())
        o.integer = numpy::IntScalar::of_unsigned(raw[k].get<std::uint64_t>());
      else if (raw[k].is_number_integer())
        o.integer = numpy::IntScalar::of(raw[k].get<std::int64_t>());
    } else {
      o.layer = input_ref(r, field, raw[k]);
      array_pos.push_back(k);
      ins.push_back(o.layer);
    }
    l.params.operands.push_back(o);
  }
  if (ins.empty()) r.fail(field, "needs at least one array input (got only numbers)");
  const Shape shape = meta(ins[0]).shape;  // a copy: unify() below may grow `layers`
  for (int in : ins)
    if (meta(in).shape != shape)
      r.fail(field, "shape mismatch: \"" + layers[ins[0]].id + "\" is " + format_shape(shape) + " but \"" +
                        layers[in].id + "\" is " + format_shape(meta(in).shape) + " (broadcasting is not supported)");
  // Result dtype by NumPy's rules.
  DType arrays = meta(ins[0]).dtype;
  bool any_scalar = false, scalar_integral = true;
  const size_t first_value = l.op == Op::Where ? 1 : 0;  // where's condition does not take part
  bool have_array = false;
  for (size_t k = first_value; k < l.params.operands.size(); ++k) {
    const Operand& o = l.params.operands[k];
    if (o.is_scalar()) {
      any_scalar = true;
      scalar_integral &= o.scalar_is_integral;
    } else {
      arrays = have_array ? promote(arrays, meta(o.layer).dtype) : meta(o.layer).dtype;
      have_array = true;
    }
  }
  DType result = arrays;
  if (!have_array)
    result = scalar_integral ? DType::Int64 : DType::Float64;
  else if (any_scalar)
    result = promote_with_scalar(arrays, scalar_integral);
  // NEP 50: a Python integer combined with an integer array must fit the array's dtype.
  if (have_array && is_integer(arrays) && !is_comparison(l.op)) {
    for (size_t k = first_value; k < l.params.operands.size(); ++k) {
      const Operand& o = l.params.operands[k];
      if (o.is_scalar() && o.scalar_is_integral && !o.integer.fits(arrays))
        r.fail(field, "the number " + raw[k].dump() + " does not fit " + std::string(dtype_name(arrays)) +
                          " (NumPy raises OverflowError); use astype on the array first");
    }
  }
  switch (l.op) {
    case Op::Divide: result = divide_result(result); break;
    case Op::Power:
      if (result == DType::Bool) result = DType::Int8;
      break;  // np.power(bool, bool) is int8
    case Op::Greater:
    case Op::GreaterEqual:
    case Op::Less:
    case Op::LessEqual:
    case Op::Equal: result = DType::Bool; break;
    case Op::Sqrt:
    case Op::Exp:
    case Op::Log:
    case Op::Sin:
    case Op::Cos: result = float_math_result(result); break;
    case Op::Negative:
      if (result == DType::Bool)
        r.fail("input", "negative of a bool array is not allowed (NumPy raises); use astype first");
      break;
    case Op::Subtract:
      if (result == DType::Bool)
        r.fail("inputs", "subtract of bool arrays is not allowed (NumPy raises); use astype first");
      break;
    case Op::AsType:
      result = dtype_field(r, "dtype", DType::Float64);
      if (!r.has("dtype")) r.fail("dtype", "is missing");
      break;
    default: break;
  }
  // Align chunks of all array operands.
  std::vector<std::vector<int>> axis_map(ins.size());
  for (size_t k = 0; k < ins.size(); ++k)
    for (int a = 0; a < meta(ins[k]).ndim(); ++a) axis_map[k].push_back(a);
  std::vector<std::vector<std::int64_t>> unified;
  unify(l, ins, axis_map, static_cast<int>(shape.size()), unified);
  for (size_t k = 0; k < array_pos.size(); ++k) l.params.operands[array_pos[k]].layer = ins[k];
  l.inputs = ins;
  l.meta.shape = shape;
  l.meta.chunks = unified;
  l.meta.dtype = result;
}

void Parser::parse_slice(const FieldReader& r, Layer& l, const Allow& allow, int in) {
  allow({"input", "slices"});
  const ArrayMeta& im = meta(in);
  const json& v = r.at("slices");
  if (!v.is_array()) r.fail("slices", "must be a list with one [start, stop, step] (or null) per axis");
  if (static_cast<int>(v.size()) > im.ndim())
    r.fail("slices",
           "has " + std::to_string(v.size()) + " entries but the array has " + std::to_string(im.ndim()) + " axes");
  l.meta.dtype = im.dtype;
  for (int a = 0; a < im.ndim(); ++a) {
    const std::int64_t n = im.shape[a];
    std::optional<std::int64_t> start, stop;
    std::int64_t step = 1;
    if (a < static_cast<int>(v.size()) && !v[a].is_null()) {
      const json& s = v[a];
      if (!s.is_array() || s.empty() || s.size() > 3)
        r.fail("slices",
               "axis " + std::to_string(a) + ": each entry is [start, stop, step] with nulls allowed, got " + s.dump());
      if (!s[0].is_null()) start = r.integer("slices", s[0]);
      if (s.size() > 1 && !s[1].is_null()) stop = r.integer("slices", s[1]);
      if (s.size() > 2 && !s[2].is_null()) step = r.integer("slices", s[2]);
    }
    if (step == 0) r.fail("slices", "axis " + std::to_string(a) + ": step must not be zero");
    AxisSlice as;
    as.step = step;
    auto adjust = [&](std::int64_t x, std::int64_t lo, std::int64_t hi) {
      if (x < 0) x += n;
      return std::clamp(x, lo, hi);
    };
    if (step > 0) {
      const std::int64_t b = start ? adjust(*start, 0, n) : 0;
      const std::int64_t e = stop ? adjust(*stop, 0, n) : n;
      as.start = b;
      as.count = e > b ? (e - b - 1) / step + 1 : 0;  // no overflow for huge steps
    } else {
      const std::int64_t b = start ? adjust(*start, -1, n - 1) : n - 1;
      const std::int64_t e = stop ? adjust(*stop, -1, n - 1) : -1;
      as.start = b;
      as.count = b > e ? -((b - e - 1) / step) + 1 : 0;  // no -step: it overflows for INT64_MIN
    }
    if (as.count == 0)
      r.fail("slices", "axis " + std::to_string(a) + " selects no elements (empty arrays are not supported)");
    l.params.slices.push_back(as);
    l.meta.shape.push_back(as.count);
    // Output chunks: one per run of selected elements that fall in the same input chunk.
    const auto bounds = chunk_bounds(im.chunks[a]);
    std::vector<std::int64_t> sizes;
    // One step per run, not per element: a slice of a huge virtual array must not take long.
    for (std::int64_t i = 0; i < as.count;) {
      const std::int64_t k = std::upper_bound(bounds.begin() + 1, bounds.end(), as.at(i)) - (bounds.begin() + 1);
      const std::int64_t next = std::min(as.count, as.step > 0 ? (bounds[k + 1] - as.start - 1) / as.step + 1
                                                               : -((as.start - bounds[k]) / as.step) + 1);
      sizes.push_back(next - i);
      i = next;
    }
    l.meta.chunks.push_back(sizes);
  }
}

void Parser::parse_concatenate(const FieldReader& r, Layer& l, const Allow& allow) {
  allow({"inputs", "axis"});
  const json& v = r.at("inputs");
  if (!v.is_array() || v.empty()) r.fail("inputs", "must be a non-empty list of array ids");
  std::vector<int> ins;
  for (const auto& x : v) ins.push_back(input_ref(r, "inputs", x));
  const int nd = meta(ins[0]).ndim();
  std::int64_t axis = r.integer_or("axis", 0);
  if (axis < 0) axis += nd;
  if (axis < 0 || axis >= nd) r.fail("axis", "is out of range for " + std::to_string(nd) + "-d arrays");
  l.params.axis = static_cast<int>(axis);
  DType dt = meta(ins[0]).dtype;
  for (int in : ins) {
    if (meta(in).ndim() != nd)
      r.fail("inputs", "\"" + layers[in].id + "\" has " + std::to_string(meta(in).ndim()) + " axes, expected " +
                           std::to_string(nd));
    for (int a = 0; a < nd; ++a)
      if (a != axis && meta(in).shape[a] != meta(ins[0]).shape[a])
        r.fail("inputs", "shape mismatch on axis " + std::to_string(a) + ": \"" + layers[ins[0]].id + "\" is " +
                             format_shape(meta(ins[0]).shape) + " but \"" + layers[in].id + "\" is " +
                             format_shape(meta(in).shape));
    dt = promote(dt, meta(in).dtype);
  }
  std::vector<std::vector<int>> axis_map(ins.size());
  for (size_t k = 0; k < ins.size(); ++k)
    for (int a = 0; a < nd; ++a) axis_map[k].push_back(a == axis ? -1 : a);
  std::vector<std::vector<std::int64_t>> unified;
  unify(l, ins, axis_map, nd, unified);
  l.inputs = ins;
  l.meta.dtype = dt;
  l.meta.shape = meta(ins[0]).shape;
  l.meta.shape[axis] = 0;
  l.meta.chunks = unified;
  l.meta.chunks[axis].clear();
  for (int in : ins) {
    l.meta.shape[axis] += meta(in).shape[axis];
    for (auto c : meta(in).chunks[axis]) l.meta.chunks[axis].push_back(c);
  }
}

void Parser::parse_reduce(const FieldReader& r, Layer& l, const Allow& allow, int in) {
  if (l.op == Op::Std || l.op == Op::Var)
    allow({"input", "axis", "keepdims", "split_every", "ddof"});
  else
    allow({"input", "axis", "keepdims", "split_every"});
  const ArrayMeta& im = meta(in);
  const int nd = im.ndim();
  std::vector<int> axes;
  if (!r.has("axis")) {
    for (int a = 0; a < nd; ++a) axes.push_back(a);
  } else {
    const json& v = r.at("axis");
    std::vector<std::int64_t> raw;
    if (v.is_array())
      for (const auto& x : v) raw.push_back(r.integer("axis", x));
    else
      raw.push_back(r.integer("axis", v));
    for (auto a : raw) {
      const auto aa = a < 0 ? a + nd : a;
      if (aa < 0 || aa >= nd)
        r.fail("axis", "axis " + std::to_string(a) + " is out of range for a " + std::to_string(nd) + "-d array");
      if (std::find(axes.begin(), axes.end(), static_cast<int>(aa)) != axes.end())
        r.fail("axis", "lists axis " + std::to_string(a) + " twice");
      axes.push_back(static_cast<int>(aa));
    }
    std::sort(axes.begin(), axes.end());
  }
  l.params.axes = axes;
  l.params.keepdims = r.boolean_or("keepdims", false);
  const auto se = r.integer_or("split_every", 4);
  if (se < 2) r.fail("split_every", "must be at least 2, got " + std::to_string(se));
  if (se > 1'000'000) r.fail("split_every", "is too large (at most 1000000)");
  l.params.split_every = static_cast<int>(se);
  if (l.op == Op::Std || l.op == Op::Var) {
    const auto ddof = r.integer_or("ddof", 0);
    if (ddof < 0) r.fail("ddof", "must be non-negative");
    l.params.value = static_cast<double>(ddof);
  }
  switch (l.op) {
    case Op::Sum: l.meta.dtype = sum_result(im.dtype); break;
    case Op::Mean:
    case Op::Std:
    case Op::Var: l.meta.dtype = mean_result(im.dtype); break;
    default: l.meta.dtype = im.dtype; break;
  }
  for (int a = 0; a < nd; ++a) {
    const bool red = std::find(axes.begin(), axes.end(), a) != axes.end();
    if (!red) {
      l.meta.shape.push_back(im.shape[a]);
      l.meta.chunks.push_back(im.chunks[a]);
    } else if (l.params.keepdims) {
      l.meta.shape.push_back(1);
      l.meta.chunks.push_back({1});
    }
  }
}

void Parser::parse_stencil(const FieldReader& r, Layer& l, const Allow& allow, int in) {
  const ArrayMeta& im = meta(in);
  const int nd = im.ndim();
  if (im.dtype == DType::Bool)
    r.fail("input", "filters need a numeric array, \"" + layers[in].id + "\" is bool (use astype)");
  if (l.op == Op::GaussianFilter) {
    allow({"input", "sigma", "truncate", "mode", "cval"});
    const json& s = r.at("sigma");
    if (s.is_array()) {
      if (static_cast<int>(s.size()) != nd)
        r.fail("sigma",
               "has " + std::to_string(s.size()) + " entries but the array has " + std::to_string(nd) + " axes");
      for (const auto& x : s) l.params.sigma.push_back(r.number("sigma", x));
    } else {
      l.params.sigma.assign(nd, r.number("sigma"));
    }
    for (double x : l.params.sigma)
      if (!(x >= 0) || x > 1e6) r.fail("sigma", "must be non-negative and finite, got " + std::to_string(x));
    l.params.truncate = r.number_or("truncate", 4.0);
    if (!(l.params.truncate > 0) || l.params.truncate > 1e3) r.fail("truncate", "must be positive");
  } else {
    allow({"input", "size", "mode", "cval"});
    if (!r.has("size"))
      l.params.size.assign(nd, 3);
    else if (r.at("size").is_array()) {
      l.params.size = r.int_list("size");
      if (static_cast<int>(l.params.size.size()) != nd)
        r.fail("size", "has " + std::to_string(l.params.size.size()) + " entries but the array has " +
                           std::to_string(nd) + " axes");
    } else
      l.params.size.assign(nd, r.integer("size"));
    for (auto x : l.params.size)
      if (x < 1 || x > 1'000'000) r.fail("size", "must be between 1 and 1000000, got " + std::to_string(x));
  }
  const std::string mode = r.str_or("mode", "reflect");
  const auto m = parse_boundary_mode(mode);
  if (!m) r.fail("mode", "unknown mode \"" + mode + "\" (use reflect, nearest, constant or wrap)");
  l.params.mode = *m;
  l.params.cval = r.number_or("cval", 0.0);
  // The halo must stay reasonable: at most the array's length per side.
  for (int a = 0; a < nd; ++a) {
    const std::int64_t depth =
        l.op == Op::GaussianFilter ? gaussian_radius(l.params.sigma[a], l.params.truncate) : l.params.size[a] / 2;
    if (depth > im.shape[a] * 4 + 64)
      r.fail(l.op == Op::GaussianFilter ? "sigma" : "size",
             "the filter reaches " + std::to_string(depth) + " elements on axis " + std::to_string(a) +
                 ", far past the array's length " + std::to_string(im.shape[a]));
  }
  l.meta = im;
}

void Parser::parse_matmul(const FieldReader& r, Layer& l, const Allow& allow) {
  allow({"inputs"});
  const json& v = r.at("inputs");
  if (!v.is_array() || v.size() != 2) r.fail("inputs", "must be a list of two array ids");
  std::vector<int> ins{input_ref(r, "inputs", v[0]), input_ref(r, "inputs", v[1])};
  const ArrayMeta &a = meta(ins[0]), &b = meta(ins[1]);
  if (a.ndim() != 2 || b.ndim() != 2)
    r.fail("inputs", "matmul needs two 2-d arrays, got " + format_shape(a.shape) + " and " + format_shape(b.shape));
  if (a.shape[1] != b.shape[0])
    r.fail("inputs", "shape mismatch: " + format_shape(a.shape) + " @ " + format_shape(b.shape) + " (inner sizes " +
                         std::to_string(a.shape[1]) + " and " + std::to_string(b.shape[0]) + " differ)");
  std::vector<std::vector<int>> axis_map{{-1, 0}, {0, -1}};
  std::vector<std::vector<std::int64_t>> unified;
  unify(l, ins, axis_map, 1, unified);
  l.inputs = ins;
  l.meta.shape = {meta(ins[0]).shape[0], meta(ins[1]).shape[1]};
  l.meta.chunks = {meta(ins[0]).chunks[0], meta(ins[1]).chunks[1]};
  l.meta.dtype = promote(meta(ins[0]).dtype, meta(ins[1]).dtype);
  if (l.meta.dtype == DType::Float16)
    r.fail("inputs",
           "matmul of float16 is not supported (NumPy accumulates float16 products in float32 with "
           "no BLAS; chunked partial sums would round differently): use astype float32 first");
}

}  // namespace chunkscope::detail
