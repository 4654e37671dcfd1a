#include "chunkscope/core/describe.hpp"

#include <algorithm>
#include <sstream>

#include "chunkscope/core/ops.hpp"
#include "chunkscope/core/terminal_text.hpp"
#include "chunkscope/core/units.hpp"

namespace chunkscope {
namespace {

std::string op_label(const Graph& g, const Layer& l) {
  std::string s(op_name(l.op));
  if (l.inserted) s += " (auto)";
  if (l.pushed_into >= 0) s += " → " + terminal_safe(g.layer(l.pushed_into).id);
  if (l.params.pushed_source >= 0) s += " ← " + terminal_safe(g.layer(l.params.pushed_source).id);
  return s;
}

// Tasks of a trace layer: its planned tasks in a plan document (no tasks recorded), else its tasks.
std::int64_t trace_layer_tasks(const Trace& t, const TraceLayer& l) {
  const auto p = l.params.find("planned_tasks");
  if (t.tasks.size() == 0 && p != l.params.end() && p->is_number_integer()) return p->get<std::int64_t>();
  return l.tasks;
}

std::int64_t trace_layer_chunks(const TraceLayer& l) {
  if (l.unknown_sizes()) {
    const auto n = l.params.find("chunk_count");
    return n != l.params.end() && n->is_number_integer() ? n->get<std::int64_t>() : 0;
  }
  std::int64_t n = 1;
  for (const auto& axis : l.chunks) n *= static_cast<std::int64_t>(axis.size());
  return n;
}

std::string param_string(const TraceLayer& l, const char* key) {
  const auto p = l.params.find(key);
  return p != l.params.end() && p->is_string() ? p->get<std::string>() : std::string();
}

}  // namespace

std::string describe_trace_text(const Trace& t) {
  std::ostringstream out;
  out << (t.meta.status == "plan" ? "plan " : "trace ") << terminal_safe(t.meta.pipeline) << " ("
      << terminal_safe(t.meta.executor) << ")\n";
  const std::vector<std::string> head{"layer",       "op",     "group", "dtype",       "shape",
                                      "chunk shape", "chunks", "tasks", "chunk bytes", "created at"};
  std::vector<std::vector<std::string>> rows;
  std::int64_t tasks = 0;
  for (const TraceLayer& l : t.layers) {
    const std::int64_t n = trace_layer_tasks(t, l);
    tasks += n;
    const std::int64_t bytes = l.unknown_sizes() ? -1 : l.meta().max_chunk_bytes();
    const std::string where = param_string(l, "created_at");
    rows.push_back({terminal_safe(l.id), terminal_safe(l.op), l.group.empty() ? "-" : terminal_safe(l.group),
                    terminal_safe(l.dtype), l.shape_text(), l.chunk_shape_text(), std::to_string(trace_layer_chunks(l)),
                    std::to_string(n), bytes < 0 ? "?" : format_bytes(static_cast<double>(bytes)),
                    where.empty() ? "-" : terminal_safe(where)});
  }
  std::vector<size_t> w(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    w[c] = text_width(head[c]);
    for (const auto& r : rows) w[c] = std::max(w[c], text_width(r[c]));
  }
  auto line = [&](const std::vector<std::string>& r) {
    for (size_t c = 0; c < r.size(); ++c)
      out << (c ? "  " : "") << (c + 1 == r.size() ? r[c] : pad_text(r[c], w[c], c >= 6 && c <= 8));
    out << "\n";
  };
  line(head);
  for (const auto& r : rows) line(r);
  out << t.layers.size() << " layers, " << tasks << (t.meta.status == "plan" ? " planned tasks\n" : " tasks\n");
  return out.str();
}

nlohmann::json describe_trace_json(const Trace& t) {
  nlohmann::json j;
  j["name"] = t.meta.pipeline;
  j["status"] = t.meta.status;
  j["layers"] = nlohmann::json::array();
  std::int64_t tasks = 0;
  for (const TraceLayer& l : t.layers) {
    const std::int64_t n = trace_layer_tasks(t, l);
    tasks += n;
    const bool unknown = l.unknown_sizes();
    const std::string where = param_string(l, "created_at");
    j["layers"].push_back(
        {{"id", l.id},
         {"op", l.op},
         {"group", l.group},
         {"dtype", l.dtype},
         {"shape", unknown ? nlohmann::json(nullptr) : nlohmann::json(l.shape)},
         {"chunk_shape", unknown ? nlohmann::json(nullptr) : nlohmann::json(l.meta().max_chunk_shape())},
         {"num_chunks", trace_layer_chunks(l)},
         {"tasks", n},
         {"chunk_bytes", unknown ? nlohmann::json(nullptr) : nlohmann::json(l.meta().max_chunk_bytes())},
         {"inputs", l.inputs},
         {"created_at", where.empty() ? nlohmann::json(nullptr) : nlohmann::json(where)}});
  }
  j["tasks"] = tasks;
  return j;
}

std::string describe_text(const Graph& g) {
  std::ostringstream out;
  out << "pipeline " << terminal_safe(g.name());
  if (!g.description().empty()) out << " — " << terminal_safe(g.description());
  out << "\n";
  const std::vector<std::string> head{"layer",       "op",     "group", "dtype",      "shape",
                                      "chunk shape", "chunks", "tasks", "chunk bytes"};
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < static_cast<int>(g.layers().size()); ++i) {
    const Layer& l = g.layer(i);
    rows.push_back({terminal_safe(l.id), op_label(g, l), l.group.empty() ? "-" : terminal_safe(l.group),
                    std::string(dtype_name(l.meta.dtype)), format_shape(l.meta.shape),
                    format_chunk_shape(l.meta.chunks), std::to_string(l.meta.num_chunks()),
                    std::to_string(g.layer_task_count(i)),
                    format_bytes(static_cast<double>(l.meta.max_chunk_bytes()))});
  }
  std::vector<size_t> w(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    w[c] = text_width(head[c]);
    for (const auto& r : rows) w[c] = std::max(w[c], text_width(r[c]));
  }
  auto line = [&](const std::vector<std::string>& r) {
    for (size_t c = 0; c < r.size(); ++c) out << (c ? "  " : "") << pad_text(r[c], w[c], c >= 6);
    out << "\n";
  };
  line(head);
  for (const auto& r : rows) line(r);
  out << g.layers().size() << " layers, " << g.tasks().size() << " tasks, " << g.tasks().num_edges()
      << " dependencies\n";
  for (const auto& o : g.outputs()) {
    const Layer& l = g.layer(o.layer);
    out << "output " << terminal_safe(l.id) << " (" << format_shape(l.meta.shape) << " " << dtype_name(l.meta.dtype)
        << ")";
    if (!o.to_npy.empty())
      out << " -> " << terminal_safe(o.to_npy);
    else if (!o.to_zarr.empty())
      out << " -> " << terminal_safe(o.to_zarr);
    else
      out << " kept in memory";
    out << "\n";
  }
  return out.str();
}

nlohmann::json describe_json(const Graph& g) {
  nlohmann::json j;
  j["name"] = g.name();
  j["description"] = g.description();
  j["layers"] = nlohmann::json::array();
  for (int i = 0; i < static_cast<int>(g.layers().size()); ++i) {
    const Layer& l = g.layer(i);
    nlohmann::json inputs = nlohmann::json::array();
    for (int in : l.inputs) inputs.push_back(g.layer(in).id);
    j["layers"].push_back(
        {{"id", l.id},
         {"name", l.name},
         {"op", op_name(l.op)},
         {"group", l.group},
         {"dtype", dtype_name(l.meta.dtype)},
         {"shape", l.meta.shape},
         {"chunks", l.meta.chunks},
         {"chunk_shape", l.meta.max_chunk_shape()},
         {"num_chunks", l.meta.num_chunks()},
         {"tasks", g.layer_task_count(i)},
         {"chunk_bytes", l.meta.max_chunk_bytes()},
         {"inputs", inputs},
         {"inserted", l.inserted},
         {"pushed_into", l.pushed_into >= 0 ? nlohmann::json(g.layer(l.pushed_into).id) : nlohmann::json(nullptr)}});
  }
  j["tasks"] = g.tasks().size();
  j["edges"] = g.tasks().num_edges();
  return j;
}

}  // namespace chunkscope
