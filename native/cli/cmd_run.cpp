// `chunkscope run`, `chunkscope report`.
#include <fstream>
#include <iostream>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/core/trace_summary.hpp"
#include "chunkscope/core/units.hpp"
#include "chunkscope/exec/file_util.hpp"
#include "chunkscope/exec/output_paths.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "commands.hpp"
#include "dask_handoff.hpp"
#include "run_support.hpp"

namespace chunkscope::cli {

void add_run(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("run", "Run a pipeline, write its outputs and a trace, print a summary");
  struct Opts {
    std::string path, memory_limit, device_memory_limit;
    RunRequest req;
    DaskTarget dask;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("PIPELINE", o->path, "pipeline JSON file")->required();
  cmd->add_option("--threads,-j", o->req.threads, "worker threads (default: number of cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--executor", o->req.executor, "cpu (default), cuda, or dask (docs/distributed.md)")
      ->check(CLI::IsMember({"cpu", "cuda", "dask"}));
  auto* scheduler = cmd->add_option("--scheduler", o->dask.scheduler,
                                    "--executor dask: address of a running Dask scheduler (tcp://host:8786)");
  cmd->add_option("--local-cluster", o->dask.local_cluster,
                  "--executor dask: run on a LocalCluster of N worker processes on 127.0.0.1")
      ->check(CLI::Range(1, 1024))
      ->excludes(scheduler);
  // Whether a limit was given is asked of CLI11, not read from the string: `--memory-limit ""` is refused, not ignored.
  auto* memory_limit =
      cmd->add_option("--memory-limit", o->memory_limit, "most bytes of live chunks, e.g. 4GiB (default: no limit)");
  auto* device_memory_limit =
      cmd->add_option("--device-memory-limit", o->device_memory_limit,
                      "--executor cuda: most bytes of live device chunks (default: 90% of free)");
  cmd->add_option("--trace", o->req.trace_path, "trace file (default: <pipeline name>.cstrace.json; .cbor for CBOR)");
  cmd->add_flag("--no-trace", o->req.no_trace, "do not record or write a trace");
  cmd->add_option("--sample-resources-ms", o->req.sample_resources_ms,
                  "sample the process's RSS and CPU% every N ms into the trace (default 10; 0 = off)")
      ->check(CLI::Range(0, 60000));
  cmd->add_flag("--quiet,-q", o->req.quiet, "print nothing but errors");
  cmd->add_option("--html", o->req.html_path, "also write the self-contained HTML dashboard of the run to this file");
  cmd->add_flag(
      "--serve", o->req.serve,
      "serve the dashboard on 127.0.0.1 while the run goes on (live progress and timeline); stays up until Ctrl-C");
  cmd->add_option("--port", o->req.port,
                  "port for --serve (default " + std::to_string(kDefaultServePort) + "; 0 = any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->callback([o, memory_limit, device_memory_limit, &exit_code] {
    if (o->req.executor != "dask" && (!o->dask.scheduler.empty() || o->dask.local_cluster > 0)) {
      std::cerr << "chunkscope: --scheduler and --local-cluster go with --executor dask\n";
      exit_code = kBadInput;
      return;
    }
    if (o->req.executor == "dask" && (o->req.serve || device_memory_limit->count() > 0)) {
      std::cerr << "chunkscope: --executor dask: "
                << (o->req.serve ? "--serve is not available (Dask's own dashboard shows the live run)"
                                 : "--device-memory-limit is for --executor cuda")
                << "\n";
      exit_code = kBadInput;
      return;
    }
    if (memory_limit->count() > 0) {
      const auto b = parse_bytes(o->memory_limit);
      if (!b || *b <= 0) {
        std::cerr << "chunkscope: --memory-limit: \"" << o->memory_limit
                  << "\" is not a size (use e.g. 512MiB, 4GiB)\n";
        exit_code = kBadInput;
        return;
      }
      o->req.memory_limit = *b;
    }
    if (device_memory_limit->count() > 0) {
      const auto b = parse_bytes(o->device_memory_limit);
      if (!b || *b <= 0) {
        std::cerr << "chunkscope: --device-memory-limit: \"" << o->device_memory_limit
                  << "\" is not a size (use e.g. 512MiB, 4GiB)\n";
        exit_code = kBadInput;
        return;
      }
      o->req.device_memory_limit = *b;
    }
    auto g = load_pipeline(o->path);
    if (!g) {
      std::cerr << "chunkscope: " << g.error() << "\n";
      exit_code = kBadInput;
      return;
    }
    if (o->req.trace_path.empty() && !o->req.no_trace) o->req.trace_path = g->name() + ".cstrace.json";
    try {
      // Before anything runs: no output may replace the pipeline, a source, another output or
      // anything that is not its own (docs/reliability.md, "What a run may write").
      check_run_paths(*g, {o->path, o->req.no_trace ? "" : o->req.trace_path, o->req.html_path});
    } catch (const InputError& e) {
      std::cerr << "chunkscope: " << e.what() << "\n";
      exit_code = kBadInput;
      return;
    }
    if (o->req.executor == "dask") {
      exit_code = run_on_dask(o->path, o->req, o->dask);  // returns only when Python cannot start
      return;
    }
    exit_code = run_pipeline(*g, o->req);
  });
}

void add_report(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "report", "Print a trace's per-layer table: chunk shapes in and out, tasks, time, critical path, bytes, memory");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto overhead_us = std::make_shared<double>(0);
  auto out = std::make_shared<std::string>("-");
  cmd->add_option("TRACE", *path, "trace file (.cstrace.json or .cstrace.cbor)")->required();
  cmd->add_flag("--json", *json, "print JSON");
  cmd->add_option("-o,--output", *out,
                  "write the report to this file instead of standard output (- = standard output)");
  cmd->add_option("--task-overhead-us", *overhead_us,
                  "per-task overhead in µs for the findings (default: measured from the trace)")
      ->check(CLI::PositiveNumber);
  cmd->callback([path, json, overhead_us, out, &exit_code] {
    auto t = load_trace_file(*path);
    if (!t) {
      std::cerr << "chunkscope: " << t.error() << "\n";
      exit_code = kBadInput;
      return;
    }
    if (!output_allowed(*out, {{*path, "the trace read"}}, exit_code)) return;
    auto emit = [&](const std::string& text) {
      try {
        write_output(*out, text);
      } catch (const std::bad_alloc&) {
        throw;  // main() prints the one line for out of memory
      } catch (const std::exception& e) {
        std::cerr << "chunkscope: " << e.what() << "\n";
        exit_code = kRunFailed;
      }
    };
    const TraceSummary s = summarize(*t);
    AnalysisOptions ao;
    ao.task_overhead_ns = *overhead_us * 1e3;
    ao.summary = &s;
    const Findings findings = analyze(*t, ao);
    if (!*json) {
      emit(summary_table(*t, s) + "\nfindings (" + std::to_string(findings.size()) +
           "; docs/rules.md explains each rule):\n" + findings_text(findings));
      return;
    }
    nlohmann::json j;
    j["pipeline"] = t->meta.pipeline;
    j["status"] = t->meta.status;
    j["wall_ns"] = t->meta.wall_ns;
    j["peak_bytes"] = t->memory.peak_bytes;
    j["peak_layer"] =
        t->memory.peak_layer >= 0 ? nlohmann::json(t->layers[t->memory.peak_layer].id) : nlohmann::json(nullptr);
    j["critical_ns"] = s.critical_ns;
    j["layers"] = nlohmann::json::array();
    for (const auto& l : s.layers) {
      const TraceLayer& tl = t->layers[l.layer];
      j["layers"].push_back({{"id", tl.id},
                             {"op", tl.op},
                             {"group", tl.group},
                             {"in_chunk_shape", l.in_chunk_shape},
                             {"out_chunk_shape", l.out_chunk_shape},
                             {"tasks", l.tasks},
                             {"busy_ns", l.busy_ns},
                             {"critical_ns", l.critical_ns},
                             {"bytes", l.output_bytes},
                             {"peak_live_bytes", l.peak_live_bytes},
                             {"median_task_ns", l.median_task_ns},
                             {"max_task_ns", l.max_task_ns}});
    }
    j["findings"] = findings_to_json(findings);
    emit(j.dump(2) + "\n");
  });
}

}  // namespace chunkscope::cli
