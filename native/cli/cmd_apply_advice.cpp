// `chunkscope apply-advice PIPELINE TRACE -o NEW`: the pipeline with the chunk edits of the trace's
// findings applied, written atomically, and what changed.
#include <iostream>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/analysis/apply_edits.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/exec/file_util.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "commands.hpp"

namespace chunkscope::cli {
namespace {

std::string dir_of(const std::string& path) {
  const auto k = path.find_last_of('/');
  return k == std::string::npos ? "." : path.substr(0, k);
}

}  // namespace

void add_apply_advice(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "apply-advice", "Write a pipeline with the chunk edits of a trace's findings applied, to re-run and compare");
  struct Opts {
    std::string pipeline, trace, out, min_severity = "warning";
    double overhead_us = 0;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("PIPELINE", o->pipeline, "the pipeline JSON file that was run")->required();
  cmd->add_option("TRACE", o->trace, "its trace (.cstrace.json or .cstrace.cbor)")->required();
  cmd->add_option("-o,--output", o->out, "where to write the new pipeline")->required();
  cmd->add_option("--min-severity", o->min_severity,
                  "apply edits of findings at least this severe: info, warning (default) or critical")
      ->check(CLI::IsMember({"info", "warning", "critical"}));
  cmd->add_option("--task-overhead-us", o->overhead_us, "per-task overhead in µs (default: measured from the trace)")
      ->check(CLI::PositiveNumber);
  cmd->callback([o, &exit_code] {
    auto fail = [&](const std::string& m) {
      std::cerr << "chunkscope: " << m << "\n";
      exit_code = kBadInput;
    };
    auto g = load_pipeline(o->pipeline);
    if (!g) return fail(g.error());
    // The edited pipeline goes to a new file: it never replaces the pipeline or the trace it came from.
    if (!output_allowed(o->out, {{o->pipeline, "the pipeline read"}, {o->trace, "the trace read"}}, exit_code)) return;
    nlohmann::json doc;
    std::string bytes;
    try {
      doc = nlohmann::json::parse(read_file(o->pipeline));
      bytes = read_file(o->trace);
    } catch (const std::bad_alloc&) {
      throw;  // main() prints the one line for out of memory
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    auto t = read_trace_bytes(bytes, o->trace);
    if (!t) return fail(t.error());
    if (!t->meta.pipeline.empty() && t->meta.pipeline != g->name())
      std::cerr << "chunkscope: note: the trace is of pipeline \"" << t->meta.pipeline << "\", not \"" << g->name()
                << "\"\n";
    AnalysisOptions ao;
    ao.task_overhead_ns = o->overhead_us * 1e3;
    const Severity min = *parse_severity(o->min_severity);
    Findings kept;
    for (const auto& f : analyze(*t, ao))
      if (f.severity >= min) kept.push_back(f);
    const EditResult r = apply_edits(doc, edits_of(kept));
    auto check = parse_pipeline(r.doc, o->out, dir_of(o->pipeline), {.probe_source = probe_source_file});
    if (!check) return fail("the edited pipeline does not validate: " + check.error());
    try {
      write_output(o->out, r.doc.dump(2) + "\n");
    } catch (const std::bad_alloc&) {
      throw;  // main() prints the one line for out of memory
    } catch (const std::exception& e) {
      std::cerr << "chunkscope: " << e.what() << "\n";
      exit_code = kRunFailed;
      return;
    }
    std::ostream& info = o->out == "-" ? std::cerr : std::cout;  // -o -: the pipeline alone on standard output
    info << "wrote " << o->out << ": " << r.changes.size() << (r.changes.size() == 1 ? " change" : " changes") << "\n";
    for (const auto& c : r.changes) info << "  " << c.text << "\n";
    for (const auto& c : r.skipped) info << "  skipped: " << c.text << "\n";
    const std::string text = doc.dump();
    const bool relative_paths = text.find("\"path\"") != std::string::npos ||
                                text.find("\"to_npy\"") != std::string::npos ||
                                text.find("\"to_zarr\"") != std::string::npos;
    if (dir_of(o->out) != dir_of(o->pipeline) && relative_paths)
      info << "note: relative paths (path, to_npy, to_zarr) in " << o->out << " resolve against its own folder\n";
    if (!r.changes.empty())
      info << "next: chunkscope run " << o->out << " --trace NEW_TRACE, then chunkscope diff " << o->trace
           << " NEW_TRACE --html compare.html (the table here, both runs on one time axis in the page)\n";
  });
}

}  // namespace chunkscope::cli
