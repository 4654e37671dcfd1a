#pragma once
// Builds synthetic traces for the analysis tests: layers by hand, tasks scheduled on a fixed
// number of workers (each task starts when its inputs are done and a worker is free, plus a
// dispatch gap), and the exact live-memory timeline derived from the tasks (an output lives from
// its task's start to its last consumer's end), as chunkscope's executor records it.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/trace.hpp"

namespace chunkscope::testing {

class TraceBuilder {
 public:
  explicit TraceBuilder(int workers = 4, std::int64_t gap_ns = 1000, std::string executor = "cpu")
      : free_(workers, 0), gap_(gap_ns) {
    t_.meta.executor = std::move(executor);
    t_.meta.threads = workers;
    t_.meta.pipeline = "synthetic";
  }

  /// Adds a layer; `chunk` is a regular chunk size per axis (the last chunk smaller), or use
  /// layer_chunks for explicit chunks.
  int layer(const std::string& id, const std::string& op, const std::string& kind, std::vector<std::string> inputs,
            Shape shape, Shape chunk, const std::string& dtype = "float64",
            nlohmann::json params = nlohmann::json::object()) {
    Chunks c;
    for (size_t a = 0; a < shape.size(); ++a) {
      std::vector<std::int64_t> s;
      const std::int64_t size = a < chunk.size() && chunk[a] > 0 ? chunk[a] : shape[a];
      for (std::int64_t x = 0; x < shape[a]; x += size) s.push_back(std::min(size, shape[a] - x));
      c.push_back(s);
    }
    return layer_chunks(id, op, kind, std::move(inputs), std::move(shape), std::move(c), dtype, std::move(params));
  }
  int layer_chunks(const std::string& id, const std::string& op, const std::string& kind,
                   std::vector<std::string> inputs, Shape shape, Chunks chunks, const std::string& dtype = "float64",
                   nlohmann::json params = nlohmann::json::object()) {
    TraceLayer l;
    l.id = l.name = id;
    l.op = op;
    l.kind = kind;
    l.inputs = std::move(inputs);
    l.shape = std::move(shape);
    l.chunks = std::move(chunks);
    l.dtype = dtype;
    l.params = std::move(params);
    t_.layers.push_back(std::move(l));
    return static_cast<int>(t_.layers.size()) - 1;
  }
  TraceLayer& at(int l) { return t_.layers[l]; }

  /// Schedules one task (after its deps, on the earliest free worker) and returns its id.
  std::int64_t task(int layer, std::int64_t chunk, std::int64_t dur_ns, std::int64_t bytes,
                    const std::vector<std::int64_t>& deps = {}, int stage = 0, bool fused = false) {
    TraceTasks& c = t_.tasks;
    std::int64_t ready = 0;
    for (auto d : deps) ready = std::max(ready, c.end_ns[d]);
    size_t w = 0;
    for (size_t k = 1; k < free_.size(); ++k)
      if (std::max(free_[k], ready) < std::max(free_[w], ready)) w = k;
    const std::int64_t start = std::max(free_[w], ready) + (fused ? 0 : gap_);
    c.layer.push_back(layer);
    c.stage.push_back(stage);
    c.chunk.push_back(chunk);
    c.worker.push_back(static_cast<std::int32_t>(w));
    c.start_ns.push_back(start);
    c.end_ns.push_back(start + dur_ns);
    c.bytes.push_back(bytes);
    c.status.push_back(1);
    c.fused.push_back(fused ? 1 : 0);
    for (auto d : deps) c.dep_index.push_back(d);
    c.dep_offsets.push_back(static_cast<std::int64_t>(c.dep_index.size()));
    free_[w] = start + dur_ns;
    return c.size() - 1;
  }
  /// One task per chunk of `layer`, each reading dep_of(chunk) (may be empty).
  template <class DepOf>
  std::vector<std::int64_t> per_chunk(int layer, std::int64_t dur_ns, std::int64_t bytes, DepOf dep_of,
                                      bool fused = false) {
    std::vector<std::int64_t> ids;
    const std::int64_t n = t_.layers[layer].meta().num_chunks();
    for (std::int64_t k = 0; k < n; ++k) ids.push_back(task(layer, k, dur_ns, bytes, dep_of(k), 0, fused));
    return ids;
  }
  /// A reduction tree over `partials` (stage-1 tasks already made): groups of `fan_in` per level,
  /// then one stage-0 output task. Returns the output task.
  std::int64_t tree(int layer, std::vector<std::int64_t> partials, int fan_in, std::int64_t dur_ns,
                    std::int64_t bytes) {
    int stage = 2;
    while (static_cast<int>(partials.size()) > fan_in) {
      std::vector<std::int64_t> next;
      for (size_t i = 0; i < partials.size(); i += static_cast<size_t>(fan_in)) {
        std::vector<std::int64_t> g(
            partials.begin() + static_cast<std::ptrdiff_t>(i),
            partials.begin() + static_cast<std::ptrdiff_t>(std::min(partials.size(), i + static_cast<size_t>(fan_in))));
        next.push_back(task(layer, static_cast<std::int64_t>(next.size()), dur_ns, bytes, g, stage));
      }
      partials = std::move(next);
      ++stage;
    }
    return task(layer, 0, dur_ns, bytes, partials, 0);
  }
  void set_limit(std::int64_t bytes) {
    t_.meta.memory_limit = bytes;
    t_.memory.limit_bytes = bytes;
  }

  /// Finishes: task counts per layer, wall time, live-memory timeline.
  Trace done() {
    TraceTasks& c = t_.tasks;
    for (auto& l : t_.layers) l.tasks = 0;
    std::int64_t wall = 0;
    for (std::int64_t i = 0; i < c.size(); ++i) {
      ++t_.layers[c.layer[i]].tasks;
      wall = std::max(wall, c.end_ns[i]);
    }
    t_.meta.wall_ns = wall;
    std::vector<std::int64_t> last(static_cast<size_t>(c.size()), -1);
    for (std::int64_t i = 0; i < c.size(); ++i)
      for (auto e = c.dep_offsets[i]; e < c.dep_offsets[i + 1]; ++e)
        last[c.dep_index[e]] = std::max(last[c.dep_index[e]], c.end_ns[i]);
    struct Ev {
      std::int64_t t, d;
      int layer;
    };
    std::vector<Ev> ev;
    for (std::int64_t i = 0; i < c.size(); ++i) {
      ev.push_back({c.start_ns[i], c.bytes[i], c.layer[i]});
      ev.push_back({last[i] >= 0 ? last[i] : wall, -c.bytes[i], c.layer[i]});
    }
    std::stable_sort(ev.begin(), ev.end(), [](const Ev& a, const Ev& b) { return a.t != b.t ? a.t < b.t : a.d < b.d; });
    MemorySeries& m = t_.memory;
    m.t_ns = {0};
    m.live_bytes = {0};
    std::int64_t live = 0;
    for (const Ev& e : ev) {
      live += e.d;
      if (live > m.peak_bytes) {
        m.peak_bytes = live;
        m.peak_t_ns = e.t;
        m.peak_layer = e.layer;
      }
      if (m.t_ns.back() == e.t)
        m.live_bytes.back() = live;
      else {
        m.t_ns.push_back(e.t);
        m.live_bytes.push_back(live);
      }
    }
    return t_;
  }

 private:
  Trace t_;
  std::vector<std::int64_t> free_;
  std::int64_t gap_;
};

inline std::vector<std::int64_t> none(std::int64_t) { return {}; }

/// A copy of the first finding of `rule` (findings are often temporaries), or nullopt.
inline std::optional<Finding> find_rule(const Findings& f, const std::string& rule) {
  for (const auto& x : f)
    if (x.rule == rule) return x;
  return std::nullopt;
}
/// Rule ids of the warning and critical findings.
inline std::vector<std::string> serious(const Findings& f) {
  std::vector<std::string> out;
  for (const auto& x : f)
    if (x.severity != Severity::Info) out.push_back(x.rule + " " + (x.layers.empty() ? "" : x.layers[0]));
  return out;
}

}  // namespace chunkscope::testing
