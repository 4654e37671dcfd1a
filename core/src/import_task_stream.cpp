// The importer of distributed's task stream (core/include/chunkscope/core/trace_import.hpp).
#include <algorithm>
#include <cmath>
#include <map>

#include "chunkscope/core/trace_import.hpp"
#include "import_tasks.hpp"

namespace chunkscope {

using nlohmann::json;

namespace {

struct Fail {
  std::string what;
};

double seconds(const json& v, const std::string& where) {
  if (!v.is_number()) throw Fail{where + " is not a number (seconds)"};
  const double s = v.get<double>();
  if (!std::isfinite(s) || std::fabs(s) > 1e11) throw Fail{where + " is out of range"};
  return s;
}

}  // namespace

Result<Trace> import_task_stream(const json& doc, const std::string& name) {
  if (!doc.is_array()) return Result<Trace>::failure(name + ": not a task stream (expected a JSON list of tasks)");
  if (doc.empty()) return Result<Trace>::failure(name + ": the task stream is empty: nothing to import");
  try {
    struct Span {
      double start, stop;
    };
    struct Entry {
      std::string key, worker;
      std::vector<std::int64_t> index;
      std::string layer_id, layer_name;
      Span compute;
      std::vector<std::pair<Span, std::string>> transfers;  // (span, source worker)
      std::int64_t bytes = 0;
      bool failed = false;
      std::string thread;
    };
    std::vector<Entry> entries;
    double t0 = INFINITY;
    for (size_t k = 0; k < doc.size(); ++k) {
      const json& d = doc[k];
      const std::string where = "entry " + std::to_string(k);
      if (!d.is_object()) throw Fail{where + " is not an object (not a task stream)"};
      const auto ss = d.find("startstops");
      if (ss == d.end() || !ss->is_array()) throw Fail{where + " has no \"startstops\" list (not a task stream)"};
      if (!d.contains("key")) throw Fail{where + " has no \"key\""};
      Entry e;
      const json& key = d["key"];
      if (key.is_array() && !key.empty()) {  // a tuple key saved by json.dump: ["add-3a8f", 2, 0]
        e.key = key[0].is_string() ? key[0].get<std::string>() : key[0].dump();
        bool ints = true;
        for (size_t a = 1; a < key.size(); ++a)
          ints = ints && key[a].is_number_integer() && key[a].get<std::int64_t>() >= 0;
        std::vector<std::int64_t> ignored;
        detail::split_task_name(e.key, e.layer_id, e.layer_name, ignored);
        if (ints)
          for (size_t a = 1; a < key.size(); ++a) e.index.push_back(key[a].get<std::int64_t>());
      } else {
        e.key = key.is_string() ? key.get<std::string>() : key.dump();
        detail::split_task_name(e.key, e.layer_id, e.layer_name, e.index);
      }
      e.worker =
          d.value("worker", json("worker")).is_string() ? d.value("worker", std::string("worker")) : d["worker"].dump();
      e.thread =
          d.contains("thread") ? (d["thread"].is_string() ? d["thread"].get<std::string>() : d["thread"].dump()) : "0";
      e.bytes = d.value("nbytes", json(0)).is_number_integer() ? d["nbytes"].get<std::int64_t>() : 0;
      e.failed = d.value("status", std::string("OK")) == "error";
      bool any = false;
      double c0 = INFINITY, c1 = -INFINITY;
      for (size_t s = 0; s < ss->size(); ++s) {
        const json& x = (*ss)[s];
        const std::string at = where + ".startstops[" + std::to_string(s) + "]";
        if (!x.is_object()) throw Fail{at + " is not an object"};
        const Span span{seconds(x.value("start", json()), at + ".start"),
                        seconds(x.value("stop", json()), at + ".stop")};
        if (span.stop < span.start) throw Fail{at + " stops before it starts"};
        t0 = std::min(t0, span.start);
        const std::string action = x.value("action", std::string());
        if (action == "transfer") {
          const json src = x.value("source", json());
          e.transfers.push_back({span, src.is_string() ? src.get<std::string>() : src.dump()});
        } else if (action == "compute" || action.empty()) {
          c0 = std::min(c0, span.start);
          c1 = std::max(c1, span.stop);
          any = true;
        }
      }
      if (!any) continue;  // a task that only moved data
      e.compute = {c0, c1};
      entries.push_back(std::move(e));
    }
    if (entries.empty()) throw Fail{"no task computed anything (no \"compute\" start/stops): nothing to import"};
    auto ns = [&](double s) { return static_cast<std::int64_t>(std::llround((s - t0) * 1e9)); };
    std::map<std::pair<std::string, std::string>, int> worker_of;
    std::vector<std::pair<std::string, std::string>> order;
    for (const auto& e : entries) worker_of.emplace(std::make_pair(e.worker, e.thread), 0);
    for (auto& [k, v] : worker_of) {
      v = static_cast<int>(order.size());
      order.push_back(k);
    }
    std::vector<detail::ImportedTask> tasks;
    json transfers = json::array();
    for (const auto& e : entries) {
      detail::ImportedTask t;
      t.layer_id = e.layer_id;
      t.layer_name = e.layer_name;
      t.index = e.index;
      t.start_ns = ns(e.compute.start);
      t.end_ns = ns(e.compute.stop);
      t.bytes = e.bytes;
      t.failed = e.failed;
      t.worker = worker_of[{e.worker, e.thread}];
      tasks.push_back(std::move(t));
      for (const auto& [span, src] : e.transfers)
        transfers.push_back({{"task", e.key},
                             {"to_worker", e.worker},
                             {"from_worker", src},
                             {"start_ns", ns(span.start)},
                             {"end_ns", ns(span.stop)}});
    }
    std::vector<std::string> names;
    for (const auto& [w, th] : order) names.push_back(w + " thread " + th);
    std::int64_t first = tasks[0].start_ns;
    for (const auto& t : tasks) first = std::min(first, t.start_ns);
    Trace t = detail::build_imported_trace(std::move(tasks), names, "dask-distributed", name);
    for (auto& x : transfers) {  // on the tasks' time base
      x["start_ns"] = std::max<std::int64_t>(0, x["start_ns"].get<std::int64_t>() - first);
      x["end_ns"] = std::max<std::int64_t>(x["start_ns"].get<std::int64_t>(), x["end_ns"].get<std::int64_t>() - first);
    }
    t.meta.extra["imported_from"] = "task_stream";
    t.meta.extra["worker_transfers"] = std::move(transfers);
    return Result<Trace>(std::move(t));
  } catch (const Fail& f) {
    return Result<Trace>::failure(name + ": " + f.what);
  } catch (const json::exception& e) {
    return Result<Trace>::failure(name + ": " + e.what());
  }
}

Result<Trace> import_trace_text(const std::string& text, const std::string& name) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    const auto colon = what.find("] ");
    return Result<Trace>::failure(name + ": not valid JSON (" +
                                  (colon == std::string::npos ? what : what.substr(colon + 2)) + ")");
  }
  if (doc.is_array() && !doc.empty() && doc[0].is_object() && doc[0].contains("startstops"))
    return import_task_stream(doc, name);
  if (doc.is_object() || (doc.is_array() && !doc.empty() && doc[0].is_object() && doc[0].contains("ph")))
    return import_chrome_trace(doc, name);
  if (doc.is_array() && doc.empty()) return Result<Trace>::failure(name + ": an empty list: nothing to import");
  return Result<Trace>::failure(name + ": neither a Chrome trace-event file nor a Dask task stream");
}

}  // namespace chunkscope
