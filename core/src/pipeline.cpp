// Pipeline JSON -> layers with inferred ArrayMeta -> rewrites (chunk unification, sinks,
// push-down into sources) -> Graph::build (validation + task expansion).
#include "chunkscope/core/pipeline.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "chunkscope/core/chunking.hpp"
#include "chunkscope/core/ops.hpp"
#include "chunkscope/core/units.hpp"
#include "json_fields.hpp"

namespace chunkscope {
namespace {

using detail::FieldReader;
using nlohmann::json;

const std::set<std::string> kCommonFields{"id", "op", "name", "group", "description"};

struct Parser {
  std::string file;
  std::string base_dir;
  const PipelineOptions& options;
  std::int64_t chunk_target = kDefaultChunkTarget;
  std::vector<Layer> layers;
  std::map<std::string, int> index;

  std::string resolve(const std::string& p) const {
    if (p.empty() || p[0] == '/' || base_dir.empty()) return p;
    return base_dir + "/" + p;
  }

  ChunkSpec chunk_spec(const FieldReader& r, const char* field, const json& v, int ndim) const {
    ChunkSpec spec;
    auto axis_spec = [&](const json& x) {
      AxisChunkSpec s;
      if (x.is_null()) s.kind = AxisChunkSpec::Kind::Whole;
      else if (x.is_string()) {
        if (x.get<std::string>() != "auto") r.fail(field, "per-axis entries are integers, -1, \"auto\" or lists, got " + x.dump());
        s.kind = AxisChunkSpec::Kind::Auto;
      } else if (x.is_array()) {
        s.kind = AxisChunkSpec::Kind::Explicit;
        for (const auto& e : x) s.explicit_.push_back(r.integer(field, e));
      } else {
        const auto n = r.integer(field, x);
        if (n == -1) s.kind = AxisChunkSpec::Kind::Whole;
        else { s.kind = AxisChunkSpec::Kind::Size; s.size = n; }
      }
      return s;
    };
    if (v.is_array()) {
      if (static_cast<int>(v.size()) != ndim)
        r.fail(field, "has " + std::to_string(v.size()) + " entries but the array has " + std::to_string(ndim) + " axes");
      for (const auto& x : v) spec.push_back(axis_spec(x));
    } else if (v.is_string() || v.is_number()) {
      spec.assign(ndim, axis_spec(v));
    } else {
      r.fail(field, "must be an integer, \"auto\" or a per-axis list, got " + std::string(v.type_name()));
    }
    return spec;
  }

  Chunks chunks_for(const FieldReader& r, const char* field, const json& v, const Shape& shape, DType dt) const {
    const ChunkSpec spec = chunk_spec(r, field, v, static_cast<int>(shape.size()));
    // Regular sizes give their chunk count without making the lists: refuse too many first.
    const std::string too_many = "more than " + std::to_string(options.max_tasks) + " chunks; use larger chunks";
    double count = 1;
    for (size_t a = 0; a < spec.size() && a < shape.size(); ++a) {
      if (spec[a].kind != AxisChunkSpec::Kind::Size || spec[a].size <= 0) continue;
      const std::int64_t n = (shape[a] - 1) / spec[a].size + 1;
      if (n > options.max_tasks)
        r.fail(field, "axis " + std::to_string(a) + ": chunks of size " + std::to_string(spec[a].size) + " make " + std::to_string(n) +
                          " chunks, more than " + std::to_string(options.max_tasks) + "; use larger chunks");
      count *= static_cast<double>(n);
    }
    if (count > static_cast<double>(options.max_tasks)) r.fail(field, too_many);
    Chunks c;
    try {
      c = normalize_chunks(spec, shape, dtype_size(dt), chunk_target);
    } catch (const InputError& e) {
      r.fail(field, e.what());
    }
    count = 1;  // "auto" and explicit axes included
    for (const auto& axis : c) count *= static_cast<double>(axis.size());
    if (count > static_cast<double>(options.max_tasks)) r.fail(field, too_many);
    return c;
  }

  Shape shape_field(const FieldReader& r) const {
    Shape s = r.int_list("shape");
    if (s.empty()) r.fail("shape", "must have at least one axis");
    if (s.size() > static_cast<size_t>(kMaxAxes))
      r.fail("shape", "has " + std::to_string(s.size()) + " axes; at most " + std::to_string(kMaxAxes) + " are supported");
    std::int64_t n = 1;
    for (size_t a = 0; a < s.size(); ++a) {
      if (s[a] <= 0) r.fail("shape", "axis " + std::to_string(a) + " has size " + std::to_string(s[a]) + "; sizes must be positive");
      if (n > (std::int64_t{1} << 57) / s[a]) r.fail("shape", "is too large: the array would overflow 64-bit sizes");
      n *= s[a];
    }
    return s;
  }

  DType dtype_field(const FieldReader& r, const char* f, DType d) const {
    if (!r.has(f)) return d;
    const std::string name = r.str(f);
    const auto t = parse_dtype(name);
    if (!t) {
      const std::string why = unsupported_dtype_reason(name);
      r.fail(f, why.empty() ? "unknown dtype \"" + name + "\" (use " + std::string(dtype_names_list()) + ")" : why);
    }
    return *t;
  }

  int input_ref(const FieldReader& r, const char* f, const json& v) const {
    if (!v.is_string()) r.fail(f, "must name a layer id, got " + v.dump());
    const std::string id = v.get<std::string>();
    if (id == r.layer) r.fail(f, "refers to the layer itself (a cycle)");
    auto it = index.find(id);
    if (it == index.end()) r.fail(f, "refers to \"" + id + "\", which is not a layer defined before this one");
    return it->second;
  }

  const ArrayMeta& meta(int l) const { return layers[l].meta; }

  // Inserts a rechunk of layer `in` to `chunks` in front of layer `consumer_id` and returns its index.
  int insert_unify(int in, const Chunks& chunks, const std::string& consumer_id, const std::string& group) {
    // An operand used twice by the same layer (where(m, x, m)) is rechunked once; used twice with
    // different target chunks (matmul(x, x)), it gets a second, numbered rechunk layer.
    std::string id = layers[in].id + ">" + consumer_id;
    for (int k = 2;; ++k) {
      auto it = index.find(id);
      if (it == index.end()) break;
      if (layers[it->second].inserted && layers[it->second].meta.chunks == chunks) return it->second;
      id = layers[in].id + ">" + consumer_id + "#" + std::to_string(k);
    }
    Layer u;
    u.id = id;
    u.name = "rechunk " + layers[in].id + " for " + consumer_id;
    u.op = Op::Rechunk;
    u.kind = OpKind::Rechunk;
    u.group = group;
    u.inputs = {in};
    u.meta = layers[in].meta;
    u.meta.chunks = chunks;
    u.inserted = true;
    json cj = json::array();
    for (const auto& c : chunks) cj.push_back(c);
    u.raw_params = {{"input", layers[in].id}, {"chunks", cj}, {"reason", "chunks of the inputs of \"" + consumer_id + "\" differ (unify_chunks)"}};
    layers.push_back(std::move(u));
    const int idx = static_cast<int>(layers.size()) - 1;
    index[layers[idx].id] = idx;
    return idx;
  }

  // Aligns the chunks of array operands of `l` per axis (`axes_of[k]` lists, for operand k, which of
  // its axes map to which unified axis; -1 = not unified).
  void unify(Layer& l, std::vector<int>& ins, const std::vector<std::vector<int>>& axis_map, int n_unified,
             std::vector<std::vector<std::int64_t>>& unified) {
    unified.assign(n_unified, {});
    for (size_t k = 0; k < ins.size(); ++k)
      for (size_t a = 0; a < axis_map[k].size(); ++a) {
        const int u = axis_map[k][a];
        if (u < 0) continue;
        const auto& c = meta(ins[k]).chunks[a];
        unified[u] = unified[u].empty() ? c : common_refinement(unified[u], c);
      }
    for (size_t k = 0; k < ins.size(); ++k) {
      Chunks want = meta(ins[k]).chunks;
      for (size_t a = 0; a < axis_map[k].size(); ++a)
        if (axis_map[k][a] >= 0) want[a] = unified[axis_map[k][a]];
      if (want != meta(ins[k]).chunks) ins[k] = insert_unify(ins[k], want, l.id, l.group);
    }
  }

  void parse_layer(const json& j, size_t position) {
    if (!j.is_object()) throw InputError(located_message(file, "#" + std::to_string(position), "", "each layer must be an object"));
    FieldReader r{file, "#" + std::to_string(position), &j};
    const std::string id = r.str("id");
    if (id.empty()) r.fail("id", "must not be empty");
    r.layer = id;
    if (index.count(id)) r.fail("id", "is used by two layers");
    Layer l;
    l.id = id;
    l.name = r.str_or("name", id);
    l.group = r.str_or("group", "");
    if (const int depth = group_depth(l.group); depth > kMaxGroupDepth)
      r.fail("group", "has " + std::to_string(depth) + " levels; at most " + std::to_string(kMaxGroupDepth) + " are supported");
    r.str_or("description", "");
    const std::string opname = r.str("op");
    const auto op = parse_op(opname);
    if (!op || *op == Op::ToNpy || *op == Op::ToZarr)
      r.fail("op", "unknown op \"" + opname + "\" (see docs/pipeline-format.md for the list)");
    l.op = *op;
    l.kind = op_kind(*op);
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!kCommonFields.count(it.key())) l.raw_params[it.key()] = it.value();
    auto allow = [&](std::initializer_list<const char*> extra) {
      std::vector<const char*> all{"id", "op", "name", "group", "description"};
      all.insert(all.end(), extra.begin(), extra.end());
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (std::find_if(all.begin(), all.end(), [&](const char* a) { return it.key() == a; }) == all.end()) {
          std::string list;
          for (const char* a : extra) list += (list.empty() ? "" : ", ") + std::string(a);
          r.fail(it.key(), "is not a field of op \"" + opname + "\" (its fields: " + list + ")");
        }
      }
    };
    auto single_input = [&]() {
      const int in = input_ref(r, "input", r.at("input"));
      l.inputs = {in};
      return in;
    };

    switch (l.kind) {
      case OpKind::Source: parse_source(r, l, allow); break;
      case OpKind::Elementwise: parse_elementwise(r, l, allow); break;
      case OpKind::Transpose: {
        allow({"input", "axes"});
        const int in = single_input();
        const int nd = meta(in).ndim();
        std::vector<int> axes;
        if (r.has("axes")) {
          for (auto a : r.int_list("axes")) axes.push_back(static_cast<int>(a < 0 ? a + nd : a));
          std::vector<int> sorted = axes;
          std::sort(sorted.begin(), sorted.end());
          bool perm = static_cast<int>(axes.size()) == nd;
          for (int a = 0; perm && a < nd; ++a) perm = sorted[a] == a;
          if (!perm) r.fail("axes", "must be a permutation of the " + std::to_string(nd) + " axes, got " + r.at("axes").dump());
        } else {
          for (int a = nd - 1; a >= 0; --a) axes.push_back(a);
        }
        l.params.axes = axes;
        l.meta.dtype = meta(in).dtype;
        for (int a : axes) {
          l.meta.shape.push_back(meta(in).shape[a]);
          l.meta.chunks.push_back(meta(in).chunks[a]);
        }
        break;
      }
      case OpKind::Slice: parse_slice(r, l, allow, single_input()); break;
      case OpKind::Rechunk: {
        allow({"input", "chunks"});
        const int in = single_input();
        l.meta = meta(in);
        l.meta.chunks = chunks_for(r, "chunks", r.at("chunks"), meta(in).shape, meta(in).dtype);
        break;
      }
      case OpKind::Concatenate: parse_concatenate(r, l, allow); break;
      case OpKind::Reduce: parse_reduce(r, l, allow, single_input()); break;
      case OpKind::Stencil: parse_stencil(r, l, allow, single_input()); break;
      case OpKind::Matmul: parse_matmul(r, l, allow); break;
      case OpKind::Sink: break;
    }
    layers.push_back(std::move(l));
    index[id] = static_cast<int>(layers.size()) - 1;
  }

  template <class Allow>
  void parse_source(const FieldReader& r, Layer& l, Allow&& allow) {
    switch (l.op) {
      case Op::Random:
      case Op::Zeros:
      case Op::Ones:
      case Op::Full: {
        if (l.op == Op::Random) allow({"shape", "chunks", "dtype", "seed"});
        else if (l.op == Op::Full) allow({"shape", "chunks", "dtype", "value"});
        else allow({"shape", "chunks", "dtype"});
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
        l.meta.chunks = chunks_for(r, "chunks", r.has("chunks") ? r.at("chunks") : json("auto"), l.meta.shape, l.meta.dtype);
        break;
      }
      case Op::FromNpy:
      case Op::FromZarr: {
        allow({"path", "chunks"});
        l.params.path = resolve(r.str("path"));
        if (!options.probe_source)
          r.fail("path", "source files cannot be read in this build (no file access)");
        PipelineOptions::SourceInfo info;
        try {
          info = options.probe_source(l);
        } catch (const std::bad_alloc&) {
          throw;  // out of memory is not a fault of the file
        } catch (const std::exception& e) {  // InputError, or any I/O error: parse_pipeline never throws
          r.fail("path", e.what());
        }
        l.meta.shape = info.shape;
        l.meta.dtype = info.dtype;
        if (info.shape.size() > static_cast<size_t>(kMaxAxes))
          r.fail("path", l.params.path + ": the array has " + std::to_string(info.shape.size()) + " axes; at most " + std::to_string(kMaxAxes) + " are supported");
        // The task cap holds for the chunks stored in the file as for those the pipeline asks for.
        const std::int64_t cap = std::min(options.max_tasks, kMaxTasks);
        const std::string too_many = " into more than " + std::to_string(cap) + " chunks; set \"chunks\" to read it in larger ones";
        if (r.has("chunks")) {
          l.meta.chunks = chunks_for(r, "chunks", r.at("chunks"), info.shape, info.dtype);
        } else if (!info.chunk_shape.empty()) {
          // The file's own chunks: counted from their sizes before any list is made.
          if (info.chunk_shape.size() != info.shape.size())
            r.fail("path", l.params.path + ": the stored chunks " + json(info.chunk_shape).dump() + " do not fit the shape " + json(info.shape).dump());
          if (regular_chunk_count(info.shape, info.chunk_shape, cap) > cap)
            r.fail("path", l.params.path + ": its stored chunks " + json(info.chunk_shape).dump() + " split the array of shape " + json(info.shape).dump() + too_many);
          for (size_t a = 0; a < info.shape.size(); ++a) l.meta.chunks.push_back(regular_chunks(info.shape[a], info.chunk_shape[a]));
        } else if (!info.chunks.empty()) {
          double count = 1;
          for (const auto& axis : info.chunks) count *= static_cast<double>(axis.size());
          if (count > static_cast<double>(cap)) r.fail("path", l.params.path + ": its stored chunks split the array of shape " + json(info.shape).dump() + too_many);
          l.meta.chunks = info.chunks;
        } else {
          l.meta.chunks = chunks_for(r, "chunks", json("auto"), info.shape, info.dtype);
        }
        break;
      }
      default: break;
    }
  }

  template <class Allow>
  void parse_elementwise(const FieldReader& r, Layer& l, Allow&& allow) {
    const int arity = elementwise_arity(l.op);
    std::vector<json> raw;
    if (arity == 1) {
      if (l.op == Op::AsType) allow({"input", "dtype"});
      else allow({"input"});
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
        if (raw[k].is_number_unsigned()) o.integer = numpy::IntScalar::of_unsigned(raw[k].get<std::uint64_t>());
        else if (raw[k].is_number_integer()) o.integer = numpy::IntScalar::of(raw[k].get<std::int64_t>());
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
        r.fail(field, "shape mismatch: \"" + layers[ins[0]].id + "\" is " + format_shape(shape) + " but \"" + layers[in].id + "\" is " +
                          format_shape(meta(in).shape) + " (broadcasting is not supported)");
    // Result dtype by NumPy's rules.
    DType arrays = meta(ins[0]).dtype;
    bool any_scalar = false, scalar_integral = true;
    const size_t first_value = l.op == Op::Where ? 1 : 0;  // where's condition does not take part
    bool have_array = false;
    for (size_t k = first_value; k < l.params.operands.size(); ++k) {
      const Operand& o = l.params.operands[k];
      if (o.is_scalar()) { any_scalar = true; scalar_integral &= o.scalar_is_integral; }
      else { arrays = have_array ? promote(arrays, meta(o.layer).dtype) : meta(o.layer).dtype; have_array = true; }
    }
    DType result = arrays;
    if (!have_array) result = scalar_integral ? DType::Int64 : DType::Float64;
    else if (any_scalar) result = promote_with_scalar(arrays, scalar_integral);
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
      case Op::Power: if (result == DType::Bool) result = DType::Int8; break;  // np.power(bool, bool) is int8
      case Op::Greater: case Op::GreaterEqual: case Op::Less: case Op::LessEqual: case Op::Equal: result = DType::Bool; break;
      case Op::Sqrt: case Op::Exp: case Op::Log: case Op::Sin: case Op::Cos: result = float_math_result(result); break;
      case Op::Negative:
        if (result == DType::Bool) r.fail("input", "negative of a bool array is not allowed (NumPy raises); use astype first");
        break;
      case Op::Subtract:
        if (result == DType::Bool) r.fail("inputs", "subtract of bool arrays is not allowed (NumPy raises); use astype first");
        break;
      case Op::AsType: result = dtype_field(r, "dtype", DType::Float64); if (!r.has("dtype")) r.fail("dtype", "is missing"); break;
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

  template <class Allow>
  void parse_slice(const FieldReader& r, Layer& l, Allow&& allow, int in) {
    allow({"input", "slices"});
    const ArrayMeta& im = meta(in);
    const json& v = r.at("slices");
    if (!v.is_array()) r.fail("slices", "must be a list with one [start, stop, step] (or null) per axis");
    if (static_cast<int>(v.size()) > im.ndim())
      r.fail("slices", "has " + std::to_string(v.size()) + " entries but the array has " + std::to_string(im.ndim()) + " axes");
    l.meta.dtype = im.dtype;
    for (int a = 0; a < im.ndim(); ++a) {
      const std::int64_t n = im.shape[a];
      std::optional<std::int64_t> start, stop;
      std::int64_t step = 1;
      if (a < static_cast<int>(v.size()) && !v[a].is_null()) {
        const json& s = v[a];
        if (!s.is_array() || s.empty() || s.size() > 3)
          r.fail("slices", "axis " + std::to_string(a) + ": each entry is [start, stop, step] with nulls allowed, got " + s.dump());
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
      if (as.count == 0) r.fail("slices", "axis " + std::to_string(a) + " selects no elements (empty arrays are not supported)");
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

  template <class Allow>
  void parse_concatenate(const FieldReader& r, Layer& l, Allow&& allow) {
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
      if (meta(in).ndim() != nd) r.fail("inputs", "\"" + layers[in].id + "\" has " + std::to_string(meta(in).ndim()) + " axes, expected " + std::to_string(nd));
      for (int a = 0; a < nd; ++a)
        if (a != axis && meta(in).shape[a] != meta(ins[0]).shape[a])
          r.fail("inputs", "shape mismatch on axis " + std::to_string(a) + ": \"" + layers[ins[0]].id + "\" is " + format_shape(meta(ins[0]).shape) +
                               " but \"" + layers[in].id + "\" is " + format_shape(meta(in).shape));
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

  template <class Allow>
  void parse_reduce(const FieldReader& r, Layer& l, Allow&& allow, int in) {
    if (l.op == Op::Std || l.op == Op::Var) allow({"input", "axis", "keepdims", "split_every", "ddof"});
    else allow({"input", "axis", "keepdims", "split_every"});
    const ArrayMeta& im = meta(in);
    const int nd = im.ndim();
    std::vector<int> axes;
    if (!r.has("axis")) {
      for (int a = 0; a < nd; ++a) axes.push_back(a);
    } else {
      const json& v = r.at("axis");
      std::vector<std::int64_t> raw;
      if (v.is_array()) for (const auto& x : v) raw.push_back(r.integer("axis", x));
      else raw.push_back(r.integer("axis", v));
      for (auto a : raw) {
        const auto aa = a < 0 ? a + nd : a;
        if (aa < 0 || aa >= nd) r.fail("axis", "axis " + std::to_string(a) + " is out of range for a " + std::to_string(nd) + "-d array");
        if (std::find(axes.begin(), axes.end(), static_cast<int>(aa)) != axes.end()) r.fail("axis", "lists axis " + std::to_string(a) + " twice");
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
      case Op::Mean: case Op::Std: case Op::Var: l.meta.dtype = mean_result(im.dtype); break;
      default: l.meta.dtype = im.dtype; break;
    }
    for (int a = 0; a < nd; ++a) {
      const bool red = std::find(axes.begin(), axes.end(), a) != axes.end();
      if (!red) { l.meta.shape.push_back(im.shape[a]); l.meta.chunks.push_back(im.chunks[a]); }
      else if (l.params.keepdims) { l.meta.shape.push_back(1); l.meta.chunks.push_back({1}); }
    }
  }

  template <class Allow>
  void parse_stencil(const FieldReader& r, Layer& l, Allow&& allow, int in) {
    const ArrayMeta& im = meta(in);
    const int nd = im.ndim();
    if (im.dtype == DType::Bool) r.fail("input", "filters need a numeric array, \"" + layers[in].id + "\" is bool (use astype)");
    if (l.op == Op::GaussianFilter) {
      allow({"input", "sigma", "truncate", "mode", "cval"});
      const json& s = r.at("sigma");
      if (s.is_array()) {
        if (static_cast<int>(s.size()) != nd) r.fail("sigma", "has " + std::to_string(s.size()) + " entries but the array has " + std::to_string(nd) + " axes");
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
      if (!r.has("size")) l.params.size.assign(nd, 3);
      else if (r.at("size").is_array()) {
        l.params.size = r.int_list("size");
        if (static_cast<int>(l.params.size.size()) != nd) r.fail("size", "has " + std::to_string(l.params.size.size()) + " entries but the array has " + std::to_string(nd) + " axes");
      } else l.params.size.assign(nd, r.integer("size"));
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
      const std::int64_t depth = l.op == Op::GaussianFilter ? gaussian_radius_of(l.params.sigma[a], l.params.truncate) : l.params.size[a] / 2;
      if (depth > im.shape[a] * 4 + 64)
        r.fail(l.op == Op::GaussianFilter ? "sigma" : "size", "the filter reaches " + std::to_string(depth) + " elements on axis " + std::to_string(a) + ", far past the array's length " + std::to_string(im.shape[a]));
    }
    l.meta = im;
  }
  static std::int64_t gaussian_radius_of(double sigma, double truncate) { return static_cast<std::int64_t>(truncate * sigma + 0.5); }

  template <class Allow>
  void parse_matmul(const FieldReader& r, Layer& l, Allow&& allow) {
    allow({"inputs"});
    const json& v = r.at("inputs");
    if (!v.is_array() || v.size() != 2) r.fail("inputs", "must be a list of two array ids");
    std::vector<int> ins{input_ref(r, "inputs", v[0]), input_ref(r, "inputs", v[1])};
    const ArrayMeta &a = meta(ins[0]), &b = meta(ins[1]);
    if (a.ndim() != 2 || b.ndim() != 2) r.fail("inputs", "matmul needs two 2-d arrays, got " + format_shape(a.shape) + " and " + format_shape(b.shape));
    if (a.shape[1] != b.shape[0])
      r.fail("inputs", "shape mismatch: " + format_shape(a.shape) + " @ " + format_shape(b.shape) + " (inner sizes " + std::to_string(a.shape[1]) + " and " + std::to_string(b.shape[0]) + " differ)");
    std::vector<std::vector<int>> axis_map{{-1, 0}, {0, -1}};
    std::vector<std::vector<std::int64_t>> unified;
    unify(l, ins, axis_map, 1, unified);
    l.inputs = ins;
    l.meta.shape = {meta(ins[0]).shape[0], meta(ins[1]).shape[1]};
    l.meta.chunks = {meta(ins[0]).chunks[0], meta(ins[1]).chunks[1]};
    l.meta.dtype = promote(meta(ins[0]).dtype, meta(ins[1]).dtype);
    if (l.meta.dtype == DType::Float16)
      r.fail("inputs", "matmul of float16 is not supported (NumPy accumulates float16 products in float32 with "
                       "no BLAS; chunked partial sums would round differently): use astype float32 first");
  }

  // Moves a rechunk or slice that directly follows a source into the source.
  void push_into_sources(const std::set<int>& outputs) {
    std::vector<int> consumers(layers.size(), 0);
    for (const Layer& l : layers)
      for (int in : std::set<int>(l.inputs.begin(), l.inputs.end())) ++consumers[in];
    for (size_t i = 0; i < layers.size(); ++i) {
      Layer& l = layers[i];
      if (l.kind != OpKind::Rechunk && l.kind != OpKind::Slice) continue;
      const int s = l.inputs[0];
      Layer& src = layers[s];
      const bool is_source = (src.kind == OpKind::Source && src.pushed_into < 0) || src.params.pushed_source >= 0;
      if (!is_source || consumers[s] != 1 || outputs.count(s)) continue;
      std::vector<AxisSlice> view;
      int origin = s;
      if (src.params.pushed_source >= 0) { view = src.params.source_view; origin = src.params.pushed_source; }
      else for (auto n : src.meta.shape) view.push_back({0, 1, n});
      if (l.kind == OpKind::Slice) {
        for (size_t a = 0; a < view.size(); ++a) {
          const AxisSlice& sl = l.params.slices[a];
          // One selected element: its step is irrelevant (and the product of two huge steps overflows).
          view[a] = {view[a].at(sl.start), sl.count == 1 ? 1 : view[a].step * sl.step, sl.count};
        }
      }
      l.params.pushed_source = origin;
      l.params.source_view = view;
      src.pushed_into = static_cast<int>(i);
    }
  }
};

}  // namespace

Result<Graph> parse_pipeline(const json& doc, const std::string& source, const std::string& base_dir, const PipelineOptions& options) {
  try {
    if (!doc.is_object()) throw InputError(located_message(source, "", "", "a pipeline must be a JSON object with \"layers\""));
    FieldReader top{source, "", &doc};
    top.only({"name", "description", "layers", "outputs", "chunk_target", "format", "version"});
    Parser p{source, base_dir, options};
    std::string name = top.str_or("name", "");
    if (name.empty()) {
      std::string stem = source;
      if (auto k = stem.find_last_of('/'); k != std::string::npos) stem = stem.substr(k + 1);
      if (auto k = stem.find('.'); k != std::string::npos) stem = stem.substr(0, k);
      name = stem.empty() ? "pipeline" : stem;
    }
    if (top.has("chunk_target")) {
      const json& v = doc["chunk_target"];
      std::optional<std::int64_t> b;
      if (v.is_string()) b = parse_bytes(v.get<std::string>());
      else if (v.is_number_integer()) b = v.get<std::int64_t>();
      if (!b || *b <= 0) top.fail("chunk_target", "must be a positive size like \"128MiB\", got " + v.dump());
      p.chunk_target = *b;
    }
    const json& layers = top.at("layers");
    if (!layers.is_array() || layers.empty()) top.fail("layers", "must be a non-empty list of layers");
    for (size_t i = 0; i < layers.size(); ++i) p.parse_layer(layers[i], i);

    std::vector<OutputSpec> outputs;
    std::set<int> output_layers;
    if (top.has("outputs")) {
      const json& outs = doc["outputs"];
      if (!outs.is_array()) top.fail("outputs", "must be a list of {\"id\": ..., \"to_npy\" | \"to_zarr\": path}");
      std::vector<Layer> sinks;
      for (const auto& o : outs) {
        if (!o.is_object()) top.fail("outputs", "each output must be an object, got " + o.dump());
        FieldReader r{source, "", &o};
        const std::string id = r.str("id");
        r.layer = id;
        r.only({"id", "to_npy", "to_zarr"});
        auto it = p.index.find(id);
        if (it == p.index.end() || p.layers[it->second].inserted) r.fail("id", "output names a layer that does not exist");
        OutputSpec spec;
        spec.layer = it->second;
        if (r.has("to_npy")) spec.to_npy = p.resolve(r.str("to_npy"));
        if (r.has("to_zarr")) spec.to_zarr = p.resolve(r.str("to_zarr"));
        if (!spec.to_npy.empty() && !spec.to_zarr.empty()) r.fail("to_zarr", "an output has either to_npy or to_zarr, not both");
        const Layer& src = p.layers[spec.layer];
        if (!spec.to_zarr.empty() && !src.meta.regular())
          r.fail("to_zarr", "Zarr needs regular chunks but \"" + id + "\" has chunks " + format_chunk_shape(src.meta.chunks) + "; add a rechunk");
        if (!spec.to_npy.empty() || !spec.to_zarr.empty()) {
          Layer s;
          const bool npy = !spec.to_npy.empty();
          s.id = id + (npy ? ":to_npy" : ":to_zarr");
          s.name = std::string(npy ? "write " : "write ") + (npy ? spec.to_npy : spec.to_zarr);
          s.op = npy ? Op::ToNpy : Op::ToZarr;
          s.kind = OpKind::Sink;
          s.group = src.group;
          s.inputs = {spec.layer};
          s.meta = src.meta;
          s.params.path = npy ? spec.to_npy : spec.to_zarr;
          s.raw_params = {{"input", id}, {"path", s.params.path}};
          sinks.push_back(std::move(s));
        }
        output_layers.insert(spec.layer);
        outputs.push_back(spec);
      }
      for (auto& s : sinks) {
        if (p.index.count(s.id)) top.fail("outputs", "two outputs write the same layer (\"" + s.id + "\")");
        p.index[s.id] = static_cast<int>(p.layers.size());
        p.layers.push_back(std::move(s));
      }
    } else {
      // No outputs section: the last layer is the result, kept in memory.
      OutputSpec spec;
      spec.layer = static_cast<int>(p.layers.size()) - 1;
      outputs.push_back(spec);
      output_layers.insert(spec.layer);
    }
    if (options.push_into_sources) p.push_into_sources(output_layers);
    double tasks = 0;  // chunks of every layer, before Graph::build expands them into tasks
    for (const Layer& l : p.layers) {
      double n = 1;
      for (const auto& axis : l.meta.chunks) n *= static_cast<double>(axis.size());
      tasks += n;
    }
    if (tasks > static_cast<double>(options.max_tasks))
      throw InputError(located_message(source, "", "layers", "the pipeline would have more than " + std::to_string(options.max_tasks) + " tasks; use larger chunks"));
    Graph g = Graph::build(name, std::move(p.layers), std::move(outputs), source);
    g.set_description(top.str_or("description", ""));
    return g;
  } catch (const InputError& e) {
    return Result<Graph>::failure(e.what());
  } catch (const json::exception& e) {
    return Result<Graph>::failure(located_message(source, "", "", std::string("invalid pipeline: ") + e.what()));
  }
}

Result<Graph> parse_pipeline_text(const std::string& text, const std::string& source, const std::string& base_dir, const PipelineOptions& options) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // Turn the byte offset into a line and column.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') { ++line; col = 1; } else ++col;
    }
    std::string what = e.what();
    if (auto k = what.find("syntax error"); k != std::string::npos) what = what.substr(k);
    return Result<Graph>::failure(source + ":" + std::to_string(line) + ":" + std::to_string(col) + ": invalid JSON: " + what);
  } catch (const json::exception& e) {  // a number too large for a double (out_of_range 406)
    std::string what = e.what();
    if (auto k = what.find("] "); k != std::string::npos) what = what.substr(k + 2);
    return Result<Graph>::failure(source + ": invalid JSON: " + what);
  }
  return parse_pipeline(doc, source, base_dir, options);
}

}  // namespace chunkscope
