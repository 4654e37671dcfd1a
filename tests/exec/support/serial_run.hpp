#pragma once
// Test support: runs every task of a Graph serially in task order (a topological order by
// construction), keeping all buffers, and assembles any layer's stage-0 chunks into one C-order
// array. The oracle that executors are compared against; also lets kernel tests run pipelines.
#include <cstring>
#include <string>
#include <vector>

#include "chunkscope/core/pipeline.hpp"
#include "chunkscope/exec/kernel.hpp"
#include "chunkscope/exec/pipeline_file.hpp"

namespace chunkscope::test {

struct SerialRun {
  const Graph* graph = nullptr;
  std::vector<Buffer> buffers;  ///< one per task

  /// Runs all tasks; throws what a kernel throws.
  explicit SerialRun(const Graph& g) : graph(&g), buffers(static_cast<size_t>(g.tasks().size())) {
    std::vector<std::shared_ptr<const void>> states(g.layers().size());
    for (int l = 0; l < static_cast<int>(g.layers().size()); ++l) {
      const KernelInfo& k = kernel_for(g.layer(l));
      if (k.prepare) states[l] = k.prepare(g, l);
    }
    const TaskGraph& tg = g.tasks();
    std::vector<const Buffer*> ins;
    for (std::int64_t t = 0; t < tg.size(); ++t) {
      const TaskKey key = tg.key(t);
      const Layer& layer = g.layer(key.layer);
      const KernelInfo& k = kernel_for(layer);
      ins.clear();
      for (auto d : tg.deps(t)) ins.push_back(&buffers[d]);
      buffers[t] = Buffer(k.output_bytes(g, key.layer, key, states[key.layer].get()));
      KernelContext ctx{g, key.layer, layer, key, ins, buffers[t], states[key.layer].get()};
      k.run(ctx);
    }
  }

  /// The whole array of layer `id` (C order), as a vector of T.
  template <class T>
  std::vector<T> array(const std::string& id) const {
    const int l = graph->find_layer(id);
    if (l < 0) throw std::runtime_error("no layer " + id);
    const ArrayMeta& m = graph->layer(l).meta;
    std::vector<T> out(static_cast<size_t>(m.size()));
    const int nd = m.ndim();
    Shape strides(nd, 1);
    for (int a = nd - 2; a >= 0; --a) strides[a] = strides[a + 1] * m.shape[a + 1];
    for (std::int64_t c = 0; c < m.num_chunks(); ++c) {
      const Buffer& b = buffers[graph->tasks().output_task(l, c)];
      const Shape off = m.chunk_offset(c), ext = m.chunk_shape(c);
      std::int64_t n = 1;
      for (auto e : ext) n *= e;
      Shape idx(nd, 0);
      for (std::int64_t i = 0; i < n; ++i) {
        std::int64_t g = 0;
        for (int a = 0; a < nd; ++a) g += (off[a] + idx[a]) * strides[a];
        std::memcpy(&out[g], b.data() + i * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
        for (int a = nd - 1; a >= 0; --a) {
          if (++idx[a] < ext[a]) break;
          idx[a] = 0;
        }
      }
    }
    return out;
  }
};

/// Parses inline pipeline JSON (relative paths against `base_dir`), failing the test on errors.
inline Graph parse_or_throw(const std::string& json_text, const std::string& base_dir = ".") {
  PipelineOptions o;
  o.probe_source = probe_source_file;
  auto g = parse_pipeline_text(json_text, "test.json", base_dir, o);
  if (!g) throw std::runtime_error(g.error());
  return std::move(g).value();
}

}  // namespace chunkscope::test
