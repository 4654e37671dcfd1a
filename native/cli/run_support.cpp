#include "run_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/terminal_text.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/core/trace_summary.hpp"
#include "chunkscope/core/units.hpp"
#include "chunkscope/exec/cpu_executor.hpp"
#include "chunkscope/exec/file_util.hpp"
#include "chunkscope/exec/recorder.hpp"
#include "chunkscope/web/html_export.hpp"
#include "commands.hpp"
#include "dashboard_server.hpp"
#include "gpu_loader.hpp"
#include "interrupt.hpp"
#include "live_observer.hpp"

namespace chunkscope::cli {
namespace {

std::atomic<bool> g_cancel{false};
extern "C" void on_sigint(int) { g_cancel.store(true); }

void print_progress(std::int64_t done, std::int64_t total, double seconds) {
  const int width = 30;
  const double f = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int filled = static_cast<int>(f * width);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  std::fprintf(stderr, "\r[%.*s%*s] %lld/%lld tasks  %.0f tasks/s  ETA %.1f s ", filled,
               "##############################", width - filled, "", static_cast<long long>(done),
               static_cast<long long>(total), rate, eta);
  std::fflush(stderr);
}

}  // namespace

int run_pipeline(const Graph& g, const RunRequest& req) {
  std::unique_ptr<Executor> gpu;
  if (req.executor == "cuda") {
    std::string why;
    gpu = load_cuda_executor(req.device_memory_limit, why);
    if (!gpu) {
      std::cerr << "chunkscope: --executor cuda: " << why << "\n";
      return kRunFailed;
    }
  } else if (req.executor != "cpu") {
    std::cerr << "chunkscope: executor \"" << req.executor
              << "\" is not available in this build (use --executor cpu)\n";
    return kRunFailed;
  }
  CpuExecutor cpu;
  Executor& ex = gpu ? *gpu : static_cast<Executor&>(cpu);
  Recorder rec(CHUNKSCOPE_VERSION);
  rec.sample_resources(static_cast<std::int64_t>(req.sample_resources_ms) * 1'000'000);
  RunOptions opt;
  opt.threads = req.threads;
  opt.memory_limit = req.memory_limit;
  opt.cancel = &g_cancel;
  if (!req.no_trace) opt.observer = &rec;
  // --serve: the dashboard on 127.0.0.1, fed snapshots of the growing trace once a second.
  std::unique_ptr<LiveObserver> live;
  std::unique_ptr<DashboardServer> server;
  std::atomic<std::int64_t> live_done{0}, live_total{g.tasks().size()};
  std::atomic<bool> run_over{false};
  std::thread snapshots;
  if (req.serve) {
    try {
      server = std::make_unique<DashboardServer>(web::find_web_assets(program_path()),
                                                 "chunkscope — " + g.name() + " (live)", true);
      const int port = server->bind("127.0.0.1", req.port);
      server->start();
      std::cout << "live dashboard: http://127.0.0.1:" << port << "/ (the run goes on; Ctrl-C stops it)" << std::endl;
    } catch (const std::bad_alloc&) {
      throw;  // main() prints the one line for out of memory
    } catch (const std::exception& e) {
      std::cerr << "chunkscope: --serve: " << e.what() << "\n";
      return kRunFailed;
    }
    live = std::make_unique<LiveObserver>(opt.observer);
    opt.observer = live.get();
    snapshots = std::thread([&] {
      while (!run_over.load()) {
        auto snap = live->snapshot();
        server->set_live("running", live_done.load(), live_total.load(),
                         snap ? write_trace_compact(*snap) : std::string());
        for (int i = 0; i < 10 && !run_over.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  const bool tty = !req.quiet && ::isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();
  bool drew = false;
  if (tty || req.serve) {
    opt.progress = [&, tty](std::int64_t done, std::int64_t total) {
      live_done.store(done);
      live_total.store(total);
      if (!tty) return;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s < 0.3 && done < total) return;  // short runs draw nothing
      print_progress(done, total, s);
      drew = true;
    };
  }
  // Ctrl-C (interrupt.hpp): the first cancels the run, whose trace is still written (marked
  // cancelled); a second removes this process's temporaries and exits with 130 at once.
  std::optional<InterruptGuard> interrupts;
  interrupts.emplace(g_cancel, run_outputs(g,
                                           req.no_trace             ? std::string()
                                           : req.trace_path.empty() ? g.name() + ".cstrace.json"
                                                                    : req.trace_path,
                                           req.html_path));
  void (*old)(int) = SIG_DFL;
  RunResult r;
  auto stop_live = [&] {
    run_over.store(true);
    if (snapshots.joinable()) snapshots.join();
  };
  try {
    r = ex.run(g, opt);
  } catch (const InputError& e) {
    interrupts.reset();
    stop_live();
    // Refused before the first task: say plainly which asked-for files were not written (one
    // line; issue 16 item 8). The executor made no output and no temporary.
    std::string unwritten;
    if (!req.no_trace) unwritten = "trace";
    if (!req.html_path.empty()) unwritten += unwritten.empty() ? "HTML" : " or HTML";
    std::cerr << "chunkscope: " << e.what()
              << (unwritten.empty() ? std::string() : " (nothing ran; no " + unwritten + " written)") << "\n";
    return kBadInput;
  }
  stop_live();
  if (drew) std::fprintf(stderr, "\r%*s\r", 90, "");
  int rc = r.ok() ? kOk : r.status == RunStatus::Cancelled ? kInterrupted : kRunFailed;
  if (!r.ok()) std::cerr << "chunkscope: run " << r.status << ": " << terminal_safe(r.error) << "\n";
  Trace trace;
  std::string trace_path;
  if (!req.no_trace) {
    trace = rec.trace();
    trace_path = req.trace_path.empty() ? g.name() + ".cstrace.json" : req.trace_path;
    try {
      write_file_atomic(trace_path, is_cbor_path(trace_path) ? write_trace_cbor(trace) : write_trace_json(trace));
    } catch (const std::bad_alloc&) {
      throw;  // main() prints the one line for out of memory
    } catch (const std::exception& e) {
      std::cerr << "chunkscope: " << e.what() << "\n";
      rc = kRunFailed;
      trace_path.clear();
    }
  }
  if (!req.html_path.empty()) {
    if (req.no_trace)
      std::cerr << "chunkscope: --html needs the trace; not written with --no-trace\n";
    else if (write_html_report(trace, trace_path.empty() ? g.name() : trace_path, req.html_path, req.quiet) != kOk)
      rc = kRunFailed;
  }
  interrupts.reset();
  auto keep_serving = [&] {
    if (server) {
      auto snap = live->snapshot();
      server->set_live(run_status_name(r.status), r.tasks_run, g.tasks().size(),
                       snap ? write_trace_compact(*snap) : std::string());
      std::cout << "run " << r.status << "; the dashboard stays up until Ctrl-C" << std::endl;
      g_cancel.store(false);
      old = std::signal(SIGINT, on_sigint);
      std::signal(SIGTERM, on_sigint);
      while (!g_cancel.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::signal(SIGINT, old);
      server->stop();
    }
  };
  if (req.quiet) {
    keep_serving();
    return rc;
  }
  std::cout << "ran " << terminal_safe(g.name()) << ": " << r.status << " in "
            << format_duration_ns(static_cast<double>(r.wall_ns)) << ", " << r.tasks_run << "/" << g.tasks().size()
            << " tasks, peak memory " << format_bytes(static_cast<double>(r.peak_bytes));
  if (!req.no_trace && trace.memory.peak_layer >= 0)
    std::cout << " during \"" << terminal_safe(trace.layers[trace.memory.peak_layer].id) << "\"";
  std::cout << "\n";
  if (!req.no_trace) {
    const TraceSummary s = summarize(trace);
    std::vector<const LayerSummary*> top;
    for (const auto& l : s.layers)
      if (l.busy_ns > 0) top.push_back(&l);
    std::sort(top.begin(), top.end(), [](auto* a, auto* b) { return a->busy_ns > b->busy_ns; });
    if (top.size() > 5) top.resize(5);
    if (!top.empty()) std::cout << "top layers by time:\n";
    for (const auto* l : top) {
      const TraceLayer& tl = trace.layers[l->layer];
      std::printf("  %-20s %-16s %10s  %5.1f%%  %lld tasks\n", terminal_safe(tl.id).c_str(),
                  terminal_safe(tl.op).c_str(), format_duration_ns(static_cast<double>(l->busy_ns)).c_str(),
                  s.busy_ns ? 100.0 * static_cast<double>(l->busy_ns) / static_cast<double>(s.busy_ns) : 0.0,
                  static_cast<long long>(l->tasks));
    }
    std::fflush(stdout);
  }
  for (const auto& o : g.outputs()) {
    const Layer& l = g.layer(o.layer);
    std::cout << "output " << terminal_safe(l.id) << " " << format_shape(l.meta.shape) << " "
              << dtype_name(l.meta.dtype);
    const std::string& file = !o.to_npy.empty() ? o.to_npy : o.to_zarr;
    // A run that did not finish wrote no output files (their temporaries were removed).
    if (!file.empty() && !r.ok())
      std::cout << ": not written (the run " << r.status << ")";
    else if (!file.empty())
      std::cout << " -> " << terminal_safe(file);
    else
      for (const auto& a : r.outputs)
        if (a.layer == o.layer) std::cout << ": sum " << a.sum << ", min " << a.min << ", max " << a.max;
    std::cout << "\n";
  }
  if (!trace_path.empty()) std::cout << "trace: " << terminal_safe(trace_path) << "\n";
  if (!req.no_trace) std::cout << "top findings:\n" << findings_text(analyze(trace), 3);
  keep_serving();
  return rc;
}

}  // namespace chunkscope::cli
