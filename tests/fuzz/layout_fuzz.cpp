// Fuzz target: Graphviz `-Tjson` text -> viz::parse_layout, for the fixed VisibleGraph of
// layout_graph.hpp (the names the seed corpus uses). LayoutError is the expected failure;
// anything else is a bug.
#include <cstddef>
#include <cstdint>

#include "chunkscope/viz/layout.hpp"
#include "fuzz_support.hpp"
#include "layout_graph.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const chunkscope::viz::VisibleGraph g = chunkscope::fuzz::layout_graph();
  try {
    (void)chunkscope::viz::parse_layout(chunkscope::fuzz::as_string(data, size), g);
  } catch (const chunkscope::viz::LayoutError&) {
  }
  return 0;
}
