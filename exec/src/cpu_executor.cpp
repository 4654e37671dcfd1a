#include "chunkscope/exec/cpu_executor.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <queue>
#include <thread>

#include "chunkscope/core/task_order.hpp"
#include "chunkscope/core/units.hpp"
#include "chunkscope/exec/kernel.hpp"
#include "chunkscope/exec/run_plan.hpp"

namespace chunkscope {

namespace {

using Clock = std::chrono::steady_clock;

struct alignas(64) WorkerQueue {
  std::mutex mu;
  std::deque<std::int64_t> tasks;  // back = newest (owner pops back, thieves take front)
};

struct Run {
  const Graph& g;
  const TaskGraph& tg;
  const RunOptions& opt;
  ExecutionObserver* obs;
  int workers;
  Clock::time_point t0;

  const RunPlan plan;
  const std::vector<std::int64_t>& out_bytes = plan.out_bytes;
  const std::vector<std::int64_t>& prio = plan.prio;
  const std::vector<std::uint8_t>& keep = plan.keep;
  std::unique_ptr<std::atomic<std::int32_t>[]> pending;
  std::unique_ptr<std::atomic<std::int32_t>[]> uses;
  std::vector<Buffer> buffers;
  std::vector<std::uint8_t> status;  // TaskStatus, written by the worker that ran the task
  std::vector<std::uint8_t> live;    // 1 while the task's output bytes are accounted

  MemoryAccountant mem;
  // Under a memory limit, a task that frees none of its inputs (a source, or a consumer whose inputs
  // are still needed elsewhere) is admitted only if need[t] bytes stay free afterwards: what the
  // chain of its consumers allocates before one of them frees something (see consume_needs). Without
  // it, four workers could each load a source chunk and fill the limit with chunks none of which can
  // be consumed: a deadlock that depended on timing. Empty when there is no limit.
  std::vector<std::int64_t> need;
  std::vector<WorkerQueue> queues;
  std::mutex global_mu;
  std::priority_queue<std::pair<std::int64_t, std::int64_t>, std::vector<std::pair<std::int64_t, std::int64_t>>,
                      std::greater<>>
      global;  // (prio, task)
  std::mutex held_mu;
  std::vector<std::int64_t> held;
  std::atomic<std::int64_t> held_count{0};

  std::atomic<std::int64_t> queued{0};
  std::atomic<std::int64_t> done{0};
  std::atomic<int> running{0};
  std::atomic<bool> stop{false};
  std::mutex idle_mu;
  std::condition_variable idle_cv;
  std::atomic<int> idle{0};

  std::mutex err_mu;
  RunStop stopped;  // under err_mu

  Run(const Graph& graph, const RunOptions& o, int w, RunPlan p)
      : g(graph),
        tg(graph.tasks()),
        opt(o),
        obs(o.observer),
        workers(w),
        plan(std::move(p)),
        mem(o.memory_limit),
        queues(static_cast<size_t>(w)) {}

  std::int64_t now() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count(); }

  void push_local(int w, std::int64_t t) {
    {
      std::lock_guard<std::mutex> lk(queues[w].mu);
      queues[w].tasks.push_back(t);
    }
    queued.fetch_add(1, std::memory_order_release);
    if (idle.load(std::memory_order_acquire) > 0) idle_cv.notify_one();
  }

  // Next task for worker w: own newest, then steal the oldest of another, then the global queue.
  bool pop(int w, std::int64_t& t) {
    if (queued.load(std::memory_order_acquire) == 0) return false;
    {
      std::lock_guard<std::mutex> lk(queues[w].mu);
      if (!queues[w].tasks.empty()) {
        t = queues[w].tasks.back();
        queues[w].tasks.pop_back();
        queued.fetch_sub(1, std::memory_order_acq_rel);
        return true;
      }
    }
    for (int k = 1; k < workers; ++k) {
      WorkerQueue& q = queues[(w + k) % workers];
      std::lock_guard<std::mutex> lk(q.mu);
      if (!q.tasks.empty()) {
        t = q.tasks.front();
        q.tasks.pop_front();
        queued.fetch_sub(1, std::memory_order_acq_rel);
        return true;
      }
    }
    std::lock_guard<std::mutex> lk(global_mu);
    if (!global.empty()) {
      t = global.top().second;
      global.pop();
      queued.fetch_sub(1, std::memory_order_acq_rel);
      return true;
    }
    return false;
  }

  void fail(std::int64_t t, const std::string& what) {
    {
      std::lock_guard<std::mutex> lk(err_mu);
      stopped.fail(g, tg.key(t), what);
    }
    stop.store(true, std::memory_order_release);
    idle_cv.notify_all();
  }

  // The run was cancelled (the flag seen between tasks or inside a kernel): every worker stops.
  void cancel_run() {
    {
      std::lock_guard<std::mutex> lk(err_mu);
      stopped.cancelled = true;
    }
    stop.store(true, std::memory_order_release);
    idle_cv.notify_all();
  }

  // Moves the held tasks back to the global queue. They are counted as queued before they stop
  // being counted as held, so that a stall check never sees them nowhere.
  void release_held() {
    if (held_count.load(std::memory_order_acquire) == 0) return;
    std::lock_guard<std::mutex> lk(held_mu);
    if (held.empty()) return;
    {
      std::lock_guard<std::mutex> gk(global_mu);
      for (auto t : held) global.push({prio[t], t});
      queued.fetch_add(static_cast<std::int64_t>(held.size()), std::memory_order_release);
    }
    held.clear();
    held_count.store(0, std::memory_order_release);
    if (idle.load(std::memory_order_acquire) > 0) idle_cv.notify_all();
  }

  // Bytes that must stay free after task t is admitted (see need): none when t is the last user of
  // an input and so frees memory when it ends.
  std::int64_t headroom(std::int64_t t) const {
    if (need.empty()) return 0;
    for (auto d : tg.deps(t))
      if (!keep[d] && out_bytes[d] > 0 && uses[d].load(std::memory_order_acquire) == 1) return 0;
    return need[t];
  }

  // Runs task t on worker w (memory already reserved). Returns a ready dependent to continue
  // with, or -1.
  std::int64_t execute(int w, std::int64_t t, bool fused) {
    const TaskKey key = tg.key(t);
    const Layer& layer = g.layer(key.layer);
    const std::int64_t start = now();
    if (obs) obs->on_memory(w, {start, out_bytes[t], key.layer, 0});
    live[t] = 1;
    const auto deps = tg.deps(t);
    const Buffer* small[8];
    std::vector<const Buffer*> big;
    const Buffer** ins = small;
    if (deps.size() > 8) {
      big.resize(deps.size());
      ins = big.data();
    }
    for (size_t i = 0; i < deps.size(); ++i) ins[i] = &buffers[deps[i]];
    bool ok = true;
    bool allocated = false;
    TaskStatus st = TaskStatus::Done;
    try {
      buffers[t] = Buffer(out_bytes[t]);
      allocated = true;
      KernelContext ctx{g,
                        key.layer,
                        layer,
                        key,
                        std::span<const Buffer* const>(ins, deps.size()),
                        buffers[t],
                        plan.states[key.layer].get(),
                        opt.cancel};
      plan.kernels[key.layer]->run(ctx);
    } catch (const TaskCancelled&) {  // Ctrl-C inside a long task: the run ends cancelled, not failed
      ok = false;
      st = TaskStatus::Cancelled;
      cancel_run();
    } catch (const std::bad_alloc&) {
      ok = false;
      // The output buffer, or scratch space the kernel allocates itself (not counted in live bytes).
      if (!allocated)
        fail(t, "out of memory allocating its output of " + format_bytes(static_cast<double>(out_bytes[t])));
      else
        fail(t, "out of memory in the kernel (its scratch space, which live memory does not count)");
    } catch (const std::exception& e) {
      ok = false;
      fail(t, e.what());
    } catch (...) {
      ok = false;
      fail(t, "unknown error");
    }
    const std::int64_t end = now();
    if (!ok && st == TaskStatus::Done) st = TaskStatus::Failed;
    status[t] = static_cast<std::uint8_t>(st);
    if (obs) obs->on_task_end(w, {t, start, end, out_bytes[t], w, st, fused});
    if (!ok) {
      buffers[t].reset();
      live[t] = 0;
      mem.release(out_bytes[t]);
      if (obs) obs->on_memory(w, {end, -out_bytes[t], key.layer, 0});
      if (st != TaskStatus::Cancelled) done.fetch_add(1, std::memory_order_acq_rel);  // a cancelled task did not run
      return -1;
    }
    // Free inputs whose last use this was.
    bool freed = false;
    for (auto d : deps) {
      if (uses[d].fetch_sub(1, std::memory_order_acq_rel) == 1 && !keep[d]) {
        const std::int64_t b = out_bytes[d];
        buffers[d].reset();
        live[d] = 0;
        mem.release(b);
        freed = true;
        if (obs) obs->on_memory(w, {end, -b, tg.layer(d), 0});
      }
    }
    // An output nobody consumes and nobody keeps (e.g. a sink's empty buffer) is freed now.
    if (tg.dependents(t).empty() && !keep[t]) {
      buffers[t].reset();
      live[t] = 0;
      mem.release(out_bytes[t]);
      freed = true;
      if (obs) obs->on_memory(w, {end, -out_bytes[t], key.layer, 0});
    }
    if (freed) release_held();
    std::int64_t next = -1;
    for (auto u : tg.dependents(t)) {
      if (pending[u].fetch_sub(1, std::memory_order_acq_rel) == 1) {
        if (next < 0)
          next = u;
        else
          push_local(w, u);
      }
    }
    done.fetch_add(1, std::memory_order_acq_rel);
    return next;
  }

  bool is_fused(std::int64_t from, std::int64_t to) const {
    const TaskKey a = tg.key(from), b = tg.key(to);
    return g.layer(a.layer).kind == OpKind::Elementwise && g.layer(b.layer).kind == OpKind::Elementwise &&
           a.stage == 0 && b.stage == 0 && a.index == b.index;
  }

  void worker(int w) {
    const std::int64_t n = tg.size();
    // `t` is the task in hand. It counts as running from before it leaves its queue (or becomes ready
    // as a continuation) until it has run or is held, so that the stall check never misses it.
    std::int64_t t = -1, prev = -1;
    while (true) {
      if (stop.load(std::memory_order_acquire)) return;
      if (opt.cancel && opt.cancel->load(std::memory_order_relaxed)) {
        cancel_run();
        return;
      }
      if (t < 0) {
        prev = -1;
        running.fetch_add(1, std::memory_order_acq_rel);
        if (!pop(w, t)) {
          running.fetch_sub(1, std::memory_order_acq_rel);
          t = -1;
          if (done.load(std::memory_order_acquire) >= n) {
            idle_cv.notify_all();
            return;
          }
          if (running.load(std::memory_order_acquire) == 0 && queued.load(std::memory_order_acquire) == 0 &&
              held_count.load(std::memory_order_acquire) > 0) {
            if (stalled(t)) return;
            if (t >= 0) run_in_hand(w, t, prev, false);  // admitted and reserved by stalled()
            continue;
          }
          idle.fetch_add(1, std::memory_order_acq_rel);
          {
            std::unique_lock<std::mutex> lk(idle_mu);
            idle_cv.wait_for(lk, std::chrono::microseconds(500), [&] {
              return queued.load(std::memory_order_acquire) > 0 || stop.load(std::memory_order_acquire) ||
                     done.load(std::memory_order_acquire) >= n;
            });
          }
          idle.fetch_sub(1, std::memory_order_acq_rel);
          continue;
        }
      }
      const std::int64_t room = headroom(t);
      if (!mem.try_reserve(out_bytes[t], room)) {
        {
          std::lock_guard<std::mutex> lk(held_mu);
          held.push_back(t);
          held_count.fetch_add(1, std::memory_order_acq_rel);
        }
        running.fetch_sub(1, std::memory_order_acq_rel);
        // Memory may have been freed between the failed reservation and parking the task.
        if (mem.live() + out_bytes[t] + room <= mem.limit()) release_held();
        t = -1;
        continue;
      }
      run_in_hand(w, t, prev, prev >= 0 && is_fused(prev, t));
    }
  }

  // Runs the reserved task in hand; what it makes ready first becomes the task in hand (still
  // counted as running), otherwise the worker's hand is empty.
  void run_in_hand(int w, std::int64_t& t, std::int64_t& prev, bool fused) {
    const std::int64_t next = execute(w, t, fused);
    if (next < 0) running.fetch_sub(1, std::memory_order_acq_rel);
    prev = t;
    t = next;
  }

  // Nothing runs, nothing is queued and tasks are held. Under the lock that parking takes, checks
  // that again, then admits the most urgent held task that fits without the headroom (returned
  // in `t`, reserved). Only when none fits is the run stuck: that ends it with an error naming the
  // layer (returns true).
  bool stalled(std::int64_t& t) {
    std::lock_guard<std::mutex> lk(held_mu);
    if (held.empty() || running.load(std::memory_order_acquire) != 0 || queued.load(std::memory_order_acquire) != 0)
      return false;
    std::sort(held.begin(), held.end(), [&](std::int64_t a, std::int64_t b) { return prio[a] < prio[b]; });
    for (size_t i = 0; i < held.size(); ++i) {
      if (mem.try_reserve(out_bytes[held[i]])) {
        running.fetch_add(1, std::memory_order_acq_rel);
        t = held[i];
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
        held_count.fetch_sub(1, std::memory_order_acq_rel);
        return false;
      }
    }
    deadlock_locked();
    return true;
  }

  void deadlock_locked() {
    const std::int64_t t = held.front();
    const TaskKey k = tg.key(t);
    {
      std::lock_guard<std::mutex> ek(err_mu);
      if (!stopped.failed()) {
        stopped.failed_layer = k.layer;
        stopped.failed_chunk = k.index;
        stopped.error = "memory limit " + format_bytes(static_cast<double>(mem.limit())) +
                        " is too small to go on: " + format_bytes(static_cast<double>(mem.live())) +
                        " are held by chunks still needed, and layer \"" + g.layer(k.layer).id + "\" needs " +
                        format_bytes(static_cast<double>(out_bytes[t])) + " more for chunk " + std::to_string(k.index);
      }
    }
    stop.store(true, std::memory_order_release);
    idle_cv.notify_all();
  }
};

}  // namespace

namespace {
// glibc serves large blocks with mmap and gives them back on free, so every chunk of a few MiB is
// faulted in page by page again (W2 in docs/performance.md: 8.5x more page faults than Dask, 30x
// slower). Keep chunk-sized blocks in the heap for reuse instead; memory above 512 MiB of free
// heap top is still returned to the system.
void tune_allocator_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
  });
}
}  // namespace

RunResult CpuExecutor::run(const Graph& graph, const RunOptions& options) {
  tune_allocator_once();
  const TaskGraph& tg = graph.tasks();
  const std::int64_t n = tg.size();
  int workers =
      options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  workers = std::min(workers, 1024);
  // Declared before the run state so that it runs after the run's buffers are freed: the blocks kept
  // for reuse during the run go back to the system (buffer.cpp).
  struct PoolRelease {
    ~PoolRelease() { release_buffer_pool(); }
  } pool_release;
  // A run refused before it starts (an unwritable folder, a task too large) leaves no temporaries
  // and no empty folders: ~RunOutputs removes them unless commit() ran.
  RunOutputs outputs(graph);
  RunPlan plan = plan_run(graph);
  check_fits(graph, plan, options.memory_limit);
  Run r(graph, options, workers, std::move(plan));
  if (options.memory_limit > 0) r.need = consume_needs(tg, r.out_bytes, r.keep);
  r.pending = std::make_unique<std::atomic<std::int32_t>[]>(static_cast<size_t>(n));
  r.uses = std::make_unique<std::atomic<std::int32_t>[]>(static_cast<size_t>(n));
  for (std::int64_t t = 0; t < n; ++t) {
    r.pending[t].store(static_cast<std::int32_t>(tg.deps(t).size()), std::memory_order_relaxed);
    r.uses[t].store(static_cast<std::int32_t>(tg.dependents(t).size()), std::memory_order_relaxed);
  }
  r.buffers.resize(static_cast<size_t>(n));
  r.status.assign(static_cast<size_t>(n), 0);
  r.live.assign(static_cast<size_t>(n), 0);
  // Initially ready tasks, in priority order.
  for (std::int64_t t = 0; t < n; ++t)
    if (tg.deps(t).empty()) r.global.push({r.prio[t], t});
  r.queued.store(static_cast<std::int64_t>(r.global.size()));

  RunInfo info;
  info.executor = "cpu";
  info.device = "cpu";
  info.workers = workers;
  info.memory_limit = options.memory_limit;
  info.start_unix_ns = unix_time_ns();
  if (r.obs) r.obs->on_run_begin(graph, info);
  r.t0 = Clock::now();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(workers));
  for (int w = 0; w < workers; ++w) {
    try {
      threads.emplace_back([&r, w] { r.worker(w); });
    } catch (const std::exception& e) {  // out of memory or threads: stop the ones started, fail the run
      std::lock_guard<std::mutex> lk(r.err_mu);
      if (!r.stopped.failed())
        r.stopped.error =
            "cannot start worker thread " + std::to_string(w) + " of " + std::to_string(workers) + ": " + e.what();
      r.stop.store(true, std::memory_order_release);
      r.idle_cv.notify_all();
      break;
    }
  }
  // The calling thread reports progress and waits.
  while (true) {
    {
      std::unique_lock<std::mutex> lk(r.idle_mu);
      r.idle_cv.wait_for(lk, std::chrono::milliseconds(100));
    }
    const std::int64_t d = r.done.load();
    if (options.progress) options.progress(d, n);
    if (d >= n || r.stop.load() || (options.cancel && options.cancel->load())) {
      if (options.cancel && options.cancel->load()) {
        std::lock_guard<std::mutex> lk(r.err_mu);
        if (!r.stopped.failed()) r.stopped.cancelled = true;
        r.stop.store(true);
      }
      r.idle_cv.notify_all();
      break;
    }
  }
  for (auto& th : threads) th.join();

  RunResult result = make_run_result(r.stopped, r.done.load(), n, r.now());
  result.peak_bytes = r.mem.peak();
  collect_outputs(graph, r.buffers, options.max_output_bytes, result);
  outputs.commit(result);
  // Release what is still held (outputs, chunks of a stopped run).
  const std::int64_t end = r.now();
  for (std::int64_t t = 0; t < n; ++t) {
    if (!r.live[t]) continue;
    r.mem.release(r.out_bytes[t]);
    if (r.obs && r.out_bytes[t] > 0) r.obs->on_memory(0, {end, -r.out_bytes[t], tg.layer(t), 0});
    r.buffers[t].reset();
    r.live[t] = 0;
  }
  report_run_end(r.obs, r.status, result);
  return result;
}

}  // namespace chunkscope
