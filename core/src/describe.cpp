#include "chunkscope/core/describe.hpp"

#include <algorithm>
#include <sstream>

#include "chunkscope/core/ops.hpp"
#include "chunkscope/core/terminal_text.hpp"
#include "chunkscope/core/units.hpp"

namespace chunkscope {
namespace {

// Display width of a UTF-8 string (counts code points).
size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string pad(const std::string& s, size_t w, bool right = false) {
  const size_t n = width(s);
  if (n >= w) return s;
  return right ? std::string(w - n, ' ') + s : s + std::string(w - n, ' ');
}

std::string op_label(const Graph& g, const Layer& l) {
  std::string s(op_name(l.op));
  if (l.inserted) s += " (auto)";
  if (l.pushed_into >= 0) s += " → " + terminal_safe(g.layer(l.pushed_into).id);
  if (l.params.pushed_source >= 0) s += " ← " + terminal_safe(g.layer(l.params.pushed_source).id);
  return s;
}

}  // namespace

std::string describe_text(const Graph& g) {
  std::ostringstream out;
  out << "pipeline " << terminal_safe(g.name());
  if (!g.description().empty()) out << " — " << terminal_safe(g.description());
  out << "\n";
  const std::vector<std::string> head{"layer", "op", "group", "dtype", "shape", "chunk shape", "chunks", "tasks", "chunk bytes"};
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < static_cast<int>(g.layers().size()); ++i) {
    const Layer& l = g.layer(i);
    rows.push_back({terminal_safe(l.id), op_label(g, l), l.group.empty() ? "-" : terminal_safe(l.group), std::string(dtype_name(l.meta.dtype)),
                    format_shape(l.meta.shape), format_chunk_shape(l.meta.chunks), std::to_string(l.meta.num_chunks()),
                    std::to_string(g.layer_task_count(i)), format_bytes(static_cast<double>(l.meta.max_chunk_bytes()))});
  }
  std::vector<size_t> w(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    w[c] = width(head[c]);
    for (const auto& r : rows) w[c] = std::max(w[c], width(r[c]));
  }
  auto line = [&](const std::vector<std::string>& r) {
    for (size_t c = 0; c < r.size(); ++c) out << (c ? "  " : "") << pad(r[c], w[c], c >= 6);
    out << "\n";
  };
  line(head);
  for (const auto& r : rows) line(r);
  out << g.layers().size() << " layers, " << g.tasks().size() << " tasks, " << g.tasks().num_edges() << " dependencies\n";
  for (const auto& o : g.outputs()) {
    const Layer& l = g.layer(o.layer);
    out << "output " << terminal_safe(l.id) << " (" << format_shape(l.meta.shape) << " " << dtype_name(l.meta.dtype) << ")";
    if (!o.to_npy.empty()) out << " -> " << terminal_safe(o.to_npy);
    else if (!o.to_zarr.empty()) out << " -> " << terminal_safe(o.to_zarr);
    else out << " kept in memory";
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
    j["layers"].push_back({{"id", l.id},
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
