#pragma once
// The platform: a GLFW window with an OpenGL 3.3 context and Dear ImGui's GLFW + OpenGL3
// backends. glfw_backend.cpp is the only file that includes GLFW (STYLE.md rule 6).
//
//   Window w;
//   if (!w.create(1600, 1000, "chunkscope-view", true)) return 1;   // error(): why
//   while (!w.should_close()) { w.begin_frame(); draw(); w.end_frame(); }
#include <cstdint>
#include <string>
#include <vector>

namespace chunkscope::viewer {

class Window {
 public:
  Window() = default;
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;
  ~Window();

  /// Opens the window (hidden when !visible), makes its GL context current and sets up ImGui
  /// (DejaVu Sans when installed, else ImGui's font). False with error() when that fails.
  bool create(int width, int height, const std::string& title, bool visible);
  const std::string& error() const { return error_; }
  bool should_close() const;
  /// Waits for events (up to timeout_s; 0 = poll) and starts an ImGui frame.
  void begin_frame(double timeout_s);
  /// Renders ImGui's draw data to the back buffer and, unless keep_back_buffer, swaps.
  void end_frame(bool swap = true);
  /// The back buffer as RGBA rows, top row first (call after end_frame(false)).
  std::vector<std::uint8_t> read_pixels(int& width, int& height) const;
  /// Swaps the buffers (after read_pixels).
  void swap();
  /// From now on every frame sees the pointer at (x, y) in window pixels, whatever the real one
  /// does (screenshots of hover tooltips).
  void hold_pointer(float x, float y);
  /// With hold_pointer: the left button held down (true) or up in the following frames.
  void hold_button(bool down) { down_ = down; }
  /// Files dropped on the window since the last call.
  std::vector<std::string> take_dropped();

 private:
  void* window_ = nullptr;  // GLFWwindow*
  bool imgui_ = false;
  bool hold_ = false;
  float hold_x_ = 0, hold_y_ = 0;
  bool down_ = false;
  std::string error_;
};

/// Writes RGBA rows (top first) as a PNG; false when the file cannot be written.
bool write_png(const std::string& path, int width, int height, const std::vector<std::uint8_t>& rgba);

}  // namespace chunkscope::viewer
