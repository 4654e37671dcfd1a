// `chunkscope demo`: runs the embedded default sample (samples/pipelines/cells.json, compiled in).
#include <filesystem>
#include <iostream>

#include "chunkscope/core/pipeline.hpp"
#include "commands.hpp"
#include "demo_pipeline.hpp"
#include "run_support.hpp"

namespace chunkscope::cli {

void add_demo(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("demo",
                                 "Run the built-in sample (a microscopy stack: blur, threshold, per-plane measures) "
                                 "and show what chunkscope records");
  auto req = std::make_shared<RunRequest>();
  auto dir = std::make_shared<std::string>("chunkscope-demo");
  cmd->add_option("--dir", *dir, "folder for the demo's outputs and trace (default: ./chunkscope-demo)");
  cmd->add_option("--threads,-j", req->threads, "worker threads (default: number of cores)")
      ->check(CLI::Range(1, 1024));
  cmd->callback([dir, req, &exit_code] {
    std::error_code ec;
    std::filesystem::create_directories(*dir + "/out", ec);
    if (ec) {
      std::cerr << "chunkscope: " << *dir << ": cannot create: " << ec.message() << "\n";
      exit_code = kRunFailed;
      return;
    }
    auto g = parse_pipeline_text(kDemoPipeline, "cells.json (built in)", *dir);
    if (!g) {
      std::cerr << "chunkscope: " << g.error() << "\n";
      exit_code = kBadInput;
      return;
    }
    std::cout << g->description() << "\n\n";
    req->trace_path = *dir + "/" + g->name() + ".cstrace.json";
    exit_code = run_pipeline(*g, *req);
    if (exit_code == kOk) std::cout << "\nnext: chunkscope report " << req->trace_path << "   (per-layer table)\n";
  });
}

}  // namespace chunkscope::cli
