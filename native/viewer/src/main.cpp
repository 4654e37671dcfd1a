// chunkscope-view: the standalone native profiler (docs/viewer.md).
#include <imgui.h>

#include <fstream>
#include <iostream>

#include "app.hpp"
#include "chunkscope/viz/model.hpp"
#include "glfw_backend.hpp"
#include "headless.hpp"
#include "options.hpp"

using namespace chunkscope;
using namespace chunkscope::viewer;

namespace {

// Applies --color-by, --expand, --select, --tasks, --memory and --brush to every opened trace.
void apply_view_options(App& app, const Options& o) {
  for (const auto& d : app.documents()) {
    if (!d->ok()) continue;
    if (auto c = viz::parse_color_by(o.color_by)) d->view.color_by = *c;
    for (const auto& g : o.expand)
      if (!d->view.expanded_groups.count(g)) d->view.expanded_groups.insert(g);
    if (!o.expand.empty() || !o.color_by.empty()) d->relayout();
    if (!o.select.empty()) d->select_layer(o.select);
    for (const auto& id : o.tasks) {  // a double-click on the layer: it is visible (its groups open) first
      d->select_layer(id);
      d->toggle_layer(id);
    }
    d->memory_by_layer = o.memory_by_layer;
    d->brush_t0 = o.brush_t0;
    d->brush_t1 = o.brush_t1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string error;
  if (!parse_options(argc, argv, o, error)) {
    std::cerr << "chunkscope-view: " << error << "\n";
    return 2;
  }
  if (o.help) {
    std::cout << usage();
    return 0;
  }
  if (!o.color_by.empty() && !viz::parse_color_by(o.color_by)) {
    std::cerr << "chunkscope-view: --color-by: unknown mode '" << o.color_by << "'\n";
    return 2;
  }
  if (o.bench) {
    if (o.traces.size() != 1) {
      std::cerr << "chunkscope-view: --bench needs exactly one trace\n";
      return 2;
    }
    return run_bench(o.traces[0]);
  }

  App app;
  for (const auto& p : o.traces) app.open(p);
  app.compare = o.compare && app.documents().size() >= 2;
  apply_view_options(app, o);
  bool failed = false;
  for (const auto& d : app.documents()) {
    if (!d->ok()) {
      failed = true;
      std::cerr << "chunkscope-view: " << d->error() << "\n";
    }
  }
  const bool shot = !o.screenshot.empty();
  if (shot)
    for (const auto& d : app.documents()) d->wait_layout();  // deterministic pictures
  // The view dump: before any frame without --screenshot; after the frames with it (then it also
  // holds what the last frame drew: the "frame" report).
  auto dump = [&] {
    if (o.dump_view.empty()) return;
    nlohmann::json views = nlohmann::json::array();
    for (const auto& d : app.documents()) views.push_back(view_dump(*d));
    std::ofstream(o.dump_view) << views.dump(1) << "\n";
  };
  if (!shot) dump();

  Window window;
  if (!window.create(o.width, o.height, "chunkscope-view", true)) {
    std::cerr << "chunkscope-view: " << window.error() << "\n";
    return 1;
  }
  if (o.hover_x >= 0) window.hold_pointer(o.hover_x, o.hover_y);
  if (shot) {
    for (int f = 0; f < o.frames; ++f) {
      if (o.click) window.hold_button(f == 1);  // pressed in frame 2, released in frame 3
      window.begin_frame(0);
      app.frame();
      const bool last = f + 1 == o.frames;
      window.end_frame(!last);
      if (last) {
        int w = 0, h = 0;
        auto rgba = window.read_pixels(w, h);
        if (!write_png(o.screenshot, w, h, rgba)) {
          std::cerr << "chunkscope-view: " << o.screenshot << ": cannot write the PNG\n";
          return 2;
        }
        window.swap();
      }
      // A click changes the view (a selection, a relayout): wait for it so the next frames show it.
      if (o.click && f == 2)
        for (const auto& d : app.documents()) d->wait_layout();
    }
    dump();
    return failed ? 2 : 0;
  }
  while (!window.should_close()) {
    bool busy = false;
    for (const auto& d : app.documents()) busy = busy || d->layout_pending();
    window.begin_frame(busy ? 0.02 : 0.5);
    for (const auto& p : window.take_dropped()) app.open(p);
    app.frame();
    window.end_frame();
  }
  return 0;
}
