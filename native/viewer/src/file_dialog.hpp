#pragma once
// File-open dialog: a modal ImGui window listing a folder's sub-folders and trace files
// (.cstrace.json, .cstrace.cbor, .json, .cbor) with a path field; a click opens a folder or
// picks a file. Drag-and-drop onto the window (Window::take_dropped) is the other way in.
#include <string>
#include <vector>

namespace chunkscope::viewer {

class FileDialog {
 public:
  /// Opens the dialog at `folder` on the next draw().
  void open(const std::string& folder);
  /// Draws the dialog when open; returns the chosen path once, else "".
  std::string draw();

 private:
  void list(const std::string& folder);
  bool open_ = false, opening_ = false;
  std::string folder_, error_;
  char path_[1024] = {};
  std::vector<std::string> dirs_, files_;
};

}  // namespace chunkscope::viewer
