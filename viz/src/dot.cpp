// to_dot: the DOT text every layout starts from.
#include "chunkscope/viz/dot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "chunkscope/viz/palette.hpp"
#include "labels.hpp"

namespace chunkscope::viz {
namespace {

// Inside a DOT quoted string: `"` and `\` escaped, control characters as spaces.
std::string escape_body(std::string_view s) {
  const std::string clean = detail::clean_utf8(std::string(s));
  std::string out;
  out.reserve(clean.size());
  for (char ch : clean) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u == 0x7f) {
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out;
}

std::string inches(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string cluster_key_of(const std::string& node_cluster) {
  if (node_cluster.empty()) return "";
  if (node_cluster.rfind("layer:", 0) == 0) return "cluster_l:" + node_cluster.substr(6);
  return "cluster_g:" + node_cluster;
}

std::string label_attr(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\\n" : "") + escape_body(lines[i]);
  return out + "\"";
}

}  // namespace

NodeSize node_size(const std::vector<std::string>& label) {
  size_t longest = 0;
  for (const auto& line : label) longest = std::max(longest, utf8_length(line));
  // Helvetica 10 pt: about 0.075 in per character, 0.17 in per line, plus padding.
  const double w = std::max(0.8, 0.3 + 0.075 * static_cast<double>(longest));
  const double h = std::max(0.4, 0.2 + 0.17 * static_cast<double>(label.size()));
  return {std::round(w * 100) / 100, std::round(h * 100) / 100};
}

std::string dot_quote(std::string_view s) { return "\"" + escape_body(s) + "\""; }

std::string to_dot(const VisibleGraph& g) {
  std::ostringstream out;
  out << "digraph chunkscope {\n"
         "  graph [rankdir=TB, newrank=true, nodesep=0.3, ranksep=0.45, fontname=\"Helvetica\", fontsize=10, "
         "labeljust=l];\n"
         "  node [shape=box, style=\"rounded,filled\", fixedsize=true, fontname=\"Helvetica\", fontsize=10];\n"
         "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#9ca3af\"];\n";
  std::map<std::string, std::vector<size_t>> children;  // cluster key -> child clusters
  std::map<std::string, std::vector<size_t>> members;   // cluster key -> nodes
  for (size_t i = 0; i < g.clusters.size(); ++i) children[g.clusters[i].parent].push_back(i);
  std::set<std::string> keys;
  for (const Cluster& c : g.clusters) keys.insert(c.key);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const std::string key = cluster_key_of(g.nodes[i].cluster);
    members[keys.count(key) ? key : ""].push_back(i);  // a node of an unknown cluster goes to the top
  }

  auto node_line = [&](const VNode& n, const std::string& indent) {
    const NodeSize sz = node_size(n.label);
    out << indent << dot_quote(n.key) << " [label=" << label_attr(n.label) << ", width=" << inches(sz.width)
        << ", height=" << inches(sz.height) << ", fillcolor=" << dot_quote(n.fill)
        << ", color=" << dot_quote(severity_color(n.severity)) << (n.severity >= 1 || n.selected ? ", penwidth=2" : "")
        << "];\n";
  };
  // Clusters nest as subgraphs; a cluster that is its own ancestor (malformed input) is never revisited.
  std::vector<char> done(g.clusters.size(), 0);
  auto emit = [&](auto&& self, const std::string& key, const std::string& indent) -> void {
    for (size_t i : members[key]) node_line(g.nodes[i], indent);
    for (size_t c : children[key]) {
      if (done[c]) continue;
      done[c] = 1;
      const Cluster& cl = g.clusters[c];
      out << indent << "subgraph " << dot_quote(cl.key) << " {\n"
          << indent << "  label=" << dot_quote(cl.label) << "; style=\"rounded\"; color=\"#cbd5e1\";\n";
      self(self, cl.key, indent + "  ");
      out << indent << "}\n";
    }
  };
  emit(emit, "", "  ");
  for (const VEdge& e : g.edges) {
    out << "  " << dot_quote(e.from) << " -> " << dot_quote(e.to);
    std::vector<std::string> attrs;
    if (!e.label.empty()) attrs.push_back("label=" + dot_quote(e.label));
    if (e.rechunk) attrs.push_back("color=\"#d97706\"");
    if (e.count > 1)
      attrs.push_back("penwidth=" + inches(std::min(4.0, 1.0 + std::log2(static_cast<double>(e.count)) / 2)));
    if (!attrs.empty()) {
      out << " [";
      for (size_t i = 0; i < attrs.size(); ++i) out << (i ? ", " : "") << attrs[i];
      out << "]";
    }
    out << ";\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace chunkscope::viz
