#include "import_tasks.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <set>

namespace chunkscope::detail {
namespace {

bool is_token(const std::string& w) {  // a hash-like word of a Dask name: hex, or holding digits
  if (w.empty()) return true;
  if (w.size() >= 8 && std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isxdigit(c); })) return true;
  return std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// "add-3a8f9c" -> "add"; "random_sample-abc12345" -> "random_sample"; "rechunk-merge-77aa" -> "rechunk-merge".
std::string prefix_of(const std::string& id) {
  std::string out;
  size_t pos = 0;
  while (pos <= id.size()) {
    const size_t dash = std::min(id.find('-', pos), id.size());
    const std::string word = id.substr(pos, dash - pos);
    if (!out.empty() && is_token(word)) break;
    if (out.empty() && word.empty()) break;
    out += (out.empty() ? "" : "-") + word;
    if (out.size() == id.size() || dash == id.size()) break;
    pos = dash + 1;
  }
  return out.empty() ? id : out;
}

}  // namespace

void split_task_name(const std::string& raw, std::string& layer_id, std::string& layer_name,
                     std::vector<std::int64_t>& index) {
  index.clear();
  std::string s = raw;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  layer_id = s;
  if (s.size() > 2 && s.front() == '(' && s.back() == ')' && (s[1] == '\'' || s[1] == '"')) {
    const char q = s[1];
    const size_t close = s.find(q, 2);
    if (close != std::string::npos) {
      layer_id = s.substr(2, close - 2);
      std::string rest = s.substr(close + 1, s.size() - close - 2);  // ", 2, 0"
      std::vector<std::int64_t> idx;
      bool ok = true;
      size_t p = 0;
      while (p < rest.size() && ok) {
        while (p < rest.size() && (rest[p] == ',' || std::isspace(static_cast<unsigned char>(rest[p])))) ++p;
        if (p >= rest.size()) break;
        size_t e = p;
        while (e < rest.size() && std::isdigit(static_cast<unsigned char>(rest[e]))) ++e;
        if (e == p || e - p > 15)
          ok = false;
        else
          idx.push_back(std::stoll(rest.substr(p, e - p)));
        p = e;
      }
      if (ok) index = std::move(idx);
    }
  }
  layer_name = prefix_of(layer_id);
}

Trace build_imported_trace(std::vector<ImportedTask> tasks, const std::vector<std::string>& worker_names,
                           const std::string& executor, const std::string& source) {
  const auto n = static_cast<std::int64_t>(tasks.size());
  std::vector<std::int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return tasks[a].start_ns != tasks[b].start_ns ? tasks[a].start_ns < tasks[b].start_ns
                                                  : tasks[a].end_ns < tasks[b].end_ns;
  });
  std::vector<std::int64_t> new_id(static_cast<size_t>(n));
  for (std::int64_t k = 0; k < n; ++k) new_id[order[k]] = k;
  std::int64_t t0 = n ? tasks[order[0]].start_ns : 0, t1 = t0;
  for (const auto& t : tasks) t1 = std::max(t1, t.end_ns);

  Trace tr;
  std::map<std::string, int> layer_of;
  std::vector<std::vector<std::int64_t>> grid;  // per layer: chunk counts per axis (empty when unknown)
  std::vector<bool> grid_ok;
  for (const auto k : order) {
    const ImportedTask& t = tasks[k];
    auto [it, added] = layer_of.emplace(t.layer_id, static_cast<int>(tr.layers.size()));
    if (added) {
      TraceLayer l;
      l.id = t.layer_id;
      l.name = t.layer_name.empty() ? t.layer_id : t.layer_name;
      l.op = t.op.empty() ? l.name : t.op;
      l.kind = "task";
      l.dtype = "unknown";
      l.params = {{"unknown_chunks", true}, {"imported", true}};
      tr.layers.push_back(std::move(l));
      grid.emplace_back(t.index.size(), 0);
      grid_ok.push_back(true);
    }
    const int li = it->second;
    tr.layers[li].tasks += 1;
    if (t.index.size() != grid[li].size())
      grid_ok[li] = false;
    else
      for (size_t a = 0; a < t.index.size(); ++a) grid[li][a] = std::max(grid[li][a], t.index[a] + 1);
  }
  std::vector<std::set<int>> inputs(tr.layers.size());
  std::vector<std::int64_t> seen(tr.layers.size(), 0);
  TraceTasks& c = tr.tasks;
  for (const auto k : order) {
    const ImportedTask& t = tasks[k];
    const int li = layer_of[t.layer_id];
    std::int64_t chunk = seen[li]++;
    if (grid_ok[li] && !t.index.empty()) {
      std::int64_t flat = 0;
      for (size_t a = 0; a < t.index.size(); ++a) flat = flat * grid[li][a] + t.index[a];
      if (flat < n) chunk = flat;
    }
    c.layer.push_back(li);
    c.stage.push_back(1);
    c.chunk.push_back(chunk);
    c.worker.push_back(t.worker);
    c.start_ns.push_back(t.start_ns - t0);
    c.end_ns.push_back(std::max(t.end_ns, t.start_ns) - t0);
    c.bytes.push_back(std::max<std::int64_t>(0, t.bytes));
    c.status.push_back(static_cast<std::uint8_t>(t.failed ? TaskStatus::Failed : TaskStatus::Done));
    c.fused.push_back(0);
    std::vector<std::int64_t> deps;
    for (const auto d : t.deps)
      if (d >= 0 && d < n && new_id[d] < new_id[k] && tasks[d].end_ns <= t.start_ns) {
        deps.push_back(new_id[d]);
        const int ld = layer_of[tasks[d].layer_id];
        if (ld < li) inputs[li].insert(ld);
      }
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    c.dep_index.insert(c.dep_index.end(), deps.begin(), deps.end());
    c.dep_offsets.push_back(static_cast<std::int64_t>(c.dep_index.size()));
  }
  for (size_t li = 0; li < tr.layers.size(); ++li) {
    for (const int in : inputs[li]) tr.layers[li].inputs.push_back(tr.layers[in].id);
    if (grid_ok[li] && !grid[li].empty()) tr.layers[li].params["chunk_grid"] = grid[li];
  }
  int max_worker = -1;
  for (const auto w : c.worker) max_worker = std::max(max_worker, w);
  tr.meta.executor = executor;
  tr.meta.pipeline = source;
  tr.meta.threads = std::max(1, max_worker + 1);
  tr.meta.wall_ns = t1 - t0;
  tr.meta.status = std::find(c.status.begin(), c.status.end(), 2) != c.status.end() ? "failed" : "ok";
  if (tr.meta.status == "failed") tr.meta.error = "imported: some tasks failed";
  tr.meta.extra["workers"] = worker_names;
  tr.memory.t_ns = {0};
  tr.memory.live_bytes = {0};
  return tr;
}

}  // namespace chunkscope::detail
