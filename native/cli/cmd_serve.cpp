// `chunkscope serve TRACE... [--port N]`: the dashboard for one or more traces on 127.0.0.1.
#include <csignal>
#include <filesystem>
#include <iostream>

#include "chunkscope/core/analysis/analysis.hpp"
#include "chunkscope/core/trace_io.hpp"
#include "chunkscope/web/html_export.hpp"
#include "commands.hpp"
#include "dashboard_server.hpp"

namespace chunkscope::cli {

namespace {
DashboardServer* g_server = nullptr;
extern "C" void stop_serving(int) {
  if (g_server) g_server->stop();
}
}  // namespace

void add_serve(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "serve", "Serve the dashboard for one or more traces on 127.0.0.1 (a browser opens it; Ctrl-C stops)");
  struct Opts {
    std::vector<std::string> paths;
    int port = kDefaultServePort;
    std::string host = "127.0.0.1";
    bool allow_remote = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("TRACE", o->paths, "trace files (.cstrace.json, .cstrace.cbor or compact)")->required();
  cmd->add_option("--port,-p", o->port, "port (default " + std::to_string(kDefaultServePort) + "; 0 = any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--host", o->host, "address to listen on (default 127.0.0.1; others need --allow-remote)");
  cmd->add_flag("--allow-remote", o->allow_remote,
                "allow listening on a non-local address and answer requests for any host name (anyone who can reach it "
                "can read the traces)");
  cmd->callback([o, &exit_code] {
    if (!is_loopback(o->host) && !o->allow_remote) {
      std::cerr << "chunkscope: serve: refusing to listen on " << o->host
                << ": only 127.0.0.1 is served unless --allow-remote is given\n";
      exit_code = kBadInput;
      return;
    }
    struct Loaded {
      std::string name, compact, findings;
    };
    std::vector<Loaded> traces;
    for (const auto& p : o->paths) {
      auto t = load_trace_file(p);
      if (!t) {
        std::cerr << "chunkscope: " << t.error() << "\n";
        exit_code = kBadInput;
        return;
      }
      traces.push_back({std::filesystem::path(p).filename().string(), write_trace_compact(*t),
                        findings_to_json(analyze(*t)).dump()});
    }
    try {
      DashboardServer server(web::find_web_assets(program_path()), "chunkscope — " + traces.front().name, false);
      for (auto& t : traces) server.add_trace(t.name, std::move(t.compact), std::move(t.findings));
      if (o->allow_remote) server.allow_any_host();
      const int port = server.bind(o->host, o->port);
      if (!is_loopback(o->host))
        std::cerr << "chunkscope: WARNING: serving on " << o->host << ":" << port
                  << " — anyone who can reach this address can read these traces\n";
      std::cout << "serving " << traces.size() << " trace" << (traces.size() == 1 ? "" : "s") << " at http://"
                << (o->host.find(':') != std::string::npos ? "[" + o->host + "]" : o->host) << ":" << port
                << "/ (Ctrl-C to stop)" << std::endl;
      g_server = &server;
      std::signal(SIGINT, stop_serving);
      std::signal(SIGTERM, stop_serving);
      server.serve_forever();
      g_server = nullptr;
    } catch (const std::bad_alloc&) {
      throw;  // main() prints the one line for out of memory
    } catch (const std::exception& e) {
      std::cerr << "chunkscope: serve: " << e.what() << "\n";
      exit_code = kRunFailed;
    }
  });
}

}  // namespace chunkscope::cli
