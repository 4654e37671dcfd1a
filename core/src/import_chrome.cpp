// The Chrome trace-event importer (core/include/chunkscope/core/trace_import.hpp).
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

std::int64_t to_ns(const json& v, const std::string& where) {
  if (!v.is_number()) throw Fail{where + " is not a number"};
  const double us = v.get<double>();
  if (!std::isfinite(us) || std::fabs(us) > 9e12) throw Fail{where + " is out of range"};
  return std::llround(us * 1000.0);
}

std::string id_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

struct Slice {
  std::int64_t start, end, task;
};

}  // namespace

Result<Trace> import_chrome_trace(const json& doc, const std::string& name) {
  const json* events = &doc;
  if (doc.is_object()) {
    const auto it = doc.find("traceEvents");
    if (it == doc.end() || !it->is_array())
      return Result<Trace>::failure(name + ": not a Chrome trace-event file (no \"traceEvents\" array)");
    events = &*it;
  } else if (!doc.is_array()) {
    return Result<Trace>::failure(name + ": not a Chrome trace-event file (expected an object or an array of events)");
  }
  bool ours = false;
  if (doc.is_object())
    if (auto o = doc.find("otherData"); o != doc.end() && o->is_object())
      ours = o->value("tool", std::string()).rfind("chunkscope", 0) == 0;
  try {
    std::vector<detail::ImportedTask> tasks;
    std::map<std::pair<std::string, std::string>, int> worker_of;  // (pid, tid) -> worker
    std::vector<std::pair<std::string, std::string>> worker_keys;
    std::map<std::string, std::string> process_name;
    std::map<std::pair<std::string, std::string>, std::string> thread_name;
    std::map<std::pair<std::string, std::string>, std::vector<std::pair<std::int64_t, const json*>>> open;  // B stacks
    std::map<int, std::vector<Slice>> slices;  // per worker
    struct FlowEnd {
      int worker;
      std::int64_t ts;
    };
    std::map<std::string, FlowEnd> flow_start;
    std::vector<std::pair<std::string, FlowEnd>> flow_end;
    std::vector<std::int64_t> mem_t, mem_b;
    auto worker = [&](const json& e) {
      const std::pair<std::string, std::string> key{id_text(e.value("pid", json(0))), id_text(e.value("tid", json(0)))};
      auto [it, added] = worker_of.emplace(key, static_cast<int>(worker_keys.size()));
      if (added) worker_keys.push_back(key);
      return it->second;
    };
    auto add_task = [&](const json& e, std::int64_t start, std::int64_t end, const std::string& where) {
      if (end < start) throw Fail{where + " ends before it starts"};
      if (ours && e.value("cat", std::string()) == "transfer") return;  // copies, not tasks
      detail::ImportedTask t;
      const std::string task_name = e.contains("name") ? id_text(e["name"]) : "";
      const json args = e.value("args", json::object());
      if (args.is_object() && args.contains("layer") && args["layer"].is_string()) {
        t.layer_id = args["layer"].get<std::string>();
        t.layer_name = task_name;
        t.op = e.value("cat", std::string());
        if (args.contains("chunk") && args["chunk"].is_number_integer()) t.index = {args["chunk"].get<std::int64_t>()};
      } else {
        detail::split_task_name(task_name.empty() ? "(unnamed)" : task_name, t.layer_id, t.layer_name, t.index);
      }
      if (args.is_object() && args.contains("bytes") && args["bytes"].is_number_integer())
        t.bytes = args["bytes"].get<std::int64_t>();
      if (args.is_object() && args.value("status", json()) == "failed") t.failed = true;
      t.start_ns = start;
      t.end_ns = end;
      t.worker = worker(e);
      slices[t.worker].push_back({start, end, static_cast<std::int64_t>(tasks.size())});
      tasks.push_back(std::move(t));
    };
    for (size_t k = 0; k < events->size(); ++k) {
      const json& e = (*events)[k];
      const std::string where = "traceEvents[" + std::to_string(k) + "]";
      if (!e.is_object()) throw Fail{where + " is not an object"};
      const auto ph_it = e.find("ph");
      if (ph_it == e.end() || !ph_it->is_string()) throw Fail{where + " has no \"ph\" (event type)"};
      const std::string ph = ph_it->get<std::string>();
      const std::pair<std::string, std::string> thread{id_text(e.value("pid", json(0))),
                                                       id_text(e.value("tid", json(0)))};
      if (ph == "X") {
        const std::int64_t ts = to_ns(e.value("ts", json()), where + ".ts");
        const std::int64_t dur = e.contains("dur") ? to_ns(e["dur"], where + ".dur") : 0;
        if (dur < 0) throw Fail{where + ".dur is negative"};
        add_task(e, ts, ts + dur, where);
      } else if (ph == "B") {
        open[thread].emplace_back(to_ns(e.value("ts", json()), where + ".ts"), &e);
      } else if (ph == "E") {
        auto& stack = open[thread];
        if (stack.empty())
          throw Fail{where + ": an end (E) event on pid " + thread.first + " tid " + thread.second +
                     " with no begin (B) before it"};
        const auto [start, begin] = stack.back();
        stack.pop_back();
        json merged = *begin;
        if (e.contains("args") && e["args"].is_object() && merged.value("args", json()).is_object())
          merged["args"].update(e["args"]);
        add_task(merged, start, to_ns(e.value("ts", json()), where + ".ts"), where);
      } else if (ph == "s" || ph == "f" || ph == "t") {
        if (!e.contains("id") || ph == "t") continue;
        const std::string id = e.value("cat", std::string()) + "\x1f" + id_text(e["id"]);
        const FlowEnd fe{worker(e), to_ns(e.value("ts", json()), where + ".ts")};
        if (ph == "s")
          flow_start[id] = fe;
        else
          flow_end.emplace_back(id, fe);
      } else if (ph == "C") {
        if (e.value("name", std::string()) == "live memory (host)" && e.value("args", json()).is_object() &&
            e["args"].value("bytes", json()).is_number()) {
          mem_t.push_back(to_ns(e.value("ts", json()), where + ".ts"));
          mem_b.push_back(e["args"]["bytes"].get<std::int64_t>());
        }
      } else if (ph == "M") {
        const json args = e.value("args", json::object());
        if (!args.is_object() || !args.contains("name")) continue;
        if (e.value("name", std::string()) == "process_name") process_name[thread.first] = id_text(args["name"]);
        if (e.value("name", std::string()) == "thread_name") thread_name[thread] = id_text(args["name"]);
      }
    }
    for (const auto& [thread, stack] : open)
      if (!stack.empty())
        throw Fail{"a begin (B) event \"" + id_text(stack.back().second->value("name", json(""))) + "\" on pid " +
                   thread.first + " tid " + thread.second + " has no end (E)"};
    if (tasks.empty()) throw Fail{"no complete (X) or begin/end (B/E) events: nothing to import"};
    // Flows become dependencies: each end binds to the slice that encloses it on its thread.
    for (auto& [w, list] : slices)
      std::sort(list.begin(), list.end(), [](const Slice& a, const Slice& b) { return a.start < b.start; });
    auto enclosing = [&](const FlowEnd& f) -> std::int64_t {
      const auto it = slices.find(f.worker);
      if (it == slices.end()) return -1;
      const auto& list = it->second;
      auto k =
          std::upper_bound(list.begin(), list.end(), f.ts, [](std::int64_t t, const Slice& s) { return t < s.start; });
      for (int back = 0; back < 64 && k != list.begin(); ++back) {
        --k;
        if (k->start <= f.ts && f.ts <= k->end) return k->task;
      }
      return -1;
    };
    for (const auto& [id, f] : flow_end) {
      const auto s = flow_start.find(id);
      if (s == flow_start.end()) continue;
      const auto from = enclosing(s->second), to = enclosing(f);
      if (from >= 0 && to >= 0 && from != to) tasks[to].deps.push_back(from);
    }
    std::vector<std::string> names;
    for (const auto& key : worker_keys) {
      std::string n = thread_name.count(key) ? thread_name[key] : "tid " + key.second;
      if (process_name.count(key.first) && worker_keys.size() > 1) n = process_name[key.first] + " " + n;
      names.push_back(n);
    }
    std::int64_t t0 = tasks[0].start_ns;
    for (const auto& task : tasks) t0 = std::min(t0, task.start_ns);
    Trace t = detail::build_imported_trace(std::move(tasks), names, "imported", name);
    t.meta.extra["imported_from"] = "chrome";
    if (!mem_t.empty()) {  // the memory counter, on the tasks' time base, from (0, 0)
      std::vector<std::int64_t> order(mem_t.size());
      for (size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::int64_t>(k);
      std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return mem_t[a] < mem_t[b]; });
      MemorySeries& m = t.memory;
      for (const auto k : order) {
        const std::int64_t at = std::max<std::int64_t>(0, mem_t[k] - t0), b = std::max<std::int64_t>(0, mem_b[k]);
        if (m.t_ns.back() == at)
          m.live_bytes.back() = b;
        else {
          m.t_ns.push_back(at);
          m.live_bytes.push_back(b);
        }
        if (b > m.peak_bytes) {
          m.peak_bytes = b;
          m.peak_t_ns = at;
        }
      }
    }
    return Result<Trace>(std::move(t));
  } catch (const Fail& f) {
    return Result<Trace>::failure(name + ": " + f.what);
  } catch (const json::exception& e) {
    return Result<Trace>::failure(name + ": " + e.what());
  }
}

}  // namespace chunkscope
