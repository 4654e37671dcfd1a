// cs_bench: runs one pipeline several times with the CpuExecutor and prints timings as JSON.
//
//   cs_bench PIPELINE.json [--threads N] [--repeat R] [--no-record] [--record-ab] [--trace FILE]
//            [--no-push-down]
//
// Wall times cover CpuExecutor::run only (the pipeline is parsed and expanded into tasks once,
// before the first run). With a Recorder attached (the default) every run is recorded as
// `chunkscope run` records it; --no-record runs without an observer. --record-ab alternates runs
// with and without the Recorder (R of each) so that the recorder's overhead is measured under the
// same machine load. --trace writes the trace of the last recorded run (for `chunkscope report`).
// --no-push-down keeps a rechunk/slice after a source as its own layer (for comparison only).
// Peak RSS is the process's (getrusage ru_maxrss): run one workload per process.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/exec/cpu_executor.hpp"
#include "chunkscope/exec/file_util.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "chunkscope/exec/recorder.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::int64_t max_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<std::int64_t>(ru.ru_maxrss) * 1024;  // Linux: KiB
}

/// User + system CPU seconds of the whole process so far (all threads).
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

/// Minor page faults of the whole process so far.
std::int64_t minor_faults() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<std::int64_t>(ru.ru_minflt);
}

struct Series {
  std::vector<double> wall_s, cpu_s;
  std::vector<std::int64_t> faults;
  nlohmann::json summary() const {
    std::vector<double> v = wall_s;
    std::sort(v.begin(), v.end());
    nlohmann::json j;
    j["runs_s"] = wall_s;
    j["cpu_s"] = cpu_s;
    j["page_faults"] = faults;
    j["best_s"] = v.empty() ? 0.0 : v.front();
    j["median_s"] = v.empty() ? 0.0 : (v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]));
    return j;
  }
};

/// The `n` layers with the most task time (sum of task durations) in a trace, with their share.
nlohmann::json top_layers(const chunkscope::Trace& t, std::size_t n) {
  std::vector<double> busy(t.layers.size(), 0.0);
  double total = 0;
  for (std::int64_t i = 0; i < t.tasks.size(); ++i) {
    const double d = static_cast<double>(t.tasks.duration(i));
    busy[t.tasks.layer[i]] += d;
    total += d;
  }
  std::vector<std::size_t> idx(busy.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return busy[a] > busy[b]; });
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t k = 0; k < std::min(n, idx.size()); ++k) {
    const auto& l = t.layers[idx[k]];
    out.push_back({{"id", l.id},
                   {"op", l.op},
                   {"busy_s", busy[idx[k]] * 1e-9},
                   {"share", total > 0 ? busy[idx[k]] / total : 0.0}});
  }
  return out;
}

int usage(const char* msg) {
  std::cerr << "cs_bench: " << msg << "\n"
            << "usage: cs_bench PIPELINE.json [--threads N] [--repeat R] [--no-record] [--record-ab] [--trace FILE]"
               " [--no-push-down]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, trace_path;
  int threads = 0, repeat = 3;
  bool record = true, record_ab = false, push_down = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--threads") {
      const char* v = next();
      if (!v) return usage("--threads needs a number");
      threads = std::atoi(v);
    } else if (a == "--repeat") {
      const char* v = next();
      if (!v) return usage("--repeat needs a number");
      repeat = std::max(1, std::atoi(v));
    } else if (a == "--no-record") {
      record = false;
    } else if (a == "--record-ab") {
      record_ab = true;
    } else if (a == "--no-push-down") {
      push_down = false;
    } else if (a == "--trace") {
      const char* v = next();
      if (!v) return usage("--trace needs a file name");
      trace_path = v;
    } else if (a == "-h" || a == "--help") {
      usage("benchmark driver");
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      return usage(("unknown option " + a).c_str());
    } else if (path.empty()) {
      path = a;
    } else {
      return usage("one pipeline only");
    }
  }
  if (path.empty()) return usage("no pipeline given");

  const auto t_load = Clock::now();
  chunkscope::PipelineOptions popt;
  popt.push_into_sources = push_down;
  auto g = chunkscope::load_pipeline(path, popt);
  if (!g) {
    std::cerr << "cs_bench: " << g.error() << "\n";
    return 2;
  }
  const double load_s = seconds_since(t_load);
  const chunkscope::Graph& graph = *g;
  const std::int64_t rss_after_load = max_rss_bytes();

  chunkscope::CpuExecutor ex;
  Series with_rec, without_rec;
  double trace_build_s = 0;
  std::int64_t tasks = 0, peak_bytes = 0;
  int peak_layer = -1;
  nlohmann::json outputs = nlohmann::json::array();
  chunkscope::Trace last_trace;

  auto run_once = [&](bool rec_on) -> bool {
    chunkscope::Recorder rec("bench");
    chunkscope::RunOptions opt;
    opt.threads = threads;
    if (rec_on) opt.observer = &rec;
    const std::int64_t f0 = minor_faults();
    const double c0 = cpu_seconds();
    const auto t0 = Clock::now();
    chunkscope::RunResult r = ex.run(graph, opt);
    const double wall = seconds_since(t0);
    const double cpu = cpu_seconds() - c0;
    if (!r.ok()) {
      std::cerr << "cs_bench: run " << r.status << ": " << r.error << "\n";
      return false;
    }
    (rec_on ? with_rec : without_rec).wall_s.push_back(wall);
    (rec_on ? with_rec : without_rec).cpu_s.push_back(cpu);
    (rec_on ? with_rec : without_rec).faults.push_back(minor_faults() - f0);
    tasks = r.tasks_run;
    peak_bytes = std::max(peak_bytes, r.peak_bytes);
    outputs = nlohmann::json::array();
    for (const auto& o : r.outputs)
      outputs.push_back({{"layer", graph.layer(o.layer).id}, {"sum", o.sum}, {"min", o.min}, {"max", o.max}});
    if (rec_on) {
      const auto tt = Clock::now();
      last_trace = rec.trace();
      trace_build_s = seconds_since(tt);
      peak_layer = last_trace.memory.peak_layer;
    }
    return true;
  };

  try {
    for (int i = 0; i < repeat; ++i) {
      if (record_ab) {
        // Alternate which goes first so that neither side always runs on a warmer cache.
        const bool first = (i % 2 == 0);
        if (!run_once(first) || !run_once(!first)) return 1;
      } else if (!run_once(record)) {
        return 1;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "cs_bench: " << e.what() << "\n";
    return 2;
  }

  if (!trace_path.empty() && !last_trace.layers.empty()) {
    chunkscope::write_file_atomic(trace_path, chunkscope::is_cbor_path(trace_path)
                                                  ? chunkscope::write_trace_cbor(last_trace)
                                                  : chunkscope::write_trace_json(last_trace));
  }

  nlohmann::json j;
  j["tool"] = "chunkscope";
  j["pipeline"] = graph.name();
  j["threads"] = threads;
  j["repeat"] = repeat;
  j["layers"] = graph.layers().size();
  j["tasks"] = tasks;
  j["load_s"] = load_s;
  if (record_ab) {
    j["record"] = with_rec.summary();
    j["no_record"] = without_rec.summary();
    const double b_rec = j["record"]["best_s"], b_no = j["no_record"]["best_s"];
    const double m_rec = j["record"]["median_s"], m_no = j["no_record"]["median_s"];
    j["record_overhead_best_pct"] = b_no > 0 ? 100.0 * (b_rec - b_no) / b_no : 0.0;
    j["record_overhead_median_pct"] = m_no > 0 ? 100.0 * (m_rec - m_no) / m_no : 0.0;
    j["best_s"] = b_rec;
    j["median_s"] = m_rec;
  } else {
    const Series& s = record ? with_rec : without_rec;
    nlohmann::json sj = s.summary();
    j["record"] = record;
    j["runs_s"] = sj["runs_s"];
    j["cpu_s"] = sj["cpu_s"];
    j["page_faults"] = sj["page_faults"];
    j["best_s"] = sj["best_s"];
    j["median_s"] = sj["median_s"];
  }
  if (record || record_ab) j["trace_build_s"] = trace_build_s;
  j["peak_bytes"] = peak_bytes;
  j["top_layers"] = top_layers(last_trace, 3);
  if (peak_layer >= 0 && peak_layer < static_cast<int>(last_trace.layers.size()))
    j["peak_layer"] = last_trace.layers[peak_layer].id;
  j["rss_after_load_bytes"] = rss_after_load;
  j["peak_rss_bytes"] = max_rss_bytes();
  j["outputs"] = outputs;
  // OpenBLAS is loaded by the matmul kernel on first use (exec/src/kernels/matmul.cpp): ask the
  // loaded copy, if any, which kernel it runs.
  std::string core, cfg;
  for (const char* name : {"libopenblas.so.0", "libopenblas.so"}) {
    void* h = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
    if (!h) continue;
    using Str = char* (*)();
    if (auto f = reinterpret_cast<Str>(dlsym(h, "openblas_get_corename")); f && f()) core = f();
    if (auto f = reinterpret_cast<Str>(dlsym(h, "openblas_get_config")); f && f()) cfg = f();
    break;
  }
  j["openblas_core"] = core;
  j["openblas_config"] = cfg;
  std::cout << j.dump() << std::endl;
  return 0;
}
