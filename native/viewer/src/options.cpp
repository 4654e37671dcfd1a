#include "options.hpp"

#include <cstdio>

namespace chunkscope::viewer {

const char* usage() {
  return "usage: chunkscope-view [TRACE...] [options]\n"
         "  Opens chunkscope traces (.cstrace.json, .cstrace.cbor) in the native profiler.\n"
         "  --compare              show the first two traces side by side (before / after)\n"
         "  --color-by MODE        time, memory, tasks, chunk-bytes, worker, critical, findings\n"
         "  --select LAYER         select a layer (its groups open, the graph centres it)\n"
         "  --expand GROUP         open a group (repeatable)\n"
         "  --tasks LAYER          show a layer's tasks fitted in the graph, as a double-click does (repeatable)\n"
         "  --memory total|by-layer  the memory chart: the total, or live bytes stacked by layer (or group)\n"
         "  --screenshot FILE.png  render, write a PNG and exit (run under xvfb-run without a display)\n"
         "  --frames N             frames to render before the screenshot (default 3)\n"
         "  --size WxH             window size (default 1600x1000)\n"
         "  --hover X,Y            hold the pointer at window pixel (X, Y) in every frame (screenshots of tooltips)\n"
         "  --brush T0,T1          brush the timeline range [T0, T1] (ns from the run's start): its summary shows\n"
         "  --click X,Y            like --hover, and press the left button in frame 2, release it in frame 3 (tests)\n"
         "  --dump-view FILE.json  write what the panels show (graph nodes, edges, clusters, lanes, layers)\n"
         "  --bench                no window: time opening and the CPU side of frames at many zooms\n"
         "exit: 0 ok; 2 a trace could not be read (--screenshot, --bench) or a bad option; 1 no window\n";
}

bool parse_options(int argc, char** argv, Options& o, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) {
        error = a + ": needs a value";
        return false;
      }
      out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "--compare") {
      o.compare = true;
    } else if (a == "--bench") {
      o.bench = true;
    } else if (a == "--screenshot") {
      if (!value(o.screenshot)) return false;
    } else if (a == "--select") {
      if (!value(o.select)) return false;
    } else if (a == "--color-by") {
      if (!value(o.color_by)) return false;
    } else if (a == "--tasks") {
      if (!value(v)) return false;
      o.tasks.push_back(v);
    } else if (a == "--memory") {
      if (!value(v)) return false;
      if (v != "total" && v != "by-layer") {
        error = "--memory: expected total or by-layer, got '" + v + "'";
        return false;
      }
      o.memory_by_layer = v == "by-layer";
    } else if (a == "--dump-view") {
      if (!value(o.dump_view)) return false;
    } else if (a == "--expand") {
      if (!value(v)) return false;
      o.expand.push_back(v);
    } else if (a == "--frames") {
      if (!value(v)) return false;
      if (std::sscanf(v.c_str(), "%d", &o.frames) != 1 || o.frames < 1 || o.frames > 10000) {
        error = "--frames: expected a number from 1 to 10000, got '" + v + "'";
        return false;
      }
    } else if (a == "--size") {
      if (!value(v)) return false;
      if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 200 || o.height < 150 ||
          o.width > 8192 || o.height > 8192) {
        error = "--size: expected WxH between 200x150 and 8192x8192, got '" + v + "'";
        return false;
      }
    } else if (a == "--hover") {
      if (!value(v)) return false;
      if (std::sscanf(v.c_str(), "%f,%f", &o.hover_x, &o.hover_y) != 2 || !(o.hover_x >= 0) || !(o.hover_y >= 0)) {
        error = "--hover: expected X,Y (window pixels, not negative), got '" + v + "'";
        return false;
      }
    } else if (a == "--brush") {
      if (!value(v)) return false;
      long long b0 = 0, b1 = 0;
      if (std::sscanf(v.c_str(), "%lld,%lld", &b0, &b1) != 2 || b0 < 0 || b1 <= b0) {
        error = "--brush: expected T0,T1 (ns from the run's start, T0 < T1), got '" + v + "'";
        return false;
      }
      o.brush_t0 = b0;
      o.brush_t1 = b1;
    } else if (a == "--click") {
      if (!value(v)) return false;
      if (std::sscanf(v.c_str(), "%f,%f", &o.hover_x, &o.hover_y) != 2 || !(o.hover_x >= 0) || !(o.hover_y >= 0)) {
        error = "--click: expected X,Y (window pixels, not negative), got '" + v + "'";
        return false;
      }
      o.click = true;
    } else if (!a.empty() && a[0] == '-') {
      error = a + ": unknown option (see --help)";
      return false;
    } else {
      o.traces.push_back(a);
    }
  }
  return true;
}

}  // namespace chunkscope::viewer
