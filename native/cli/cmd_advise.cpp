// `chunkscope advise`: chunk shapes for an array (--shape, --dtype) or for a whole pipeline.
#include <iostream>
#include <sstream>
#include <thread>

#include "chunkscope/core/analysis/apply_edits.hpp"
#include "chunkscope/core/analysis/chunk_advisor.hpp"
#include "chunkscope/core/analysis/chunk_flow.hpp"
#include "chunkscope/core/analysis/pipeline_advisor.hpp"
#include "chunkscope/core/units.hpp"
#include "chunkscope/exec/file_util.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "commands.hpp"

namespace chunkscope::cli {
namespace {

// "64,8192,8192" (also "64x8192x8192", "64×8192×8192") -> shape; empty on error.
Shape parse_shape(std::string s) {
  for (const std::string sep : {"×", "x", "X", " "}) {
    for (size_t k = s.find(sep); k != std::string::npos; k = s.find(sep)) s.replace(k, sep.size(), ",");
  }
  Shape out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (part.empty()) continue;
    try {
      size_t used = 0;
      const long long v = std::stoll(part, &used);
      if (used != part.size() || v <= 0) return {};
      out.push_back(v);
    } catch (const std::exception&) {
      return {};
    }
  }
  return out;
}

std::string dir_of(const std::string& path) {
  const auto k = path.find_last_of('/');
  return k == std::string::npos ? "." : path.substr(0, k);
}

}  // namespace

void add_advise(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "advise",
      "Recommend chunk shapes near a byte target: for an array (--shape, --dtype) or for every source and "
      "rechunk of a pipeline, explaining why");
  struct Opts {
    std::string pipeline, shape, dtype = "float64", target, access = "any", out;
    int threads = 0;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("PIPELINE", o->pipeline, "pipeline JSON file (or give --shape)");
  cmd->add_option("--shape", o->shape, "array shape, e.g. 64,8192,8192");
  cmd->add_option("--dtype", o->dtype, "element type (default float64)");
  cmd->add_option("--target", o->target,
                  "bytes per chunk to aim for (default: 1MiB for a PIPELINE, which chunkscope's executors run; "
                  "128MiB for --shape, as Dask's array.chunk-size)");
  cmd->add_option("--access", o->access,
                  "how the array is read: plane (whole planes), column (whole first axis), any (default)")
      ->check(CLI::IsMember({"plane", "column", "any"}));
  cmd->add_option("--threads,-j", o->threads, "threads to leave at least 2 chunks each (default: number of cores)")
      ->check(CLI::Range(1, 1 << 16));
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->add_option("-o,--output", o->out, "with PIPELINE: write the pipeline with the advised chunks to this file");
  cmd->callback([o, &exit_code] {
    auto fail = [&](const std::string& m) {
      std::cerr << "chunkscope: " << m << "\n";
      exit_code = kBadInput;
    };
    if (o->target.empty()) o->target = o->pipeline.empty() ? "128MiB" : "1MiB";  // docs/rules.md, "Chunk targets"
    const auto target = parse_bytes(o->target);
    if (!target || *target <= 0) return fail("--target: \"" + o->target + "\" is not a size (use e.g. 64MiB, 128MiB)");
    const int threads =
        o->threads > 0 ? o->threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (o->pipeline.empty() == o->shape.empty())
      return fail("advise: give either a PIPELINE or --shape (with --dtype)");
    if (!o->shape.empty()) {
      if (!o->out.empty()) return fail("advise: -o needs a PIPELINE");
      ChunkRequest r;
      r.shape = parse_shape(o->shape);
      if (r.shape.empty()) return fail("--shape: \"" + o->shape + "\" is not a shape (use e.g. 64,8192,8192)");
      const auto dt = parse_dtype(o->dtype);
      if (!dt) {
        const std::string why = unsupported_dtype_reason(o->dtype);
        return fail(
            "--dtype: " +
            (why.empty() ? "unknown dtype \"" + o->dtype + "\" (use " + std::string(dtype_names_list()) + ")" : why));
      }
      r.dtype = *dt;
      r.target_bytes = *target;
      r.access = *parse_access(o->access);
      r.threads = threads;
      std::vector<ChunkCandidate> c;
      try {
        c = advise_chunks(r);
      } catch (const InputError& e) {
        return fail(e.what());
      }
      if (!o->json) {
        std::cout << chunk_candidates_text(r, c);
        return;
      }
      nlohmann::json j{{"shape", r.shape},
                       {"dtype", std::string(dtype_name(r.dtype))},
                       {"target_bytes", r.target_bytes},
                       {"access", std::string(access_name(r.access))},
                       {"threads", threads},
                       {"candidates", nlohmann::json::array()}};
      for (const auto& x : c)
        j["candidates"].push_back({{"label", x.label},
                                   {"chunks", x.chunk},
                                   {"chunk_bytes", x.chunk_bytes},
                                   {"num_chunks", x.chunks},
                                   {"spec", chunk_spec_json(r.shape, x.chunk)},
                                   {"why", x.why}});
      std::cout << j.dump(2) << "\n";
      return;
    }
    if (o->access != "any")
      std::cerr << "chunkscope: note: --access applies to --shape; for a pipeline the consumers decide\n";
    auto g = load_pipeline(o->pipeline);
    if (!g) return fail(g.error());
    PipelineAdviceOptions po;
    po.target_bytes = *target;
    po.threads = threads;
    const auto advice = advise_pipeline(trace_layers_of(*g), po);
    if (o->json)
      std::cout << pipeline_advice_json(g->name(), advice, po).dump(2) << "\n";
    else
      std::cout << pipeline_advice_text(g->name(), advice, po);
    if (o->out.empty()) return;
    std::vector<PipelineEdit> edits;
    for (const auto& a : advice)
      for (const auto& e : a.edits) edits.push_back({e, "advise"});
    try {
      const nlohmann::json doc = nlohmann::json::parse(read_file(o->pipeline));
      const EditResult r = apply_edits(doc, edits);
      auto check = parse_pipeline(r.doc, o->out, dir_of(o->pipeline), {.probe_source = probe_source_file});
      if (!check) return fail("the advised pipeline does not validate: " + check.error());
      write_file_atomic(o->out, r.doc.dump(2) + "\n");
      std::cerr << "wrote " << o->out << " (" << r.changes.size() << (r.changes.size() == 1 ? " change" : " changes")
                << ")\n";
    } catch (const std::bad_alloc&) {
      throw;  // main() prints the one line for out of memory
    } catch (const std::exception& e) {
      std::cerr << "chunkscope: " << e.what() << "\n";
      exit_code = kRunFailed;
    }
  });
}

}  // namespace chunkscope::cli
