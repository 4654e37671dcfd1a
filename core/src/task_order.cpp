#include "chunkscope/core/task_order.hpp"

#include <algorithm>
#include <utility>

namespace chunkscope {

std::vector<std::int64_t> memory_aware_priorities(const TaskGraph& tg) {
  const std::int64_t n = tg.size();
  std::vector<std::int64_t> prio(static_cast<size_t>(n), -1);
  std::int64_t next = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> stack;  // (task, next dep position)
  for (std::int64_t root = n - 1; root >= 0; --root) {
    if (!tg.dependents(root).empty() || prio[root] >= 0) continue;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      auto& [t, pos] = stack.back();
      const auto deps = tg.deps(t);
      if (pos < static_cast<std::int64_t>(deps.size())) {
        const std::int64_t d = deps[pos++];
        if (prio[d] < 0) {
          prio[d] = -2;  // on the stack
          stack.push_back({d, 0});
        }
        continue;
      }
      prio[t] = next++;
      stack.pop_back();
    }
  }
  // Roots were visited from the last task backwards; earlier outputs need not go first: ties are
  // broken by task id in the executors' ready queues.
  for (auto& p : prio)
    if (p < 0) p = next++;
  return prio;
}

std::vector<std::int64_t> consume_needs(const TaskGraph& tg, const std::vector<std::int64_t>& out,
                                        const std::vector<std::uint8_t>& keep) {
  const std::int64_t n = tg.size();
  std::vector<std::int64_t> need(static_cast<size_t>(n), 0);
  for (std::int64_t u = n - 1; u >= 0; --u) {
    bool frees = false;
    for (auto d : tg.deps(u))
      if (tg.dependents(d).size() == 1 && !keep[d] && out[d] > 0) frees = true;
    const std::int64_t via = out[u] + (frees ? 0 : need[u]);
    for (auto d : tg.deps(u)) need[d] = std::max(need[d], via);
  }
  return need;
}

}  // namespace chunkscope
