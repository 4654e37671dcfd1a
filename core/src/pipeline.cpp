// Pipeline JSON -> layers with inferred ArrayMeta -> rewrites (chunk unification, sinks,
// push-down into sources) -> Graph::build (validation + task expansion). This file parses the
// document; pipeline_infer.cpp infers types and shapes per op family; pipeline_rewrite.cpp holds
// the rewrite passes (pipeline_parser.hpp: the state they share).
#include "chunkscope/core/pipeline.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "chunkscope/core/chunking.hpp"
#include "chunkscope/core/ops.hpp"
#include "chunkscope/core/units.hpp"
#include "json_reader.hpp"
#include "pipeline_parser.hpp"

namespace chunkscope {
namespace detail {

using json = nlohmann::json;

std::string Parser::resolve(const std::string& p) const {
  if (p.empty() || p[0] == '/' || base_dir.empty()) return p;
  return base_dir + "/" + p;
}

ChunkSpec Parser::chunk_spec(const FieldReader& r, const char* field, const json& v, int ndim) const {
  ChunkSpec spec;
  auto axis_spec = [&](const json& x) {
    AxisChunkSpec s;
    if (x.is_null())
      s.kind = AxisChunkSpec::Kind::Whole;
    else if (x.is_string()) {
      if (x.get<std::string>() != "auto")
        r.fail(field, "per-axis entries are integers, -1, \"auto\" or lists, got " + x.dump());
      s.kind = AxisChunkSpec::Kind::Auto;
    } else if (x.is_array()) {
      s.kind = AxisChunkSpec::Kind::Explicit;
      for (const auto& e : x) s.explicit_.push_back(r.integer(field, e));
    } else {
      const auto n = r.integer(field, x);
      if (n == -1)
        s.kind = AxisChunkSpec::Kind::Whole;
      else {
        s.kind = AxisChunkSpec::Kind::Size;
        s.size = n;
      }
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

Chunks Parser::chunks_for(const FieldReader& r, const char* field, const json& v, const Shape& shape, DType dt) const {
  const ChunkSpec spec = chunk_spec(r, field, v, static_cast<int>(shape.size()));
  // Regular sizes give their chunk count without making the lists: refuse too many first.
  const std::string too_many = "more than " + std::to_string(task_cap()) + " chunks; use larger chunks";
  double count = 1;
  for (size_t a = 0; a < spec.size() && a < shape.size(); ++a) {
    if (spec[a].kind != AxisChunkSpec::Kind::Size || spec[a].size <= 0) continue;
    const std::int64_t n = (shape[a] - 1) / spec[a].size + 1;
    if (n > task_cap())
      r.fail(field, "axis " + std::to_string(a) + ": chunks of size " + std::to_string(spec[a].size) + " make " +
                        std::to_string(n) + " chunks, more than " + std::to_string(task_cap()) + "; use larger chunks");
    count *= static_cast<double>(n);
  }
  if (count > static_cast<double>(task_cap())) r.fail(field, too_many);
  Chunks c;
  try {
    c = normalize_chunks(spec, shape, dtype_size(dt), chunk_target);
  } catch (const InputError& e) {
    r.fail(field, e.what());
  }
  count = 1;  // "auto" and explicit axes included
  for (const auto& axis : c) count *= static_cast<double>(axis.size());
  if (count > static_cast<double>(task_cap())) r.fail(field, too_many);
  return c;
}

Shape Parser::shape_field(const FieldReader& r) const {
  Shape s = r.int_list("shape");
  if (s.empty()) r.fail("shape", "must have at least one axis");
  if (s.size() > static_cast<size_t>(kMaxAxes))
    r.fail("shape",
           "has " + std::to_string(s.size()) + " axes; at most " + std::to_string(kMaxAxes) + " are supported");
  std::int64_t n = 1;
  for (size_t a = 0; a < s.size(); ++a) {
    if (s[a] <= 0)
      r.fail("shape", "axis " + std::to_string(a) + " has size " + std::to_string(s[a]) + "; sizes must be positive");
    if (n > (std::int64_t{1} << 57) / s[a]) r.fail("shape", "is too large: the array would overflow 64-bit sizes");
    n *= s[a];
  }
  return s;
}

DType Parser::dtype_field(const FieldReader& r, const char* f, DType d) const {
  if (!r.has(f)) return d;
  const std::string name = r.str(f);
  const auto t = parse_dtype(name);
  if (!t) {
    const std::string why = unsupported_dtype_reason(name);
    r.fail(f, why.empty() ? "unknown dtype \"" + name + "\" (use " + std::string(dtype_names_list()) + ")" : why);
  }
  return *t;
}

int Parser::input_ref(const FieldReader& r, const char* f, const json& v) const {
  if (!v.is_string()) r.fail(f, "must name a layer id, got " + v.dump());
  const std::string id = v.get<std::string>();
  if (id == r.layer) r.fail(f, "refers to the layer itself (a cycle)");
  auto it = index.find(id);
  if (it == index.end()) r.fail(f, "refers to \"" + id + "\", which is not a layer defined before this one");
  return it->second;
}

const ArrayMeta& Parser::meta(int l) const { return layers[l].meta; }

void Parser::parse_layer(const json& j, size_t position) {
  if (!j.is_object())
    throw InputError(located_message(file, "#" + std::to_string(position), "", "each layer must be an object"));
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
    r.fail("group",
           "has " + std::to_string(depth) + " levels; at most " + std::to_string(kMaxGroupDepth) + " are supported");
  r.str_or("description", "");
  const std::string opname = r.str("op");
  const auto op = parse_op(opname);
  if (!op || *op == Op::ToNpy || *op == Op::ToZarr)
    r.fail("op", "unknown op \"" + opname + "\" (see docs/pipeline-format.md for the list)");
  l.op = *op;
  l.kind = op_kind(*op);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!kCommonLayerFields.count(it.key())) l.raw_params[it.key()] = it.value();
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
        if (!perm)
          r.fail("axes", "must be a permutation of the " + std::to_string(nd) + " axes, got " + r.at("axes").dump());
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

}  // namespace detail

using detail::FieldReader;
using detail::Parser;
using nlohmann::json;

Result<Graph> parse_pipeline(const json& doc, const std::string& source, const std::string& base_dir,
                             const PipelineOptions& options) {
  try {
    if (!doc.is_object())
      throw InputError(located_message(source, "", "", "a pipeline must be a JSON object with \"layers\""));
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
      if (v.is_string())
        b = parse_bytes(v.get<std::string>());
      else if (v.is_number_integer())
        b = v.get<std::int64_t>();
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
        if (it == p.index.end() || p.layers[it->second].inserted)
          r.fail("id", "output names a layer that does not exist");
        OutputSpec spec;
        spec.layer = it->second;
        if (r.has("to_npy")) spec.to_npy = p.resolve(r.str("to_npy"));
        if (r.has("to_zarr")) spec.to_zarr = p.resolve(r.str("to_zarr"));
        if (!spec.to_npy.empty() && !spec.to_zarr.empty())
          r.fail("to_zarr", "an output has either to_npy or to_zarr, not both");
        const Layer& src = p.layers[spec.layer];
        if (!spec.to_zarr.empty() && !src.meta.regular())
          r.fail("to_zarr", "Zarr needs regular chunks but \"" + id + "\" has chunks " +
                                format_chunk_shape(src.meta.chunks) + "; add a rechunk");
        if (!spec.to_npy.empty() || !spec.to_zarr.empty()) sinks.push_back(p.sink_for(spec));
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
    if (tasks > static_cast<double>(p.task_cap()))
      throw InputError(located_message(
          source, "", "layers",
          "the pipeline would have more than " + std::to_string(p.task_cap()) + " tasks; use larger chunks"));
    Graph g = Graph::build(name, std::move(p.layers), std::move(outputs), source);
    g.set_description(top.str_or("description", ""));
    return g;
  } catch (const InputError& e) {
    return Result<Graph>::failure(e.what());
  } catch (const json::exception& e) {
    return Result<Graph>::failure(located_message(source, "", "", std::string("invalid pipeline: ") + e.what()));
  }
}

Result<Graph> parse_pipeline_text(const std::string& text, const std::string& source, const std::string& base_dir,
                                  const PipelineOptions& options) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // Turn the byte offset into a line and column.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else
        ++col;
    }
    std::string what = e.what();
    if (auto k = what.find("syntax error"); k != std::string::npos) what = what.substr(k);
    return Result<Graph>::failure(source + ":" + std::to_string(line) + ":" + std::to_string(col) +
                                  ": invalid JSON: " + what);
  } catch (const json::exception& e) {  // a number too large for a double (out_of_range 406)
    std::string what = e.what();
    if (auto k = what.find("] "); k != std::string::npos) what = what.substr(k + 2);
    return Result<Graph>::failure(source + ": invalid JSON: " + what);
  }
  return parse_pipeline(doc, source, base_dir, options);
}

}  // namespace chunkscope
