// layout_native: Graphviz's dot in this process (the only file that includes Graphviz).
// Graphviz is not thread-safe: one mutex guards every call, and one context lives for the
// process. The dot layout and core (json) plugins are linked in, so no plugin config is read.
#include <cstdlib>
#include <mutex>
#include <string>

#include <graphviz/gvc.h>

#include "chunkscope/viz/layout.hpp"

extern "C" {
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;
}

namespace chunkscope::viz {
namespace {

std::mutex& graphviz_mutex() {
  static std::mutex m;
  return m;
}

GVC_t* context() {  // called with the mutex held
  static lt_symlist_t plugins[] = {
      {"gvplugin_dot_layout_LTX_library", reinterpret_cast<void*>(&gvplugin_dot_layout_LTX_library)},
      {"gvplugin_core_LTX_library", reinterpret_cast<void*>(&gvplugin_core_LTX_library)},
      {nullptr, nullptr}};
  static GVC_t* gvc = gvContextPlugins(plugins, 0);
  return gvc;
}

}  // namespace

std::string layout_native(const std::string& dot) {
  std::lock_guard<std::mutex> lock(graphviz_mutex());
  GVC_t* gvc = context();
  if (!gvc) throw LayoutError("layout: Graphviz context could not be created");
  agseterr(AGMAX);  // errors are reported by the exception, not on stderr
  Agraph_t* g = agmemread(dot.c_str());
  if (!g) {
    // aglasterr() returns a malloc'ed copy of the message: the caller frees it.
    char* err = aglasterr();
    std::string what = err && *err ? err : "syntax error";
    std::free(err);
    while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
    throw LayoutError("layout: Graphviz could not read the DOT text: " + what);
  }
  if (gvLayout(gvc, g, "dot") != 0) {
    agclose(g);
    throw LayoutError("layout: Graphviz dot layout failed");
  }
  char* data = nullptr;
  unsigned int length = 0;
  const int rc = gvRenderData(gvc, g, "json", &data, &length);
  std::string out;
  if (rc == 0 && data) out.assign(data, length);
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc, g);
  agclose(g);
  if (rc != 0 || out.empty()) throw LayoutError("layout: Graphviz json rendering failed");
  return out;
}

}  // namespace chunkscope::viz
