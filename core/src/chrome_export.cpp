// The Chrome trace-event export (Perfetto, chrome://tracing): tasks as complete events, live memory
// as counters, dependencies as flow events, host<->device copies as slices of their own. Format:
// docs/trace-format.md ("Chrome trace-event export").
//
// What Perfetto needs to draw it right:
// - times in microseconds written from integer nanoseconds (ns / 1000 is exact to the nanosecond in
//   a double for any run shorter than about 100 days), no displayTimeUnit;
// - complete events on one thread must nest: tasks that overlap on one worker (a Dask thread whose
//   tasks' clocks overlap) are spread over extra tracks ("worker 3 (overlap 1)");
// - a flow event binds to the slice that encloses it on its thread: it is placed strictly inside
//   the producing task (near its end) and the consuming task (near its start), at least 2 ns from
//   either edge, so a reader that truncates µs × 1000 still finds it inside;
// - metadata names every process and thread used; a distributed Dask run has one process per worker.
#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>

#include "chunkscope/core/trace_io.hpp"

namespace chunkscope {

using nlohmann::json;

namespace {

double us(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

/// A time strictly inside [start, end] near one edge (near the end when `near_end`); the middle of
/// slices shorter than 5 ns.
std::int64_t inside(std::int64_t start, std::int64_t end, bool near_end) {
  const std::int64_t dur = end - start;
  if (dur < 5) return start + dur / 2;
  const std::int64_t margin = std::clamp<std::int64_t>(dur / 4, 2, 1000);
  return near_end ? end - margin : start + margin;
}

/// Tracks for intervals that may overlap: lane[k] for the k-th interval, 0 when nothing overlaps.
/// Greedy by start time: an interval goes to the first lane free at its start.
std::vector<int> assign_lanes(const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& end,
                              const std::vector<std::int64_t>& items) {
  std::vector<std::int64_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::int64_t x, std::int64_t y) {
    const auto a = items[x], b = items[y];
    return start[a] != start[b] ? start[a] < start[b] : end[a] > end[b];
  });
  std::vector<int> lane(items.size(), 0);
  std::vector<std::int64_t> free_at;  // per lane: the end of its last interval
  for (const auto k : order) {
    const auto i = items[k];
    size_t l = 0;
    while (l < free_at.size() && free_at[l] > start[i]) ++l;
    if (l == free_at.size()) free_at.push_back(0);
    free_at[l] = end[i];
    lane[k] = static_cast<int>(l);
  }
  return lane;
}

/// Where worker w's tasks go: its process and its thread label; distributed workers named
/// "tcp://host:port thread 140..." are grouped into one process per address.
struct WorkerPlace {
  int pid = 1;
  std::string thread;
};

}  // namespace

json trace_to_chrome(const Trace& t, std::int64_t max_flows) {
  json events = json::array();
  const TraceTasks& c = t.tasks;
  int max_worker = -1;
  for (std::int64_t i = 0; i < c.size(); ++i) max_worker = std::max(max_worker, c.worker[i]);

  // Processes: pid 1 is the run (counters, transfers, and the workers of a local run).
  std::vector<std::string> names;
  if (auto it = t.meta.extra.find("workers"); it != t.meta.extra.end() && it->is_array())
    for (const auto& n : *it) names.push_back(n.is_string() ? n.get<std::string>() : n.dump());
  const bool distributed = t.meta.executor == "dask-distributed";
  std::map<std::string, int> pid_of;
  std::vector<std::string> process_names{"chunkscope " + t.meta.pipeline};
  std::vector<WorkerPlace> place(static_cast<size_t>(max_worker + 1));
  for (int w = 0; w <= max_worker; ++w) {
    const std::string name = w < static_cast<int>(names.size()) ? names[w] : "";
    const auto k = name.rfind(" thread ");
    if (distributed && k != std::string::npos) {
      const std::string address = name.substr(0, k);
      auto [it, added] = pid_of.emplace(address, static_cast<int>(process_names.size()) + 1);
      if (added) process_names.push_back("dask worker " + address);
      place[w] = {it->second, name.substr(k + 1)};
    } else {
      place[w] = {1, name.empty() ? "worker " + std::to_string(w) : "worker " + std::to_string(w) + " (" + name + ")"};
    }
  }
  for (size_t p = 0; p < process_names.size(); ++p) {
    events.push_back(
        {{"ph", "M"}, {"pid", p + 1}, {"tid", 0}, {"name", "process_name"}, {"args", {{"name", process_names[p]}}}});
    events.push_back(
        {{"ph", "M"}, {"pid", p + 1}, {"tid", 0}, {"name", "process_sort_index"}, {"args", {{"sort_index", p}}}});
  }

  // Tracks: worker w's lane 0 is thread w; overlapping tasks get threads after the last worker.
  std::vector<std::vector<std::int64_t>> ran(static_cast<size_t>(max_worker + 1));
  for (std::int64_t i = 0; i < c.size(); ++i)
    if (c.status[i] != 0 && c.worker[i] >= 0) ran[c.worker[i]].push_back(i);
  std::vector<int> tid_of(static_cast<size_t>(c.size()), -1);
  int next_tid = max_worker + 1;
  auto name_thread = [&](int pid, int tid, const std::string& name, int sort) {
    events.push_back({{"ph", "M"}, {"pid", pid}, {"tid", tid}, {"name", "thread_name"}, {"args", {{"name", name}}}});
    events.push_back(
        {{"ph", "M"}, {"pid", pid}, {"tid", tid}, {"name", "thread_sort_index"}, {"args", {{"sort_index", sort}}}});
  };
  for (int w = 0; w <= max_worker; ++w) {
    const auto lanes = assign_lanes(c.start_ns, c.end_ns, ran[w]);
    std::vector<int> lane_tid{w};
    for (size_t k = 0; k < ran[w].size(); ++k) {
      while (lanes[k] >= static_cast<int>(lane_tid.size())) {
        name_thread(place[w].pid, next_tid, place[w].thread + " (overlap " + std::to_string(lane_tid.size()) + ")",
                    w * 64 + static_cast<int>(lane_tid.size()));
        lane_tid.push_back(next_tid++);
      }
      tid_of[ran[w][k]] = lane_tid[lanes[k]];
    }
    name_thread(place[w].pid, w, place[w].thread, w * 64);
  }
  for (std::int64_t i = 0; i < c.size(); ++i) {
    if (tid_of[i] < 0) continue;
    const TraceLayer& l = t.layers[c.layer[i]];
    json args = {{"layer", l.id},
                 {"chunk", c.chunk[i]},
                 {"stage", c.stage[i]},
                 {"bytes", c.bytes[i]},
                 {"status", trace_status_name(c.status[i])},
                 {"task", i}};
    if (c.fused[i]) args["fused"] = true;
    events.push_back({{"ph", "X"},
                      {"pid", place[c.worker[i]].pid},
                      {"tid", tid_of[i]},
                      {"name", l.name},
                      {"cat", l.op},
                      {"ts", us(c.start_ns[i])},
                      {"dur", us(c.end_ns[i] - c.start_ns[i])},
                      {"args", std::move(args)}});
  }

  // Host<->device copies: one track per device and direction (more where copies overlap).
  const TraceTransfers& x = t.transfers;
  std::map<std::pair<int, int>, std::vector<std::int64_t>> copies;  // (device, to_device) -> transfers
  for (std::int64_t k = 0; k < x.size(); ++k) copies[{x.device[k], x.to_device[k]}].push_back(k);
  for (const auto& [key, items] : copies) {
    const auto lanes = assign_lanes(x.start_ns, x.end_ns, items);
    const std::string what = key.second ? "host → cuda:" : "cuda:";
    const std::string track =
        key.second ? what + std::to_string(key.first - 1) : what + std::to_string(key.first - 1) + " → host";
    std::vector<int> lane_tid;
    for (size_t k = 0; k < items.size(); ++k) {
      while (lanes[k] >= static_cast<int>(lane_tid.size())) {
        name_thread(1, next_tid,
                    "copies " + track + (lane_tid.empty() ? "" : " (overlap " + std::to_string(lane_tid.size()) + ")"),
                    1 << 20);
        lane_tid.push_back(next_tid++);
      }
      const auto i = items[k];
      json args = {{"bytes", x.bytes[i]}, {"task", x.task[i]}};
      if (x.task[i] >= 0 && x.task[i] < c.size()) args["layer"] = t.layers[c.layer[x.task[i]]].id;
      events.push_back({{"ph", "X"},
                        {"pid", 1},
                        {"tid", lane_tid[lanes[k]]},
                        {"name", key.second ? "host→device" : "device→host"},
                        {"cat", "transfer"},
                        {"ts", us(x.start_ns[i])},
                        {"dur", us(x.end_ns[i] - x.start_ns[i])},
                        {"args", std::move(args)}});
    }
  }

  // Distributed: data moved between workers, on an "incoming transfers" track of the receiving
  // worker's process; each worker's managed memory as a counter of its process.
  auto worker_pid = [&](const std::string& address) {
    auto [it, added] = pid_of.emplace(address, static_cast<int>(process_names.size()) + 1);
    if (added) {
      process_names.push_back("dask worker " + address);
      events.push_back({{"ph", "M"},
                        {"pid", it->second},
                        {"tid", 0},
                        {"name", "process_name"},
                        {"args", {{"name", process_names.back()}}}});
    }
    return it->second;
  };
  if (auto it = t.meta.extra.find("worker_transfers"); distributed && it != t.meta.extra.end() && it->is_array()) {
    std::map<std::string, std::vector<const json*>> by_worker;
    for (const auto& tr : *it)
      if (tr.is_object() && tr.value("to_worker", json()).is_string() &&
          tr.value("start_ns", json()).is_number_integer() && tr.value("end_ns", json()).is_number_integer() &&
          tr["end_ns"].get<std::int64_t>() >= tr["start_ns"].get<std::int64_t>())
        by_worker[tr["to_worker"].get<std::string>()].push_back(&tr);
    for (const auto& [address, list] : by_worker) {
      const int pid = worker_pid(address);
      std::vector<std::int64_t> start, end, items;
      for (const json* tr : list) {
        items.push_back(static_cast<std::int64_t>(start.size()));
        start.push_back((*tr)["start_ns"].get<std::int64_t>());
        end.push_back((*tr)["end_ns"].get<std::int64_t>());
      }
      const auto lanes = assign_lanes(start, end, items);
      std::vector<int> lane_tid;
      for (size_t k = 0; k < list.size(); ++k) {
        while (lanes[k] >= static_cast<int>(lane_tid.size())) {
          name_thread(pid, next_tid,
                      "incoming transfers" +
                          (lane_tid.empty() ? std::string() : " (overlap " + std::to_string(lane_tid.size()) + ")"),
                      1 << 20);
          lane_tid.push_back(next_tid++);
        }
        const json& tr = *list[k];
        const json from = tr.value("from_worker", json());
        events.push_back({{"ph", "X"},
                          {"pid", pid},
                          {"tid", lane_tid[lanes[k]]},
                          {"name", "transfer"},
                          {"cat", "transfer"},
                          {"ts", us(start[k])},
                          {"dur", us(end[k] - start[k])},
                          {"args", {{"task", tr.value("task", json())}, {"from_worker", from}}}});
      }
    }
  }
  if (auto it = t.meta.extra.find("worker_memory"); distributed && it != t.meta.extra.end() && it->is_object())
    for (const auto& [address, m] : it->items()) {
      if (!m.is_object() || !m.value("t_ns", json()).is_array() || !m.value("bytes", json()).is_array()) continue;
      const json &ts = m["t_ns"], &bytes = m["bytes"];
      const int pid = worker_pid(address);
      for (size_t k = 0; k < std::min(ts.size(), bytes.size()); ++k)
        if (ts[k].is_number() && bytes[k].is_number())
          events.push_back({{"ph", "C"},
                            {"pid", pid},
                            {"tid", 0},
                            {"name", "managed memory"},
                            {"ts", us(ts[k].get<std::int64_t>())},
                            {"args", {{"bytes", bytes[k]}}}});
    }

  // Process resources (Trace::resources): RSS and CPU% as counters of the process they were sampled
  // in: "local" is the run's process (pid 1), a distributed worker's address its own process.
  for (const ResourceSeries& r : t.resources.processes) {
    const int pid = distributed && r.process != "local" ? worker_pid(r.process) : 1;
    for (size_t k = 0; k < r.t_ns.size(); ++k) {
      events.push_back({{"ph", "C"},
                        {"pid", pid},
                        {"tid", 0},
                        {"name", "RSS"},
                        {"ts", us(r.t_ns[k])},
                        {"args", {{"bytes", r.rss_bytes[k]}}}});
      events.push_back({{"ph", "C"},
                        {"pid", pid},
                        {"tid", 0},
                        {"name", "CPU %"},
                        {"ts", us(r.t_ns[k])},
                        {"args", {{"percent", r.cpu_percent[k]}}}});
    }
  }

  auto counter = [&](const MemorySeries& m) {
    for (size_t k = 0; k < m.t_ns.size(); ++k)
      events.push_back({{"ph", "C"},
                        {"pid", 1},
                        {"tid", 0},
                        {"name", "live memory (" + m.device + ")"},
                        {"ts", us(m.t_ns[k])},
                        {"args", {{"bytes", m.live_bytes[k]}}}});
  };
  counter(t.memory);
  for (const auto& m : t.device_memory) counter(m);

  if (static_cast<std::int64_t>(c.dep_index.size()) <= max_flows) {
    std::int64_t id = 0;
    for (std::int64_t i = 0; i < c.size(); ++i) {
      if (tid_of[i] < 0) continue;
      for (auto e = c.dep_offsets[i]; e < c.dep_offsets[i + 1]; ++e) {
        const auto d = c.dep_index[e];
        if (tid_of[d] < 0) continue;
        ++id;
        events.push_back({{"ph", "s"},
                          {"pid", place[c.worker[d]].pid},
                          {"tid", tid_of[d]},
                          {"name", "dep"},
                          {"cat", "dependency"},
                          {"id", id},
                          {"ts", us(inside(c.start_ns[d], c.end_ns[d], true))}});
        events.push_back({{"ph", "f"},
                          {"bp", "e"},
                          {"pid", place[c.worker[i]].pid},
                          {"tid", tid_of[i]},
                          {"name", "dep"},
                          {"cat", "dependency"},
                          {"id", id},
                          {"ts", us(inside(c.start_ns[i], c.end_ns[i], false))}});
      }
    }
  }
  return {
      {"traceEvents", std::move(events)},
      {"otherData",
       {{"pipeline", t.meta.pipeline}, {"executor", t.meta.executor}, {"tool", "chunkscope " + t.meta.tool_version}}}};
}

}  // namespace chunkscope
