// `chunkscope import FILE -o TRACE`: a Chrome trace-event file (Perfetto; .gz allowed) or a Dask
// task stream (Client.get_task_stream(), saved with json.dump) as a chunkscope trace
// (core/trace_import.hpp). Nothing is written unless the whole file imports.
#include <iostream>

#include "chunkscope/core/trace_import.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/exec/pipeline_file.hpp"
#include "commands.hpp"
#include "gzip.hpp"

namespace chunkscope::cli {

void add_import(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("import",
                                 "Make a chunkscope trace of a Chrome trace-event file (Perfetto) or a Dask task "
                                 "stream (Client.get_task_stream())");
  struct Opts {
    std::string in, out;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("FILE", o->in, "Chrome trace-event JSON (.json or .json.gz) or a task stream saved with json.dump")
      ->required();
  cmd->add_option("-o,--output", o->out, "the trace to write (.cstrace.json; .cbor for CBOR; - = standard output)")
      ->required();
  cmd->callback([o, &exit_code] {
    auto fail = [&](const std::string& m) {
      std::cerr << "chunkscope: " << m << "\n";
      exit_code = kBadInput;
    };
    if (!output_allowed(o->out, {{o->in, "the file imported"}}, exit_code)) return;
    std::string bytes;
    try {
      bytes = read_file(o->in);
      if (looks_gzipped(bytes)) bytes = gunzip_bytes(bytes, o->in);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    auto t = import_trace_text(bytes, o->in);
    if (!t) return fail(t.error());
    // What was built must read back as any trace does (the validation every front-end runs).
    const std::string out = is_cbor_path(o->out) ? write_trace_cbor(*t) : write_trace_json(*t);
    if (auto check = read_trace_bytes(out, o->out); !check)
      return fail("the imported trace does not validate: " + check.error());
    try {
      write_output(o->out, out);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      std::cerr << "chunkscope: " << e.what() << "\n";
      exit_code = kRunFailed;
      return;
    }
    if (o->out != "-")
      std::cout << "wrote " << o->out << ": " << t->layers.size() << " layers, " << t->tasks.size() << " tasks on "
                << t->meta.threads << " workers (from " << t->meta.extra.value("imported_from", std::string("?"))
                << ")\n";
  });
}

}  // namespace chunkscope::cli
