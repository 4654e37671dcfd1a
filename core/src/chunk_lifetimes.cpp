// chunk_lifetimes: when each task's output is freed (its last reader's end) and where it is held.
#include "chunkscope/core/chunk_lifetimes.hpp"

#include <algorithm>
#include <string>

namespace chunkscope {
namespace {

bool ran(std::uint8_t status) {
  return status == static_cast<std::uint8_t>(TaskStatus::Done) ||
         status == static_cast<std::uint8_t>(TaskStatus::Failed);
}

bool gpu_name(const std::string& d) { return !d.empty() && d != "host" && d != "cpu"; }

}  // namespace

ChunkLifetimes chunk_lifetimes(const Trace& t) {
  const TraceTasks& k = t.tasks;
  const auto n = static_cast<size_t>(k.size());
  ChunkLifetimes life;
  life.release_ns.assign(n, -1);
  life.on_host.assign(n, 1);
  std::int64_t wall = t.meta.wall_ns;
  std::vector<std::int64_t> last_use(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (!ran(k.status[i])) continue;
    wall = std::max(wall, k.end_ns[i]);
    for (auto e = k.dep_offsets[i]; e < k.dep_offsets[i + 1]; ++e) {
      const auto d = static_cast<size_t>(k.dep_index[static_cast<size_t>(e)]);
      last_use[d] = std::max(last_use[d], k.end_ns[i]);
    }
  }
  std::vector<std::uint8_t> layer_on_device(t.layers.size(), 0);
  for (size_t l = 0; l < t.layers.size(); ++l) {
    const auto& p = t.layers[l].params;
    const auto d = p.find("device");
    layer_on_device[l] = d != p.end() && d->is_string() && gpu_name(d->get<std::string>());
  }
  for (size_t i = 0; i < n; ++i) {
    if (!ran(k.status[i])) continue;
    life.release_ns[i] = last_use[i] >= 0 ? last_use[i] : std::max(k.end_ns[i], wall);
    const auto l = static_cast<size_t>(k.layer[i]);
    if ((l < layer_on_device.size() && layer_on_device[l]) ||
        (k.worker[i] >= 0 && gpu_name(t.meta.worker_device(k.worker[i]))))
      life.on_host[i] = 0;
  }
  return life;
}

std::vector<std::int64_t> host_bytes_held_at(const Trace& t, const ChunkLifetimes& life, std::int64_t t_ns) {
  std::vector<std::int64_t> held(t.layers.size(), 0);
  const TraceTasks& k = t.tasks;
  for (std::int64_t i = 0; i < k.size(); ++i) {
    const auto l = static_cast<size_t>(k.layer[i]);
    if (k.bytes[i] > 0 && life.on_host[static_cast<size_t>(i)] && l < held.size() && life.held_at(t, i, t_ns))
      held[l] += k.bytes[i];
  }
  return held;
}

}  // namespace chunkscope
