// CudaExecutor::run: the issuing loop, residency of chunks (device / host copies), transfers,
// device memory accounting and CUDA-event timing. See the class comment and docs/gpu.md.
#include "chunkscope/gpu/cuda_executor.hpp"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <chrono>
#include <queue>
#include <stdexcept>

#include "chunkscope/core/units.hpp"
#include "chunkscope/exec/kernel.hpp"
#include "chunkscope/exec/run_plan.hpp"
#include "cuda_check.hpp"
#include "device_ops.hpp"

namespace chunkscope {

bool CudaExecutor::device_available(std::string* why) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    if (why) *why = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e);
    cudaGetLastError();
    return false;
  }
  if (count == 0) {
    if (why) *why = "cudaGetDeviceCount: 0 devices";
    return false;
  }
  return true;
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kGpuWorker = 0, kHostWorker = 1, kDevice = 1;  // MemoryEvent/TransferEvent device 1 = cuda:0

/// Where a chunk's bytes are.
struct Slot {
  void* dev = nullptr;
  bool on_dev = false, on_host = false;
  cudaEvent_t dev_ready = nullptr;  ///< the device copy is complete when this fires
  cudaEvent_t d2h_done = nullptr;   ///< last download of the device copy (frees wait for it)
};

struct Deferred {  ///< an event whose time is read after the device finished
  cudaEvent_t ev;
  std::int64_t delta;
  std::int32_t layer;
};
struct DeviceTask {
  std::int64_t task;
  cudaEvent_t start, end;
  std::int64_t bytes;
  bool fused;
};
struct Transfer {
  std::int64_t task;
  cudaEvent_t start, end;
  std::int64_t bytes;
  bool to_device;
};

struct Run {
  const Graph& g;
  const TaskGraph& tg;
  const RunOptions& opt;
  ExecutionObserver* obs;
  int device;
  Clock::time_point t0;
  cudaStream_t compute = nullptr, h2d = nullptr, d2h = nullptr;
  cublasHandle_t blas = nullptr;
  cudaEvent_t base = nullptr;
  std::vector<cudaEvent_t> events;

  std::vector<gpu::DeviceLayer> plans;
  const RunPlan plan;  ///< kernels, output sizes, kept chunks, priorities (exec/run_plan.hpp)
  const std::vector<std::int64_t>& out_bytes = plan.out_bytes;
  const std::vector<std::int64_t>& prio = plan.prio;
  const std::vector<std::uint8_t>& keep = plan.keep;
  std::vector<std::int32_t> pending, uses;
  std::vector<std::uint8_t> status, dev_task;  ///< dev_task: runs on the device
  std::vector<Slot> slots;
  std::vector<Buffer> host;
  MemoryAccountant host_mem, dev_mem;
  std::vector<Deferred> dev_mem_events;
  std::vector<DeviceTask> dev_tasks;
  std::vector<Transfer> transfers;

  std::int64_t unattached = 0;  ///< device bytes reserved for the task being issued, not yet held by a chunk
  void* scratch_ptr = nullptr;  ///< the task's scratch while it is being issued

  RunStop stopped;
  std::int64_t done = 0;

  Run(const Graph& graph, const RunOptions& o, int dev, std::int64_t dev_limit,
      std::vector<gpu::DeviceLayer> device_plans, RunPlan p)
      : g(graph),
        tg(graph.tasks()),
        opt(o),
        obs(o.observer),
        device(dev),
        plans(std::move(device_plans)),
        plan(std::move(p)),
        host_mem(o.memory_limit),
        dev_mem(dev_limit) {}

  ~Run() {
    for (auto e : events) cudaEventDestroy(e);
    if (blas) cublasDestroy(blas);
    for (auto s : {compute, h2d, d2h})
      if (s) cudaStreamDestroy(s);
  }

  std::int64_t now() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count(); }
  bool on_device(std::int64_t t) const { return dev_task[t] != 0; }
  /// A task of a layer fused into its consumer's kernel: it has no kernel and no memory of its own.
  bool is_virtual(std::int64_t t) const { return plans[tg.layer(t)].fused_into >= 0; }
  /// The chunks task t's kernel reads: its dependencies, or for the end of a fused chain the
  /// chain's input arrays at the same chunk.
  std::vector<std::int64_t> reads(std::int64_t t) const {
    const auto& chain = plans[tg.layer(t)].chain;
    if (!chain) {
      const auto d = tg.deps(t);
      return {d.begin(), d.end()};
    }
    std::vector<std::int64_t> r;
    for (int x : chain->input_layers) r.push_back(tg.output_task(x, tg.key(t).index));
    return r;
  }
  /// The fused layers' tasks computed by chain-end task t (same chunk).
  std::vector<std::int64_t> folded(std::int64_t t) const {
    std::vector<std::int64_t> f;
    if (const auto& chain = plans[tg.layer(t)].chain)
      for (int l : chain->layers)
        if (l != tg.layer(t)) f.push_back(tg.output_task(l, tg.key(t).index));
    return f;
  }
  std::int64_t scratch(std::int64_t t) const {
    return on_device(t) ? gpu::device_scratch_bytes(g, plans[tg.layer(t)], tg.key(t)) : 0;
  }

  cudaEvent_t record(cudaStream_t s) {
    cudaEvent_t e;
    CHUNKSCOPE_CUDA_CHECK(cudaEventCreate(&e));
    events.push_back(e);
    CHUNKSCOPE_CUDA_CHECK(cudaEventRecord(e, s));
    return e;
  }

  void fail(std::int64_t t, const std::string& what) { stopped.fail(g, tg.key(t), what); }

  /// Distinct dependencies of t (an op may list one chunk twice).
  static bool seen_before(std::span<const std::int64_t> deps, size_t i) {
    for (size_t j = 0; j < i; ++j)
      if (deps[j] == deps[i]) return true;
    return false;
  }

  std::int64_t device_need(std::int64_t t) const {
    if (is_virtual(t)) return 0;
    std::int64_t need = out_bytes[t] + scratch(t);
    const auto deps = reads(t);
    for (size_t i = 0; i < deps.size(); ++i)
      if (!slots[deps[i]].on_dev && !seen_before(deps, i)) need += out_bytes[deps[i]];
    return need;
  }
  std::int64_t host_need(std::int64_t t) const {
    std::int64_t need = out_bytes[t];
    const auto deps = tg.deps(t);
    for (size_t i = 0; i < deps.size(); ++i)
      if (!slots[deps[i]].on_host && !seen_before(deps, i)) need += out_bytes[deps[i]];
    return need;
  }

  void upload(std::int64_t consumer, std::int64_t d) {
    Slot& s = slots[d];
    const std::int64_t b = out_bytes[d];
    if (b > 0) CHUNKSCOPE_CUDA_CHECK(cudaMallocAsync(&s.dev, static_cast<size_t>(b), h2d));
    unattached -= b;
    s.on_dev = true;  // the copy holds its bytes from here (release frees them)
    const cudaEvent_t a = record(h2d);
    // From pageable memory the call returns once the bytes are staged: the host buffer may be freed after it.
    if (b > 0)
      CHUNKSCOPE_CUDA_CHECK(
          cudaMemcpyAsync(s.dev, host[d].data(), static_cast<size_t>(b), cudaMemcpyHostToDevice, h2d));
    s.dev_ready = record(h2d);
    s.on_dev = true;
    dev_mem_events.push_back({a, b, tg.layer(d)});
    transfers.push_back({consumer, a, s.dev_ready, b, true});
  }

  void download(std::int64_t consumer, std::int64_t d) {
    Slot& s = slots[d];
    const std::int64_t b = out_bytes[d];
    host[d] = Buffer(b);
    if (obs) obs->on_memory(kHostWorker, {now(), b, tg.layer(d), 0});
    CHUNKSCOPE_CUDA_CHECK(cudaStreamWaitEvent(d2h, s.dev_ready, 0));
    const cudaEvent_t a = record(d2h);
    if (b > 0)
      CHUNKSCOPE_CUDA_CHECK(
          cudaMemcpyAsync(host[d].data(), s.dev, static_cast<size_t>(b), cudaMemcpyDeviceToHost, d2h));
    s.d2h_done = record(d2h);
    CHUNKSCOPE_CUDA_CHECK(cudaEventSynchronize(s.d2h_done));
    s.on_host = true;
    transfers.push_back({consumer, a, s.d2h_done, b, false});
  }

  /// Frees both copies of chunk d (its last consumer was issued).
  void release(std::int64_t d) {
    Slot& s = slots[d];
    const std::int64_t b = out_bytes[d];
    if (s.on_dev) {
      if (s.d2h_done) CHUNKSCOPE_CUDA_CHECK(cudaStreamWaitEvent(compute, s.d2h_done, 0));
      if (s.dev) CHUNKSCOPE_CUDA_CHECK(cudaFreeAsync(s.dev, compute));
      dev_mem_events.push_back({record(compute), -b, tg.layer(d)});
      dev_mem.release(b);
      s.dev = nullptr;
      s.on_dev = false;
    }
    if (s.on_host) {
      host[d].reset();
      host_mem.release(b);
      if (obs) obs->on_memory(kHostWorker, {now(), -b, tg.layer(d), 0});
      s.on_host = false;
    }
  }

  void issue_device(std::int64_t t) {
    const TaskKey key = tg.key(t);
    const auto deps = reads(t);
    std::vector<const void*> ins(deps.size());
    for (size_t i = 0; i < deps.size(); ++i) {
      if (!slots[deps[i]].on_dev) upload(t, deps[i]);
      CHUNKSCOPE_CUDA_CHECK(cudaStreamWaitEvent(compute, slots[deps[i]].dev_ready, 0));
      ins[i] = slots[deps[i]].dev;
    }
    Slot& s = slots[t];
    if (out_bytes[t] > 0) CHUNKSCOPE_CUDA_CHECK(cudaMallocAsync(&s.dev, static_cast<size_t>(out_bytes[t]), compute));
    unattached -= out_bytes[t];
    s.on_dev = true;
    // Scratch (filters' float64 blocks) lives for the task only: reserved with the task's memory,
    // counted while it runs, freed on the stream after it.
    const std::int64_t sb = scratch(t);
    if (sb > 0) CHUNKSCOPE_CUDA_CHECK(cudaMallocAsync(&scratch_ptr, static_cast<size_t>(sb), compute));
    void* tmp = scratch_ptr;
    const cudaEvent_t start = record(compute);
    gpu::run_device_task(g, plans[key.layer], key, ins, s.dev, out_bytes[t], tmp, compute, blas);
    const cudaEvent_t end = record(compute);
    s.dev_ready = end;
    dev_mem_events.push_back({start, out_bytes[t] + sb, key.layer});
    if (sb > 0) {
      scratch_ptr = nullptr;
      CHUNKSCOPE_CUDA_CHECK(cudaFreeAsync(tmp, compute));
      dev_mem_events.push_back({end, -sb, key.layer});
      dev_mem.release(sb);
      unattached -= sb;
    }
    const auto f = folded(t);
    dev_tasks.push_back({t, start, end, out_bytes[t], !f.empty()});
    for (auto v : f) dev_tasks.push_back({v, start, start, 0, true});
  }

  void issue_host(std::int64_t t) {
    const TaskKey key = tg.key(t);
    const auto deps = tg.deps(t);
    for (size_t i = 0; i < deps.size(); ++i)
      if (!slots[deps[i]].on_host) download(t, deps[i]);
    std::vector<const Buffer*> ins(deps.size());
    for (size_t i = 0; i < deps.size(); ++i) ins[i] = &host[deps[i]];
    const std::int64_t start = now();
    if (obs) obs->on_memory(kHostWorker, {start, out_bytes[t], key.layer, 0});
    slots[t].on_host = true;
    bool ok = true;
    try {
      host[t] = Buffer(out_bytes[t]);
      KernelContext ctx{g,
                        key.layer,
                        g.layer(key.layer),
                        key,
                        std::span<const Buffer* const>(ins.data(), ins.size()),
                        host[t],
                        plan.states[key.layer].get()};
      plan.kernels[key.layer]->run(ctx);
    } catch (const std::bad_alloc&) {
      ok = false;
      fail(t, "out of memory allocating " + format_bytes(static_cast<double>(out_bytes[t])));
    } catch (const std::exception& e) {
      ok = false;
      fail(t, e.what());
    }
    const std::int64_t end = now();
    status[t] = static_cast<std::uint8_t>(ok ? TaskStatus::Done : TaskStatus::Failed);
    if (obs)
      obs->on_task_end(kHostWorker,
                       {t, start, end, out_bytes[t], kHostWorker, ok ? TaskStatus::Done : TaskStatus::Failed, false});
  }

  /// After a failure while issuing: gives back what was reserved for the task and not yet held by
  /// a chunk, and its scratch (the accounting must still end at zero).
  void abandon() {
    if (unattached > 0) dev_mem.release(unattached);
    unattached = 0;
    if (scratch_ptr) cudaFreeAsync(scratch_ptr, compute);
    scratch_ptr = nullptr;
  }

  /// Issues task t (memory already reserved) and releases what it was the last user of. Any error
  /// (a CUDA call, a download, a release) fails the run naming the task.
  void issue(std::int64_t t) {
    try {
      issue_inner(t);
    } catch (const std::exception& e) {
      if (status[t] == 0) status[t] = static_cast<std::uint8_t>(TaskStatus::Failed);
      fail(t, std::string("CUDA: ") + e.what());
      abandon();
    }
  }

  void issue_inner(std::int64_t t) {
    if (is_virtual(t)) {  // computed by its chain's last task (which marks it done); its inputs stay until then
      ++done;
      return;
    }
    if (on_device(t)) {
      try {
        issue_device(t);
        status[t] = static_cast<std::uint8_t>(TaskStatus::Done);
        for (auto f : folded(t)) status[f] = static_cast<std::uint8_t>(TaskStatus::Done);
      } catch (const std::exception& e) {
        status[t] = static_cast<std::uint8_t>(TaskStatus::Failed);
        fail(t, std::string("CUDA: ") + e.what());
        abandon();
      }
    } else {
      issue_host(t);
    }
    ++done;
    if (stopped.failed()) return;
    // The edges into what t read: t's own and, at the end of a fused chain, the fused tasks'.
    std::vector<std::int64_t> sources = folded(t);
    sources.push_back(t);
    for (auto src : sources) {
      const auto deps = tg.deps(src);
      for (size_t i = 0; i < deps.size(); ++i) {
        if (seen_before(deps, i) || is_virtual(deps[i])) continue;
        // uses counts edges; subtract every occurrence of this dependency at once.
        std::int32_t n = 0;
        for (auto d : deps) n += d == deps[i];
        uses[deps[i]] -= n;
        if (uses[deps[i]] == 0 && !keep[deps[i]]) release(deps[i]);
      }
    }
    if (tg.dependents(t).empty() && !keep[t]) release(t);
  }
};

/// Refuses a run with a task that can never fit: its output, scratch and reads on the device, or
/// its output and inputs on the host.
void check_fits(const Run& r, std::int64_t dev_limit) {
  for (std::int64_t t = 0; t < r.tg.size(); ++t) {
    if (r.is_virtual(t)) continue;
    std::int64_t need = r.out_bytes[t] + r.scratch(t);
    for (auto d : r.reads(t)) need += r.out_bytes[d];
    if (r.on_device(t))
      check_task_fits(r.g, t, need, r.out_bytes[t], dev_limit, "device", "--device-memory-limit");
    else
      check_task_fits(r.g, t, need, r.out_bytes[t], r.opt.memory_limit, "host", "--memory-limit");
  }
}

}  // namespace

RunResult CudaExecutor::run(const Graph& graph, const RunOptions& options) {
  struct PoolRelease {
    ~PoolRelease() { release_buffer_pool(); }
  } pool_release;
  CHUNKSCOPE_CUDA_CHECK(cudaSetDevice(options_.device));
  std::int64_t dev_limit = options_.device_memory_limit;
  if (dev_limit <= 0) {
    size_t free_b = 0, total_b = 0;
    CHUNKSCOPE_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
    dev_limit = static_cast<std::int64_t>(static_cast<double>(free_b) * 0.9);
  }
  const TaskGraph& tg = graph.tasks();
  const std::int64_t n = tg.size();
  const int nl = static_cast<int>(graph.layers().size());
  std::vector<gpu::DeviceLayer> device_plans = gpu::plan_device_layers(graph);
  // A run refused before it starts leaves no temporaries and no empty folders (~RunOutputs).
  RunOutputs outputs(graph);
  // The device matmul does not need the host BLAS that the CPU kernel's prepare loads.
  RunPlan plan =
      plan_run(graph, [&](int l) { return device_plans[l].on_device && graph.layer(l).kind == OpKind::Matmul; });
  Run r(graph, options, options_.device, dev_limit, std::move(device_plans), std::move(plan));
  r.dev_task.resize(static_cast<size_t>(n));
  for (std::int64_t t = 0; t < n; ++t)
    r.dev_task[t] = gpu::task_on_device(graph, r.plans[tg.layer(t)], tg.key(t), tg.deps(t).size()) ? 1 : 0;
  // A fused chain needs all its inputs and its output on the device at once: where that does not
  // fit under the device limit, the chain's layers run one by one instead (each fits on its own).
  {
    std::vector<std::uint8_t> unfuse(static_cast<size_t>(nl), 0);
    for (std::int64_t t = 0; t < n; ++t) {
      const int l = tg.layer(t);
      if (!r.plans[l].chain || unfuse[l]) continue;
      std::int64_t need = r.out_bytes[t];
      for (auto d : r.reads(t)) need += r.out_bytes[d];
      if (need > dev_limit) unfuse[l] = 1;
    }
    for (int l = 0; l < nl; ++l)
      if (unfuse[l]) {
        for (int f : r.plans[l].chain->layers) r.plans[f].fused_into = -1;
        r.plans[l].chain = nullptr;
      }
  }
  check_fits(r, dev_limit);
  r.pending.resize(static_cast<size_t>(n));
  r.uses.resize(static_cast<size_t>(n));
  for (std::int64_t t = 0; t < n; ++t) {
    r.pending[t] = static_cast<std::int32_t>(tg.deps(t).size());
    r.uses[t] = static_cast<std::int32_t>(tg.dependents(t).size());
  }
  r.slots.resize(static_cast<size_t>(n));
  r.host.resize(static_cast<size_t>(n));
  r.status.assign(static_cast<size_t>(n), 0);

  CHUNKSCOPE_CUDA_CHECK(cudaStreamCreateWithFlags(&r.compute, cudaStreamNonBlocking));
  CHUNKSCOPE_CUDA_CHECK(cudaStreamCreateWithFlags(&r.h2d, cudaStreamNonBlocking));
  CHUNKSCOPE_CUDA_CHECK(cudaStreamCreateWithFlags(&r.d2h, cudaStreamNonBlocking));
  if (cublasCreate(&r.blas) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasCreate failed");
  // The pool keeps freed blocks for reuse during the run (no release at every synchronisation).
  cudaMemPool_t pool;
  CHUNKSCOPE_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, options_.device));
  std::uint64_t keep_all = ~std::uint64_t{0};
  CHUNKSCOPE_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep_all));

  cudaDeviceProp prop{};
  CHUNKSCOPE_CUDA_CHECK(cudaGetDeviceProperties(&prop, options_.device));
  RunInfo info;
  info.executor = "cuda";
  info.device = "cuda:" + std::to_string(options_.device) + " " + prop.name;
  info.workers = 2;  // 0 = the GPU's compute stream, 1 = host fallback tasks
  info.memory_limit = options.memory_limit;
  info.device_memory_limit = dev_limit;
  info.worker_devices = {"cuda:" + std::to_string(options_.device), "host"};
  info.start_unix_ns = unix_time_ns();
  if (r.obs) r.obs->on_run_begin(graph, info);
  r.base = r.record(r.compute);
  CHUNKSCOPE_CUDA_CHECK(cudaEventSynchronize(r.base));
  r.t0 = Clock::now();
  if (r.obs) r.obs->on_clock_start(r.t0);

  // Issue in priority order; a task whose memory does not fit is held until something is freed.
  using Item = std::pair<std::int64_t, std::int64_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> ready;
  std::vector<std::int64_t> held;
  for (std::int64_t t = 0; t < n; ++t)
    if (tg.deps(t).empty()) ready.push({r.prio[t], t});
  auto last_progress = Clock::now();
  while (!r.stopped.failed() && r.done < n) {
    if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
      r.stopped.cancelled = true;
      break;
    }
    if (options.progress && Clock::now() - last_progress > std::chrono::milliseconds(100)) {
      options.progress(r.done, n);
      last_progress = Clock::now();
    }
    if (ready.empty() && held.empty()) {
      r.stopped.error = "internal error: no task is ready but " + std::to_string(n - r.done) + " have not run";
      break;
    }
    if (ready.empty()) {
      const std::int64_t t = held.front();
      const TaskKey k = tg.key(t);
      const bool dev = r.on_device(t);
      const MemoryAccountant& m = dev ? r.dev_mem : r.host_mem;
      r.stopped.failed_layer = k.layer;
      r.stopped.failed_chunk = k.index;
      r.stopped.error = std::string(dev ? "device" : "host") + " memory limit " +
                        format_bytes(static_cast<double>(m.limit())) +
                        " is too small to go on: " + format_bytes(static_cast<double>(m.live())) +
                        " are held by chunks still needed, and layer \"" + graph.layer(k.layer).id + "\" needs " +
                        format_bytes(static_cast<double>(dev ? r.device_need(t) : r.host_need(t))) +
                        " more for chunk " + std::to_string(k.index);
      break;
    }
    const std::int64_t t = ready.top().second;
    ready.pop();
    const bool dev = r.on_device(t);
    const std::int64_t need = dev ? r.device_need(t) : r.host_need(t);
    if (!(dev ? r.dev_mem : r.host_mem).try_reserve(need)) {
      held.push_back(t);
      continue;
    }
    const std::int64_t dev_before = r.dev_mem.live(), host_before = r.host_mem.live();
    r.unattached = dev ? need : 0;
    r.issue(t);
    if ((r.dev_mem.live() < dev_before || r.host_mem.live() < host_before) && !held.empty()) {
      for (auto h : held) ready.push({r.prio[h], h});
      held.clear();
    }
    for (auto u : tg.dependents(t))
      if (--r.pending[u] == 0) ready.push({r.prio[u], u});
  }
  // Wait for the device; an asynchronous kernel error surfaces here.
  const cudaError_t sync = cudaDeviceSynchronize();
  if (sync != cudaSuccess && !r.stopped.failed())
    r.stopped.error = std::string("CUDA error during the run: ") + cudaGetErrorString(sync);
  // The outputs kept in memory come back to the host as part of the run (and of its transfers).
  std::string download_error;
  if (!r.stopped.failed() && !r.stopped.cancelled && r.done == n) {
    try {
      for (std::int64_t t = 0; t < n; ++t)
        if (r.keep[t] && !r.slots[t].on_host) {
          r.host_mem.reserve(r.out_bytes[t]);
          r.download(t, t);
        }
    } catch (const std::exception& e) {
      download_error = std::string("CUDA: downloading the outputs: ") + e.what();
    }
  }
  const std::int64_t wall = r.now();

  // Device times: event time minus the base event, in ns since the run began.
  auto at = [&](cudaEvent_t e) -> std::int64_t {
    float ms = 0;
    if (cudaEventElapsedTime(&ms, r.base, e) != cudaSuccess) return 0;
    return static_cast<std::int64_t>(static_cast<double>(ms) * 1e6);
  };
  if (r.obs && sync == cudaSuccess) {
    for (const auto& d : r.dev_tasks)
      r.obs->on_task_end(kGpuWorker, {d.task, at(d.start), at(d.end), d.bytes, kGpuWorker, TaskStatus::Done, d.fused});
    for (const auto& m : r.dev_mem_events) r.obs->on_memory(kGpuWorker, {at(m.ev), m.delta, m.layer, kDevice});
    for (const auto& x : r.transfers)
      r.obs->on_transfer(kGpuWorker, {x.task, at(x.start), at(x.end), x.bytes, x.to_device, kDevice});
  }

  RunResult result = make_run_result(r.stopped, r.done, n, wall);
  if (result.ok() && !download_error.empty()) {
    result.status = RunStatus::Failed;
    result.error = download_error;
  }
  collect_outputs(graph, r.host, options.max_output_bytes, result);
  outputs.commit(result);
  // Release what is still held (outputs, chunks of a stopped run).
  const std::int64_t end = r.now();
  for (std::int64_t t = 0; t < n; ++t) {
    Slot& s = r.slots[t];
    if (s.on_dev) {
      if (s.dev) cudaFree(s.dev);
      r.dev_mem.release(r.out_bytes[t]);
      if (r.obs && r.out_bytes[t] > 0) r.obs->on_memory(kGpuWorker, {end, -r.out_bytes[t], tg.layer(t), kDevice});
      s.on_dev = false;
    }
    if (s.on_host) {
      r.host_mem.release(r.out_bytes[t]);
      if (r.obs && r.out_bytes[t] > 0) r.obs->on_memory(kHostWorker, {end, -r.out_bytes[t], tg.layer(t), 0});
      r.host[t].reset();
      s.on_host = false;
    }
  }
  cudaDeviceSynchronize();
  cudaMemPoolTrimTo(pool, 0);
  result.peak_bytes = r.host_mem.peak();
  last_live_ = r.dev_mem.live();
  last_peak_ = r.dev_mem.peak();
  report_run_end(r.obs, r.status, result);
  return result;
}

}  // namespace chunkscope
