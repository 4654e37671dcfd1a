// visible_graph: the nodes, edges and clusters one ViewState shows.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "chunkscope/viz/format.hpp"
#include "chunkscope/viz/palette.hpp"
#include "chunkscope/viz/view.hpp"
#include "labels.hpp"

namespace chunkscope::viz {
namespace {

using detail::Aggregate;

// A transpose moves no data between chunks: its chunk shape is its input's with the axes permuted.
bool transpose_edge(const Model& m, int in, int out) {
  const LayerStats& a = m.layers()[static_cast<size_t>(in)];
  const LayerStats& b = m.layers()[static_cast<size_t>(out)];
  if (b.op != "transpose" || a.chunk_shape.size() != b.chunk_shape.size()) return false;
  return std::is_permutation(a.chunk_shape.begin(), a.chunk_shape.end(), b.chunk_shape.begin());
}

bool rechunk_edge(const Model& m, int in, int out) {
  const LayerStats& a = m.layers()[static_cast<size_t>(in)];
  const LayerStats& b = m.layers()[static_cast<size_t>(out)];
  if (transpose_edge(m, in, out)) return false;  // drawn as an ordinary edge, labelled "transpose"
  if (m.trace().layers[static_cast<size_t>(out)].kind == "rechunk") return a.chunk_shape != b.chunk_shape;
  return a.chunk_shape.size() == b.chunk_shape.size() && a.chunk_shape != b.chunk_shape;
}

int fan_in_of(const Model& m, int in, int out) {
  for (const EdgeFanIn& f : m.fan_in(out))
    if (f.input == in) return f.fan_in;
  return 0;
}

std::string fan_in_text(int fan_in) { return fan_in >= kFanInLabel ? "fan-in " + fmt_count(fan_in) : ""; }

std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : b.empty() ? a : a + " · " + b; }

// Builds the graph step by step; node/edge/cluster bookkeeping in one place.
class Builder {
 public:
  Builder(const Model& m, const ViewState& v) : m_(m), v_(v), search_(detail::lower(v.search)) {}

  VisibleGraph build(std::int64_t max_task_nodes);

 private:
  int add_node(VNode n) {
    g_.nodes.push_back(std::move(n));
    return static_cast<int>(g_.nodes.size()) - 1;
  }
  std::string cluster_of_group(int grp);  // creates clusters of open groups on first use
  void add_edge(int from, int to, const std::string& label, int fan_in, bool rechunk);
  bool matches(const LayerStats& s) const {
    return !search_.empty() && (detail::lower(s.id).find(search_) != std::string::npos ||
                                detail::lower(s.name).find(search_) != std::string::npos ||
                                detail::lower(s.op).find(search_) != std::string::npos);
  }
  void finish_values();

  const Model& m_;
  const ViewState& v_;
  std::string search_;
  VisibleGraph g_;
  std::vector<std::string> cluster_key_;  // per group, once created
  std::map<std::pair<int, int>, int> edge_index_;
  std::vector<std::string> edge_labels_;             // first label of each edge, to detect differing merges
  std::unordered_map<size_t, Aggregate> group_agg_;  // per group node index
};

std::string Builder::cluster_of_group(int grp) {
  if (grp <= 0) return "";
  auto& key = cluster_key_[static_cast<size_t>(grp)];
  if (key.empty()) {
    const GroupNode& gn = m_.groups()[static_cast<size_t>(grp)];
    const std::string parent = cluster_of_group(gn.parent);
    key = "cluster_g:" + detail::encode_key(gn.path);
    g_.clusters.push_back({key, detail::clean_utf8(gn.name), parent});
  }
  return key;
}

void Builder::add_edge(int from, int to, const std::string& label, int fan_in, bool rechunk) {
  if (from < 0 || to < 0 || from == to) return;
  const auto [it, fresh] = edge_index_.try_emplace({from, to}, static_cast<int>(g_.edges.size()));
  if (fresh) {
    g_.edges.push_back(
        {g_.nodes[static_cast<size_t>(from)].key, g_.nodes[static_cast<size_t>(to)].key, label, fan_in, rechunk, 1});
    edge_labels_.push_back(label);
    return;
  }
  VEdge& e = g_.edges[static_cast<size_t>(it->second)];
  ++e.count;
  e.fan_in = std::max(e.fan_in, fan_in);
  e.rechunk = e.rechunk || rechunk;
  if (label != edge_labels_[static_cast<size_t>(it->second)]) e.label = fan_in_text(e.fan_in);
}

VisibleGraph Builder::build(std::int64_t max_task_nodes) {
  const auto& groups = m_.groups();
  const auto& layers = m_.layers();
  const size_t ng = groups.size(), nl = layers.size();
  cluster_key_.assign(ng, "");
  // A group is open when it and all its ancestors are expanded (parents come before children).
  std::vector<char> open(ng, 0);
  std::vector<int> rep(ng, -1);  // the collapsed group standing for a closed group
  open[0] = 1;
  for (size_t k = 1; k < ng; ++k) {
    const int p = groups[k].parent;
    open[k] = open[static_cast<size_t>(p)] && v_.expanded_groups.count(groups[k].path);
    rep[k] = open[k] ? -1 : open[static_cast<size_t>(p)] ? static_cast<int>(k) : rep[static_cast<size_t>(p)];
  }
  std::vector<int> group_node(ng, -1), layer_node(nl, -1);
  std::vector<Aggregate> agg(ng);
  std::vector<char> shows_tasks(nl, 0);
  std::unordered_map<std::int64_t, int> task_node;
  std::int64_t budget = std::max<std::int64_t>(0, max_task_nodes);

  for (size_t l = 0; l < nl; ++l) {
    const LayerStats& s = layers[l];
    const int grp = m_.group_of_layer(static_cast<int>(l));
    if (!open[static_cast<size_t>(grp)]) {  // inside a collapsed group
      const int r = rep[static_cast<size_t>(grp)];
      agg[static_cast<size_t>(r)].add(s);
      if (group_node[static_cast<size_t>(r)] < 0) {
        VNode n;
        n.kind = VNode::Kind::Group;
        n.key = "g:" + detail::encode_key(groups[static_cast<size_t>(r)].path);
        n.cluster = groups[static_cast<size_t>(r)].parent > 0
                        ? detail::encode_key(groups[static_cast<size_t>(groups[static_cast<size_t>(r)].parent)].path)
                        : "";
        cluster_of_group(groups[static_cast<size_t>(r)].parent);
        n.group = r;
        n.selected = v_.selected == "group:" + groups[static_cast<size_t>(r)].path;
        n.matched =
            !search_.empty() && detail::lower(groups[static_cast<size_t>(r)].name).find(search_) != std::string::npos;
        group_node[static_cast<size_t>(r)] = add_node(std::move(n));
      }
      VNode& n = g_.nodes[static_cast<size_t>(group_node[static_cast<size_t>(r)])];
      n.matched = n.matched || matches(s);
      layer_node[l] = group_node[static_cast<size_t>(r)];
      continue;
    }
    const std::string cluster = cluster_of_group(grp);
    const std::string path = detail::encode_key(groups[static_cast<size_t>(grp)].path);
    if (!v_.expanded_layers.count(s.id)) {
      VNode n;
      n.kind = VNode::Kind::Layer;
      n.key = "l:" + detail::encode_key(s.id);
      n.cluster = path;
      n.label = detail::layer_label(s);
      n.layer = static_cast<int>(l);
      n.selected = v_.selected == s.id;
      n.matched = matches(s);
      n.tasks = s.tasks, n.busy_ns = s.busy_ns, n.bytes = s.bytes_out, n.peak_bytes = s.peak_held_bytes;
      layer_node[l] = add_node(std::move(n));
      continue;
    }
    // An expanded layer: a cluster with its tasks, or one heat-map node.
    const std::string lkey = "cluster_l:" + detail::encode_key(s.id);
    g_.clusters.push_back({lkey, detail::clean_utf8(s.id), cluster});
    const auto& ids = m_.layer_tasks(static_cast<int>(l));
    const std::string inner = "layer:" + detail::encode_key(s.id);
    if (static_cast<std::int64_t>(ids.size()) <= budget) {
      budget -= static_cast<std::int64_t>(ids.size());
      shows_tasks[l] = 1;
      for (auto t : ids) {
        VNode n;
        n.kind = VNode::Kind::Task;
        n.key = "t:" + std::to_string(t);
        n.cluster = inner;
        n.label = detail::task_label(m_, t);
        n.layer = static_cast<int>(l);
        n.task = t;
        n.selected = v_.selected == "task:" + std::to_string(t);
        n.tasks = 1, n.busy_ns = m_.trace().tasks.duration(t), n.bytes = m_.trace().tasks.bytes[t];
        task_node[t] = add_node(std::move(n));
      }
    } else {
      VNode n;
      n.kind = VNode::Kind::Heatmap;
      n.key = "h:" + detail::encode_key(s.id);
      n.cluster = inner;
      n.label = detail::heatmap_label(s);
      n.layer = static_cast<int>(l);
      n.selected = v_.selected == s.id;
      n.matched = matches(s);
      n.tasks = s.tasks, n.busy_ns = s.busy_ns, n.bytes = s.bytes_out, n.peak_bytes = s.peak_held_bytes;
      layer_node[l] = add_node(std::move(n));
    }
  }
  // What enters and leaves each collapsed group: the arrays (shape [chunk shape]) read from outside
  // it, and those of its layers read outside it or by nothing (its results).
  std::map<int, std::vector<std::string>> entering, leaving;
  {
    std::vector<int> read_outside(nl, 0), read_at_all(nl, 0);
    for (size_t l = 0; l < nl; ++l)
      for (int in : m_.layer_inputs(static_cast<int>(l))) {
        read_at_all[static_cast<size_t>(in)] = 1;
        if (layer_node[static_cast<size_t>(in)] != layer_node[l]) read_outside[static_cast<size_t>(in)] = 1;
      }
    auto array_text = [&](size_t l) { return layers[l].shape_text + " [" + layers[l].chunk_shape_text + "]"; };
    auto add_unique = [](std::vector<std::string>& v, const std::string& t) {
      if (std::find(v.begin(), v.end(), t) == v.end()) v.push_back(t);
    };
    for (size_t l = 0; l < nl; ++l) {
      const int node = layer_node[l];
      if (node < 0 || g_.nodes[static_cast<size_t>(node)].kind != VNode::Kind::Group) continue;
      for (int in : m_.layer_inputs(static_cast<int>(l)))
        if (layer_node[static_cast<size_t>(in)] != node)
          add_unique(entering[node], array_text(static_cast<size_t>(in)));
      if (read_outside[l] || !read_at_all[l]) add_unique(leaving[node], array_text(l));
    }
  }
  auto list_text = [](const std::vector<std::string>& v) {
    return v.empty()       ? std::string("-")
           : v.size() == 1 ? v[0]
                           : v[0] + " +" + fmt_count(static_cast<std::int64_t>(v.size() - 1));
  };
  for (size_t k = 0; k < ng; ++k) {
    if (group_node[k] < 0) continue;
    VNode& n = g_.nodes[static_cast<size_t>(group_node[k])];
    n.label = detail::group_label(groups[k].name, agg[k], m_.busy_ns());
    const int node = group_node[k];
    if (entering.count(node) || leaving.count(node)) {
      const std::string in = entering.count(node) ? list_text(entering[node]) : "", out = list_text(leaving[node]);
      // The same array in and out (an elementwise group): said once.
      const std::string line = in.empty() ? "out " + out : in == out ? "in → out " + out : "in " + in + " → out " + out;
      n.label.insert(n.label.begin() + 1, detail::clean_utf8(line));
    }
    n.tasks = agg[k].tasks, n.busy_ns = agg[k].busy_ns, n.bytes = agg[k].bytes, n.peak_bytes = agg[k].peak_bytes;
    group_agg_[static_cast<size_t>(group_node[k])] = agg[k];
  }

  // Edges: layer -> layer (merged between collapsed groups), and task-level edges where tasks show.
  const TraceTasks& c = m_.trace().tasks;
  for (size_t l = 0; l < nl; ++l) {
    for (int in : m_.layer_inputs(static_cast<int>(l))) {
      if (shows_tasks[l]) continue;  // drawn from the tasks' dependencies below
      const int to = layer_node[l];
      const int fan = fan_in_of(m_, in, static_cast<int>(l));
      if (shows_tasks[static_cast<size_t>(in)]) {
        for (auto t : m_.layer_tasks(in))
          if (c.stage[t] == 0) add_edge(task_node[t], to, "", fan, false);
        continue;
      }
      const bool re = rechunk_edge(m_, in, static_cast<int>(l));
      const bool tr = !re && transpose_edge(m_, in, static_cast<int>(l)) &&
                      layers[static_cast<size_t>(in)].chunk_shape != layers[l].chunk_shape;
      const std::string change =
          re ? format_shape(layers[static_cast<size_t>(in)].chunk_shape) + " → " + format_shape(layers[l].chunk_shape)
          : tr ? "transpose " + format_shape(layers[static_cast<size_t>(in)].chunk_shape) + " → " +
                     format_shape(layers[l].chunk_shape) + " (no data moved)"
               : "";
      add_edge(layer_node[static_cast<size_t>(in)], to, join(change, fan_in_text(fan)), fan, re);
    }
    if (!shows_tasks[l]) continue;
    for (auto t : m_.layer_tasks(static_cast<int>(l)))
      for (auto e = c.dep_offsets[t]; e < c.dep_offsets[t + 1]; ++e) {
        const auto d = c.dep_index[static_cast<size_t>(e)];
        const auto dl = static_cast<size_t>(c.layer[d]);
        add_edge(shows_tasks[dl] ? task_node[d] : layer_node[dl], task_node[t], "", 1, false);
      }
  }

  // Findings: severity and badge per visible node (a finding counts once per node).
  for (const Finding& f : m_.findings()) {
    std::vector<int> seen;
    for (const auto& id : f.layers) {
      const int l = m_.find_layer(id);
      if (l < 0 || layer_node[static_cast<size_t>(l)] < 0) continue;
      const int node = layer_node[static_cast<size_t>(l)];
      if (std::find(seen.begin(), seen.end(), node) != seen.end()) continue;
      seen.push_back(node);
      VNode& n = g_.nodes[static_cast<size_t>(node)];
      n.severity = std::max(n.severity, static_cast<int>(f.severity));
      ++n.badge;
    }
  }
  finish_values();
  return std::move(g_);
}

// Colour-by values: raw metrics normalised by the largest among visible nodes of the same kind
// (tasks apart from layers and groups), then the palette.
void Builder::finish_values() {
  const ColorBy mode = v_.color_by;
  std::vector<double> raw(g_.nodes.size(), 0.0);
  double max_layer = 0, max_task = 0;
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    const VNode& n = g_.nodes[i];
    if (n.kind == VNode::Kind::Task) {
      raw[i] = detail::task_metric(m_, n.task, mode);
      max_task = std::max(max_task, raw[i]);
    } else if (n.kind == VNode::Kind::Group) {
      raw[i] = mode == ColorBy::Findings ? (n.severity + 1) / 3.0 : detail::group_metric(group_agg_[i], mode);
      max_layer = std::max(max_layer, raw[i]);
    } else {
      raw[i] = detail::layer_metric(m_.layers()[static_cast<size_t>(n.layer)], mode);
      max_layer = std::max(max_layer, raw[i]);
    }
  }
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    VNode& n = g_.nodes[i];
    const double mx = n.kind == VNode::Kind::Task ? max_task : max_layer;
    n.value = detail::absolute_mode(mode) ? raw[i] : mx > 0 ? raw[i] / mx : 0.0;
    int worker = n.kind == VNode::Kind::Task ? m_.trace().tasks.worker[n.task]
                 : n.layer >= 0              ? m_.layers()[static_cast<size_t>(n.layer)].main_worker
                                             : -1;
    if (n.kind == VNode::Kind::Group) worker = group_agg_[i].main_worker;
    n.fill = mode == ColorBy::Worker ? worker_color(worker) : value_color(n.value);
  }
}

}  // namespace

VisibleGraph visible_graph(const Model& m, const ViewState& v, std::int64_t max_task_nodes) {
  return Builder(m, v).build(max_task_nodes);
}

}  // namespace chunkscope::viz
