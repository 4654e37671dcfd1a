// DashboardServer over Debian's cpp-httplib (dashboard_server.hpp).
#include "dashboard_server.hpp"

#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/web/html_export.hpp"
#include "local_http_server.hpp"

namespace chunkscope::cli {

struct DashboardServer::Impl {
  LocalHttpServer svr;
  std::string page, csp;
  std::map<std::string, std::pair<std::string, std::string>> assets;  // name -> (content type, bytes)
  std::mutex m;
  struct Served {
    std::string name, compact, findings;
  };
  std::vector<Served> traces;
  std::string live_state = "starting", live_name;
  std::int64_t live_done = 0, live_total = 0, live_version = -1;
  std::string live_trace;
  std::thread thread;
};

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

DashboardServer::DashboardServer(const std::string& assets_dir, const std::string& title, bool live)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.page = web::served_page(assets_dir, title);
  s.csp = web::served_csp() + "; frame-ancestors 'none'";  // frame-ancestors works only as a header
  s.live_name = title;
  for (const char* name : {"app.js", "style.css", "chunkscope_web.js", "viz-global.js"}) {
    const std::string n(name);
    // The two big bundles are fetched by the page as data (never run from a <script src>), and are
    // sent as octet-stream: cpp-httplib brotli-compresses text types per request, which took
    // 2.2 s for Graphviz's 1.3 MB bundle on every page load.
    const char* type = n == "app.js"      ? "text/javascript; charset=utf-8"
                       : n == "style.css" ? "text/css; charset=utf-8"
                                          : "application/octet-stream";
    s.assets[n] = {type, web::read_asset(assets_dir, n)};
  }
  s.assets["config.js"] = {"text/javascript; charset=utf-8", web::served_config_script(live)};
  auto headers = [this](httplib::Response& res) {
    res.set_header("Content-Security-Policy", impl_->csp);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-store");
  };
  s.svr.Get("/", [this, headers](const httplib::Request&, httplib::Response& res) {
    headers(res);
    res.set_content(impl_->page, "text/html; charset=utf-8");
  });
  s.svr.Get(R"(/assets/([A-Za-z0-9_.-]+))", [this, headers](const httplib::Request& req, httplib::Response& res) {
    headers(res);
    auto it = impl_->assets.find(req.matches[1]);
    if (it == impl_->assets.end()) {
      res.status = 404;
      res.set_content("not found", "text/plain");
      return;
    }
    res.set_content(it->second.second, it->second.first.c_str());
  });
  s.svr.Get("/api/traces", [this, headers](const httplib::Request&, httplib::Response& res) {
    headers(res);
    nlohmann::json list = nlohmann::json::array();
    std::lock_guard lk(impl_->m);
    for (const auto& t : impl_->traces) list.push_back({{"name", t.name}});
    res.set_content(list.dump(), "application/json");
  });
  s.svr.Get(R"(/api/findings/(\d{1,6}))", [this, headers](const httplib::Request& req, httplib::Response& res) {
    headers(res);
    std::lock_guard lk(impl_->m);
    const auto i = std::stoul(req.matches[1]);
    if (i >= impl_->traces.size()) {
      res.status = 404;
      res.set_content("no such trace", "text/plain");
      return;
    }
    res.set_content(impl_->traces[i].findings, "application/json");
  });
  s.svr.Get(R"(/api/trace/(\d{1,6}|live))", [this, headers](const httplib::Request& req, httplib::Response& res) {
    headers(res);
    std::lock_guard lk(impl_->m);
    const std::string which = req.matches[1];
    const std::string* body = nullptr;
    if (which == "live") {
      if (!impl_->live_trace.empty()) body = &impl_->live_trace;
    } else {
      const auto i = std::stoul(which);
      if (i < impl_->traces.size()) body = &impl_->traces[i].compact;
    }
    if (!body) {
      res.status = 404;
      res.set_content("no such trace", "text/plain");
      return;
    }
    res.set_content(*body, "application/octet-stream");
  });
  s.svr.Get("/api/live", [this, headers](const httplib::Request&, httplib::Response& res) {
    headers(res);
    std::lock_guard lk(impl_->m);
    const nlohmann::json j{{"state", impl_->live_state},
                           {"done", impl_->live_done},
                           {"total", impl_->live_total},
                           {"version", impl_->live_version},
                           {"name", impl_->live_name}};
    res.set_content(j.dump(), "application/json");
  });
  s.svr.set_error_handler([headers](const httplib::Request&, httplib::Response& res) {
    headers(res);
    if (res.body.empty()) res.set_content(std::to_string(res.status) + "\n", "text/plain");
  });
}

DashboardServer::~DashboardServer() { stop(); }

void DashboardServer::add_trace(const std::string& name, std::string compact, std::string findings_json) {
  std::lock_guard lk(impl_->m);
  impl_->traces.push_back({name, std::move(compact), std::move(findings_json)});
}

void DashboardServer::set_live(const std::string& state, std::int64_t done, std::int64_t total, std::string snapshot) {
  std::lock_guard lk(impl_->m);
  impl_->live_state = state;
  impl_->live_done = done;
  impl_->live_total = total;
  if (!snapshot.empty()) {
    impl_->live_trace = std::move(snapshot);
    ++impl_->live_version;
  }
}

void DashboardServer::allow_any_host() { impl_->svr.allow_any_host(); }

int DashboardServer::bind(const std::string& host, int port) { return impl_->svr.bind_local(host, port); }

void DashboardServer::start() {
  impl_->thread = std::thread([this] { impl_->svr.listen_after_bind(); });
}

void DashboardServer::serve_forever() { impl_->svr.listen_after_bind(); }

void DashboardServer::stop() {
  if (!impl_) return;
  impl_->svr.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace chunkscope::cli
