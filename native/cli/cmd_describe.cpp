// `chunkscope validate` and `chunkscope describe`.
#include <iostream>

#include "chunkscope/core/describe.hpp"
#include "chunkscope/exec/output_paths.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "commands.hpp"

namespace chunkscope::cli {

void add_validate(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "validate", "Check a pipeline file without running it (exit 0 if valid, 2 with a one-line reason if not)");
  auto path = std::make_shared<std::string>();
  cmd->add_option("PIPELINE", *path, "pipeline JSON file")->required();
  cmd->callback([path, &exit_code] {
    auto g = load_pipeline(*path);
    if (!g) {
      std::cerr << "chunkscope: " << g.error() << "\n";
      exit_code = kBadInput;
      return;
    }
    try {
      check_run_paths(*g, {.pipeline = *path});  // the outputs' paths, as `run` checks them before running
    } catch (const InputError& e) {
      std::cerr << "chunkscope: " << e.what() << "\n";
      exit_code = kBadInput;
      return;
    }
    std::cout << *path << ": ok (" << g->layers().size() << " layers, " << g->tasks().size() << " tasks)\n";
  });
}

void add_describe(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("describe",
                         "Show a pipeline's layers: op, group, shape, chunk shape, chunks, tasks and bytes per chunk "
                         "(also of a trace or a Dask plan document)");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("PIPELINE", *path, "pipeline JSON file, or a trace / plan document")->required();
  cmd->add_flag("--json", *json, "print JSON instead of a table");
  cmd->callback([path, json, &exit_code] {
    auto g = load_pipeline(*path);
    if (!g) {
      if (auto t = load_trace_file(*path)) {  // a trace or a plan document (chunkscope.dask.plan(...).save)
        if (*json)
          std::cout << describe_trace_json(*t).dump(2) << "\n";
        else
          std::cout << describe_trace_text(*t);
        return;
      }
      std::cerr << "chunkscope: " << g.error() << "\n";
      exit_code = kBadInput;
      return;
    }
    if (*json)
      std::cout << describe_json(*g).dump(2) << "\n";
    else
      std::cout << describe_text(*g);
  });
}

}  // namespace chunkscope::cli
