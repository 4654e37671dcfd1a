#pragma once
// Command line of chunkscope-view:
//   chunkscope-view [TRACE...] [--compare] [--color-by MODE]
//                   [--screenshot FILE.png [--frames N] [--size WxH] [--hover X,Y | --click X,Y]] [--select LAYER]
//                   [--brush T0,T1] [--expand GROUP]... [--memory total|by-layer] [--tasks LAYER]...
//                   [--dump-view FILE.json] [--bench]
#include <string>
#include <vector>

namespace chunkscope::viewer {

struct Options {
  std::vector<std::string> traces;
  std::string screenshot;  ///< write a PNG after `frames` frames and exit
  int frames = 3;
  int width = 1600, height = 1000;
  float hover_x = -1, hover_y = -1;      ///< --hover: the pointer held there in every frame (pictures of tooltips)
  long long brush_t0 = 0, brush_t1 = 0;  ///< --brush: a brushed timeline range (ns)
  bool click = false;                    ///< --click: a left click at (hover_x, hover_y) in frames 2-3
  std::string select;                    ///< layer id to select (expands its groups)
  std::vector<std::string> expand;       ///< group paths to open
  std::vector<std::string> tasks;        ///< --tasks: layers whose tasks are shown, fitted (as a double-click)
  std::string color_by;                  ///< colour-by mode name
  bool memory_by_layer = false;          ///< --memory by-layer: the memory chart stacks live bytes by layer
  bool compare = false;                  ///< first two traces side by side
  std::string dump_view;                 ///< write the panels' view model (JSON) for golden tests
  bool bench = false;                    ///< headless timings of opening and frame preparation
  bool help = false;
};

/// Parses argv; false with `error` set on a bad option or value.
bool parse_options(int argc, char** argv, Options& o, std::string& error);
/// The --help text.
const char* usage();

}  // namespace chunkscope::viewer
