// CpuExecutor::run: the workers' loop and task execution. The work queues
// (work_queues.hpp) and the memory admission (memory_admission.hpp) are their
// own types; the run's setup and teardown are the skeleton both executors share
// (run_plan.hpp).
#include "chunkscope/exec/cpu_executor.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>

#include "chunkscope/core/task_order.hpp"
#include "chunkscope/core/units.hpp"
#include "chunkscope/exec/kernel.hpp"
#include "chunkscope/exec/run_plan.hpp"
#include "memory_admission.hpp"
#include "work_queues.hpp"

namespace chunkscope {

namespace {

using Clock = std::chrono::steady_clock;

/// One run's state. Each observer event is sent from one place: on_memory from
/// hold_chunk() and free_chunk(), on_task_end from end_task() (report_run_end
/// reports the tasks that never ran).
struct Run {
  const Graph& g;
  const TaskGraph& tg;
  const RunOptions& opt;
  ExecutionObserver* obs;
  const int workers;
  const std::int64_t n;
  Clock::time_point t0;

  const RunPlan plan;
  const std::vector<std::int64_t>& out_bytes = plan.out_bytes;
  const std::vector<std::uint8_t>& keep = plan.keep;
  // Under a memory limit, the bytes that must stay free after a task that frees
  // none of its inputs is admitted (consume_needs, core/task_order.hpp); empty
  // when there is no limit.
  std::vector<std::int64_t> need;
  std::unique_ptr<std::atomic<std::int32_t>[]> pending;  // inputs not yet done
  std::unique_ptr<std::atomic<std::int32_t>[]> uses;     // consumers not yet done
  std::vector<Buffer> buffers;
  std::vector<std::uint8_t> status;  // TaskStatus, written by the worker that ran the task
  std::vector<std::uint8_t> live;    // 1 while the task's output bytes are accounted

  WorkQueues queues;
  MemoryAdmission admission;
  std::atomic<std::int64_t> done{0};
  std::atomic<int> running{0};  // tasks in a worker's hand (see worker())
  std::atomic<bool> stop{false};

  std::mutex err_mu;
  RunStop stopped;  // under err_mu

  Run(const Graph& graph, const RunOptions& o, int w, RunPlan p)
      : g(graph),
        tg(graph.tasks()),
        opt(o),
        obs(o.observer),
        workers(w),
        n(graph.tasks().size()),
        plan(std::move(p)),
        queues(w),
        admission(o.memory_limit, plan.prio) {
    if (o.memory_limit > 0) need = consume_needs(tg, out_bytes, keep);
    pending = std::make_unique<std::atomic<std::int32_t>[]>(static_cast<size_t>(n));
    uses = std::make_unique<std::atomic<std::int32_t>[]>(static_cast<size_t>(n));
    std::vector<std::int64_t> ready;  // tasks without inputs, to the global queue in priority order
    for (std::int64_t t = 0; t < n; ++t) {
      pending[t].store(static_cast<std::int32_t>(tg.deps(t).size()), std::memory_order_relaxed);
      uses[t].store(static_cast<std::int32_t>(tg.dependents(t).size()), std::memory_order_relaxed);
      if (tg.deps(t).empty()) ready.push_back(t);
    }
    buffers.resize(static_cast<size_t>(n));
    status.assign(static_cast<size_t>(n), 0);
    live.assign(static_cast<size_t>(n), 0);
    queues.push_global(ready, plan.prio);
  }

  std::int64_t now() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count(); }

  // ---- how the run stops ----
  void stop_run() {
    stop.store(true, std::memory_order_release);
    queues.wake_all();
  }
  void fail(std::int64_t t, const std::string& what) {
    {
      std::lock_guard<std::mutex> lk(err_mu);
      stopped.fail(g, tg.key(t), what);
    }
    stop_run();
  }
  // The cancel flag was seen (between tasks or inside a kernel): every worker
  // stops.
  void cancel_run() {
    {
      std::lock_guard<std::mutex> lk(err_mu);
      stopped.cancelled = true;
    }
    stop_run();
  }
  // Nothing runs, nothing is queued and held task t cannot fit even without
  // headroom.
  void stuck(std::int64_t t) {
    const TaskKey k = tg.key(t);
    {
      std::lock_guard<std::mutex> lk(err_mu);
      if (!stopped.failed()) {
        stopped.failed_layer = k.layer;
        stopped.failed_chunk = k.index;
        stopped.error = "memory limit " + format_bytes(static_cast<double>(admission.limit())) +
                        " is too small to go on: " + format_bytes(static_cast<double>(admission.live())) +
                        " are held by chunks still needed, and layer \"" + g.layer(k.layer).id + "\" needs " +
                        format_bytes(static_cast<double>(out_bytes[t])) + " more for chunk " + std::to_string(k.index);
      }
    }
    stop_run();
  }

  // ---- chunks and observer events ----
  // Task t's output bytes (reserved by admission) count as live from `time`.
  void hold_chunk(int w, std::int64_t t, std::int64_t time) {
    if (obs) obs->on_memory(w, {time, out_bytes[t], tg.layer(t), 0});
    live[t] = 1;
  }
  // The one release: task t's output is freed and its bytes given back at
  // `time`.
  void free_chunk(int w, std::int64_t t, std::int64_t time) {
    buffers[t].reset();
    live[t] = 0;
    admission.release(out_bytes[t]);
    if (obs) obs->on_memory(w, {time, -out_bytes[t], tg.layer(t), 0});
  }
  void end_task(int w, std::int64_t t, std::int64_t start, std::int64_t end, TaskStatus st, bool fused) {
    status[t] = static_cast<std::uint8_t>(st);
    if (obs) obs->on_task_end(w, {t, start, end, out_bytes[t], w, st, fused});
  }

  // Bytes that must stay free after task t is admitted (see need): none when t
  // is the last user of an input and so frees memory when it ends.
  std::int64_t headroom(std::int64_t t) const {
    if (need.empty()) return 0;
    for (auto d : tg.deps(t))
      if (!keep[d] && out_bytes[d] > 0 && uses[d].load(std::memory_order_acquire) == 1) return 0;
    return need[t];
  }

  // ---- running one task ----
  // Runs task t on worker w (memory already reserved). Returns a ready
  // dependent to continue with, or -1.
  std::int64_t execute(int w, std::int64_t t, bool fused) {
    const TaskKey key = tg.key(t);
    const std::int64_t start = now();
    hold_chunk(w, t, start);
    const auto deps = tg.deps(t);
    const Buffer* small[8];
    std::vector<const Buffer*> big;
    const Buffer** ins = small;
    if (deps.size() > 8) {
      big.resize(deps.size());
      ins = big.data();
    }
    for (size_t i = 0; i < deps.size(); ++i) ins[i] = &buffers[deps[i]];
    TaskStatus st = TaskStatus::Done;
    bool allocated = false;
    try {
      buffers[t] = Buffer(out_bytes[t]);
      allocated = true;
      KernelContext ctx{g,
                        key.layer,
                        g.layer(key.layer),
                        key,
                        std::span<const Buffer* const>(ins, deps.size()),
                        buffers[t],
                        plan.states[key.layer].get(),
                        opt.cancel};
      plan.kernels[key.layer]->run(ctx);
    } catch (const TaskCancelled&) {  // Ctrl-C inside a long task: the run ends
                                      // cancelled, not failed
      st = TaskStatus::Cancelled;
      cancel_run();
    } catch (const std::bad_alloc&) {
      st = TaskStatus::Failed;
      // The output buffer, or scratch space the kernel allocates itself (not
      // counted in live bytes).
      if (!allocated)
        fail(t, "out of memory allocating its output of " + format_bytes(static_cast<double>(out_bytes[t])));
      else
        fail(t,
             "out of memory in the kernel (its scratch space, which live "
             "memory does not count)");
    } catch (const std::exception& e) {
      st = TaskStatus::Failed;
      fail(t, e.what());
    } catch (...) {
      st = TaskStatus::Failed;
      fail(t, "unknown error");
    }
    const std::int64_t end = now();
    end_task(w, t, start, end, st, fused);
    if (st != TaskStatus::Done) {
      free_chunk(w, t, end);
      if (st != TaskStatus::Cancelled) done.fetch_add(1, std::memory_order_acq_rel);  // a cancelled task did not run
      return -1;
    }
    // Free the inputs whose last use this was, and an output nobody consumes
    // and nobody keeps (e.g. a sink's empty buffer).
    bool freed = false;
    for (auto d : deps)
      if (uses[d].fetch_sub(1, std::memory_order_acq_rel) == 1 && !keep[d]) {
        free_chunk(w, d, end);
        freed = true;
      }
    if (tg.dependents(t).empty() && !keep[t]) {
      free_chunk(w, t, end);
      freed = true;
    }
    if (freed) admission.release_held(queues);
    std::int64_t next = -1;
    for (auto u : tg.dependents(t)) {
      if (pending[u].fetch_sub(1, std::memory_order_acq_rel) == 1) {
        if (next < 0)
          next = u;
        else
          queues.push_local(w, u);
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

  // ---- the worker loop ----
  void worker(int w) {
    // `t` is the task in hand. It counts as running from before it leaves its
    // queue (or becomes ready as a continuation) until it has run or is held,
    // so that the stall check never misses it.
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
        if (!queues.pop(w, t)) {
          running.fetch_sub(1, std::memory_order_acq_rel);
          t = -1;
          if (done.load(std::memory_order_acquire) >= n) {
            queues.wake_all();
            return;
          }
          if (running.load(std::memory_order_acquire) == 0 && queues.queued() == 0 && admission.held() > 0) {
            switch (admission.stall(out_bytes, running, queues, t)) {
              case MemoryAdmission::Stall::Stuck: stuck(t); return;
              case MemoryAdmission::Stall::Admitted: run_in_hand(w, t, prev, false); break;  // reserved by stall()
              case MemoryAdmission::Stall::NotStalled: t = -1; break;
            }
            continue;
          }
          queues.wait(std::chrono::microseconds(500), [&] {
            return queues.queued() > 0 || stop.load(std::memory_order_acquire) ||
                   done.load(std::memory_order_acquire) >= n;
          });
          continue;
        }
      }
      if (!admission.admit_or_hold(t, out_bytes[t], headroom(t), running, queues)) {
        t = -1;
        continue;
      }
      run_in_hand(w, t, prev, prev >= 0 && is_fused(prev, t));
    }
  }

  // Runs the reserved task in hand; what it makes ready first becomes the task
  // in hand (still counted as running), otherwise the worker's hand is empty.
  void run_in_hand(int w, std::int64_t& t, std::int64_t& prev, bool fused) {
    const std::int64_t next = execute(w, t, fused);
    if (next < 0) running.fetch_sub(1, std::memory_order_acq_rel);
    prev = t;
    t = next;
  }

  // Starts the workers, reports progress from the calling thread until the run ends, joins. A
  // worker thread that cannot start for lack of memory (its stack) makes the run out of memory:
  // the started ones stop and std::bad_alloc is thrown, as for any allocation before the tasks.
  void run_workers() {
    std::vector<std::thread> threads;
    threads.reserve(static_cast<size_t>(workers));
    bool no_memory = false;
    for (int w = 0; w < workers; ++w) {
      try {
        threads.emplace_back([this, w] { worker(w); });
      } catch (const std::exception& e) {  // out of memory or threads: stop the ones started, fail the run
        const auto* sys = dynamic_cast<const std::system_error*>(&e);
        no_memory = dynamic_cast<const std::bad_alloc*>(&e) ||
                    (sys && sys->code() == std::errc::resource_unavailable_try_again);
        {
          std::lock_guard<std::mutex> lk(err_mu);
          if (!stopped.failed())
            stopped.error =
                "cannot start worker thread " + std::to_string(w) + " of " + std::to_string(workers) + ": " + e.what();
        }
        stop_run();
        break;
      }
    }
    if (no_memory) {
      for (auto& th : threads) th.join();
      throw std::bad_alloc();
    }
    while (true) {
      queues.wait_caller(std::chrono::milliseconds(100));
      const std::int64_t d = done.load();
      if (opt.progress) opt.progress(d, n);
      const bool cancelled = opt.cancel && opt.cancel->load();
      if (d >= n || stop.load() || cancelled) {
        if (cancelled) {
          {
            std::lock_guard<std::mutex> lk(err_mu);
            if (!stopped.failed()) stopped.cancelled = true;
          }
          stop.store(true);
        }
        queues.wake_all();
        break;
      }
    }
    for (auto& th : threads) th.join();
  }
};

// glibc serves large blocks with mmap and gives them back on free, so every
// chunk of a few MiB is faulted in page by page again (W2 in
// docs/performance.md: 8.5x more page faults than Dask, 30x slower). Keep
// chunk-sized blocks in the heap for reuse instead; memory above 512 MiB of
// free heap top is still returned to the system.
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
  int workers =
      options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  workers = std::min(workers, 1024);
  // Declared before the run state so that it runs after the run's buffers are
  // freed: the blocks kept for reuse during the run go back to the system
  // (buffer.cpp).
  struct PoolRelease {
    ~PoolRelease() { release_buffer_pool(); }
  } pool_release;
  // A run refused before it starts (an unwritable folder, a task too large)
  // leaves no temporaries and no empty folders: ~RunOutputs removes them unless
  // commit() ran.
  RunOutputs outputs(graph);
  RunPlan plan = plan_run(graph);
  check_fits(graph, plan, options.memory_limit);
  Run r(graph, options, workers, std::move(plan));

  RunInfo info;
  info.executor = "cpu";
  info.device = "cpu";
  info.workers = workers;
  info.memory_limit = options.memory_limit;
  info.start_unix_ns = unix_time_ns();
  if (r.obs) r.obs->on_run_begin(graph, info);
  r.t0 = Clock::now();
  if (r.obs) r.obs->on_clock_start(r.t0);
  r.run_workers();

  RunResult result = make_run_result(r.stopped, r.done.load(), r.n, r.now());
  result.peak_bytes = r.admission.peak();
  collect_outputs(graph, r.buffers, options.max_output_bytes, result);
  outputs.commit(result);
  // Release what is still held (outputs, chunks of a stopped run).
  const std::int64_t end = r.now();
  for (std::int64_t t = 0; t < r.n; ++t)
    if (r.live[t] && r.out_bytes[t] > 0) r.free_chunk(0, t, end);
  report_run_end(r.obs, r.status, result);
  return result;
}

}  // namespace chunkscope
