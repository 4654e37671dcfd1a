// cs_soak: many short runs in one process, to show that nothing leaks (docs/reliability.md).
//
//   cs_soak [--runs N] [--seconds S] [--threads T] [--every K] [--out DIR] PIPELINE.json...
//
// Each iteration takes the next pipeline (round robin), runs it with the CpuExecutor and a
// Recorder, builds the trace, writes it (JSON, CBOR and compact in turn) to DIR atomically, reads
// it back, checks it round-trips (task count, peak bytes), and analyses it: the work a
// `chunkscope run --trace` plus `chunkscope report` does. Every K iterations it samples the
// process's resident set (/proc/self/statm) and open file descriptors (/proc/self/fd) and prints a
// progress line on stderr. It stops after N runs or S seconds, whichever comes first, and prints
// a JSON summary on stdout: runs, tasks, RSS and fds after warm-up (the first 5% of runs) and at the
// end, their maxima, and the least-squares slope of RSS over the second half, in bytes per 1,000
// runs. Exit 0 when the runs all succeeded, 1 when one failed (its message is printed), 2 on bad
// arguments.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/exec/cpu_executor.hpp"
#include "chunkscope/exec/file_util.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "chunkscope/exec/recorder.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t rss_bytes() {
  long pages_total = 0, pages_resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
  }
  return static_cast<std::int64_t>(pages_resident) * sysconf(_SC_PAGESIZE);
}

int open_fds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
    --n;  // the directory stream itself
  }
  return n;
}

struct Sample {
  std::int64_t run;
  std::int64_t rss;
  int fds;
};

double slope_per_1000(const std::vector<Sample>& s) {
  if (s.size() < 3) return 0;
  double mx = 0, my = 0;
  for (const auto& x : s) mx += static_cast<double>(x.run), my += static_cast<double>(x.rss);
  mx /= static_cast<double>(s.size());
  my /= static_cast<double>(s.size());
  double num = 0, den = 0;
  for (const auto& x : s) {
    num += (static_cast<double>(x.run) - mx) * (static_cast<double>(x.rss) - my);
    den += (static_cast<double>(x.run) - mx) * (static_cast<double>(x.run) - mx);
  }
  return den > 0 ? 1000.0 * num / den : 0;
}

int usage(const std::string& msg, int code) {
  (code ? std::cerr : std::cout)
      << (code ? "cs_soak: " + msg + "\n" : "")
      << "usage: cs_soak [--runs N] [--seconds S] [--threads T] [--every K] [--out DIR] PIPELINE.json...\n"
         "  Runs the pipelines round robin in one process (record, write, read back, analyse) and\n"
         "  reports resident memory and open file descriptors over the runs as JSON.\n";
  return code;
}

std::optional<long> number(const char* v) {
  if (!v) return std::nullopt;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (end == v || *end || n <= 0) return std::nullopt;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 8640, seconds = 1800, threads = 2, every = 100;
  std::string out = "/tmp";
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    auto take = [&](long& dst) {
      const auto n = number(v);
      if (!n) return false;
      dst = *n;
      ++i;
      return true;
    };
    if (a == "-h" || a == "--help") return usage("", 0);
    if (a == "--runs") {
      if (!take(runs)) return usage("--runs needs a positive number", 2);
    } else if (a == "--seconds") {
      if (!take(seconds)) return usage("--seconds needs a positive number", 2);
    } else if (a == "--threads") {
      if (!take(threads)) return usage("--threads needs a positive number", 2);
    } else if (a == "--every") {
      if (!take(every)) return usage("--every needs a positive number", 2);
    } else if (a == "--out") {
      if (!v) return usage("--out needs a folder", 2);
      out = v;
      ++i;
    } else if (!a.empty() && a[0] == '-')
      return usage("unknown option " + a, 2);
    else
      paths.push_back(a);
  }
  if (paths.empty()) return usage("no pipeline given", 2);

  std::vector<chunkscope::Graph> graphs;
  for (const auto& p : paths) {
    auto g = chunkscope::load_pipeline(p);
    if (!g) {
      std::cerr << "cs_soak: " << g.error() << "\n";
      return 2;
    }
    graphs.push_back(std::move(*g));
  }
  const std::string trace_base = out + "/cs_soak." + std::to_string(getpid());
  const char* exts[] = {".cstrace.json", ".cstrace.cbor", ".cstrace.compact"};

  chunkscope::CpuExecutor ex;
  std::vector<Sample> samples;
  std::int64_t tasks = 0, findings = 0;
  const auto t0 = Clock::now();
  long done = 0;
  for (; done < runs; ++done) {
    if (std::chrono::duration<double>(Clock::now() - t0).count() > static_cast<double>(seconds)) break;
    const chunkscope::Graph& g = graphs[static_cast<size_t>(done) % graphs.size()];
    chunkscope::Recorder rec(paths[static_cast<size_t>(done) % paths.size()]);
    chunkscope::RunOptions opt;
    opt.threads = static_cast<int>(threads);
    opt.observer = &rec;
    const chunkscope::RunResult r = ex.run(g, opt);
    if (!r.ok()) {
      std::cerr << "cs_soak: run " << done << " (" << g.name() << ") " << r.status << ": " << r.error << "\n";
      return 1;
    }
    tasks += r.tasks_run;
    const chunkscope::Trace t = rec.trace();
    const int fmt = static_cast<int>(done % 3);
    const std::string path = trace_base + exts[fmt];
    const std::string bytes = fmt == 0   ? chunkscope::write_trace_json(t)
                              : fmt == 1 ? chunkscope::write_trace_cbor(t)
                                         : chunkscope::write_trace_compact(t);
    chunkscope::write_file_atomic(path, bytes);
    auto back = chunkscope::read_trace_bytes(chunkscope::read_file(path), path);
    if (!back || back->tasks.size() != t.tasks.size() || back->memory.peak_bytes != t.memory.peak_bytes) {
      std::cerr << "cs_soak: run " << done << ": " << path
                << " did not read back: " << (back ? "contents differ" : back.error()) << "\n";
      return 1;
    }
    findings += static_cast<std::int64_t>(chunkscope::analyze(*back).size());
    if (done % every == 0) {
      samples.push_back({done, rss_bytes(), open_fds()});
      std::cerr << "\rcs_soak: " << done << " runs, RSS " << samples.back().rss / (1 << 20) << " MiB, "
                << samples.back().fds << " fds   " << std::flush;
    }
  }
  std::cerr << "\n";
  samples.push_back({done, rss_bytes(), open_fds()});
  for (const char* e : exts) std::remove((trace_base + e).c_str());

  const size_t warm = std::max<size_t>(1, samples.size() / 20);
  const std::vector<Sample> second_half(samples.begin() + static_cast<std::ptrdiff_t>(samples.size() / 2),
                                        samples.end());
  std::int64_t rss_max = 0;
  int fds_max = 0;
  for (size_t i = warm; i < samples.size(); ++i)
    rss_max = std::max(rss_max, samples[i].rss), fds_max = std::max(fds_max, samples[i].fds);
  nlohmann::json j;
  j["runs"] = done;
  j["pipelines"] = paths;
  j["threads"] = threads;
  j["tasks"] = tasks;
  j["findings"] = findings;
  j["seconds"] = std::chrono::duration<double>(Clock::now() - t0).count();
  j["rss_after_warmup_bytes"] = samples[warm].rss;
  j["rss_end_bytes"] = samples.back().rss;
  j["rss_max_bytes"] = rss_max;
  j["rss_slope_second_half_bytes_per_1000_runs"] = slope_per_1000(second_half);
  j["fds_after_warmup"] = samples[warm].fds;
  j["fds_end"] = samples.back().fds;
  j["fds_max"] = fds_max;
  nlohmann::json series = nlohmann::json::array();
  for (const auto& s : samples) series.push_back({s.run, s.rss, s.fds});
  j["samples_run_rss_fds"] = series;
  std::cout << j.dump() << "\n";
  return 0;
}
