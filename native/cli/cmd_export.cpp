// `chunkscope export TRACE -o OUT`: the Chrome trace-event format (Perfetto; gzip-compressed when OUT
// ends in .gz), or the trace in another of its encodings.
#include <iostream>

#include "chunkscope/core/trace_io.hpp"
#include "commands.hpp"
#include "gzip.hpp"

namespace chunkscope::cli {

void add_export(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "export",
      "Convert a trace: to the Chrome trace-event format (Perfetto), or between JSON, CBOR and the compact encoding");
  struct Opts {
    std::string path, format = "chrome", out;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("TRACE", o->path, "trace file")->required();
  cmd->add_option("--format", o->format,
                  "chrome (default), json, cbor or compact (delta-encoded columns, ~10x smaller than CBOR)")
      ->check(CLI::IsMember({"chrome", "json", "cbor", "compact"}));
  cmd->add_option("-o,--output", o->out,
                  "output file (- = standard output; --format chrome: .json.gz is written gzip-compressed)")
      ->required();
  cmd->callback([o, &exit_code] {
    if (o->format != "chrome" && is_gzip_path(o->out)) {
      std::cerr << "chunkscope: -o " << o->out << ": only --format chrome is written gzip-compressed (.gz)\n";
      exit_code = kBadInput;
      return;
    }
    auto t = load_trace_file(o->path);
    if (!t) {
      std::cerr << "chunkscope: " << t.error() << "\n";
      exit_code = kBadInput;
      return;
    }
    if (!output_allowed(o->out, {{o->path, "the trace read"}}, exit_code)) return;
    try {
      if (o->format == "chrome") {
        const std::string text = trace_to_chrome(*t).dump();
        write_output(o->out, is_gzip_path(o->out) ? gzip_bytes(text) : text);
      } else if (o->format == "json") {
        write_output(o->out, write_trace_json(*t));
      } else if (o->format == "compact") {
        write_output(o->out, write_trace_compact(*t));
      } else {
        write_output(o->out, write_trace_cbor(*t));
      }
    } catch (const std::bad_alloc&) {
      throw;  // main() prints the one line for out of memory
    } catch (const std::exception& e) {
      std::cerr << "chunkscope: " << e.what() << "\n";
      exit_code = kRunFailed;
      return;
    }
    if (o->out != "-") std::cout << "wrote " << o->out << "\n";
  });
}

}  // namespace chunkscope::cli
