#include "glfw_backend.hpp"

#include <filesystem>
#include <mutex>
#include <utility>

#define GLFW_INCLUDE_NONE
#include <imgui.h>
#include <stb_image_write.h>

#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

namespace chunkscope::viewer {

namespace {

std::mutex g_drop_mutex;
std::vector<std::string> g_dropped;
std::string g_glfw_error;

void on_drop(GLFWwindow*, int count, const char** paths) {
  std::lock_guard lock(g_drop_mutex);
  for (int i = 0; i < count; ++i) g_dropped.emplace_back(paths[i]);
}

void on_error(int code, const char* what) { g_glfw_error = "GLFW error " + std::to_string(code) + ": " + what; }

GLFWwindow* win(void* w) { return static_cast<GLFWwindow*>(w); }

}  // namespace

Window::~Window() {
  if (imgui_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (window_) glfwDestroyWindow(win(window_));
  glfwTerminate();
}

bool Window::create(int width, int height, const std::string& title, bool visible) {
  glfwSetErrorCallback(on_error);
  if (!glfwInit()) {
    error_ = "cannot initialise GLFW (no display?): " + g_glfw_error;
    return false;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
  GLFWwindow* w = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!w) {
    error_ = "cannot create a window with an OpenGL 3.3 context: " + g_glfw_error;
    return false;
  }
  window_ = w;
  glfwMakeContextCurrent(w);
  glfwSwapInterval(visible ? 1 : 0);
  glfwSetDropCallback(w, on_drop);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // fixed panel layout; nothing written next to the trace
  const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  if (std::filesystem::exists(font)) {
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x2190, 0x21FF, 0x2026, 0x2026, 0x2212, 0x2212, 0};
    io.Fonts->AddFontFromFileTTF(font, 15.0f, nullptr, ranges);
  }
  ImGui::StyleColorsDark();
  ImGui::GetStyle().WindowRounding = 0;
  ImGui_ImplGlfw_InitForOpenGL(w, true);
  ImGui_ImplOpenGL3_Init("#version 330");
  imgui_ = true;
  return true;
}

bool Window::should_close() const { return glfwWindowShouldClose(win(window_)); }

void Window::begin_frame(double timeout_s) {
  if (timeout_s > 0)
    glfwWaitEventsTimeout(timeout_s);
  else
    glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (hold_) {
    ImGui::GetIO().MousePos = ImVec2(hold_x_, hold_y_);
    ImGui::GetIO().MouseDown[0] = down_;
  }
  ImGui::NewFrame();
}

void Window::hold_pointer(float x, float y) {
  hold_ = true;
  hold_x_ = x;
  hold_y_ = y;
}

void Window::end_frame(bool swap_now) {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(win(window_), &w, &h);
  glViewport(0, 0, w, h);
  glClearColor(0.09f, 0.09f, 0.11f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (swap_now) swap();
}

std::vector<std::uint8_t> Window::read_pixels(int& width, int& height) const {
  glfwGetFramebufferSize(win(window_), &width, &height);
  std::vector<std::uint8_t> rgba(static_cast<size_t>(width) * static_cast<size_t>(height) * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
  // GL's first row is the bottom one.
  const size_t row = static_cast<size_t>(width) * 4;
  for (int y = 0; y < height / 2; ++y)
    std::swap_ranges(rgba.begin() + static_cast<std::ptrdiff_t>(y * row),
                     rgba.begin() + static_cast<std::ptrdiff_t>((y + 1) * row),
                     rgba.begin() + static_cast<std::ptrdiff_t>((height - 1 - y) * row));
  for (size_t i = 3; i < rgba.size(); i += 4) rgba[i] = 255;
  return rgba;
}

void Window::swap() { glfwSwapBuffers(win(window_)); }

std::vector<std::string> Window::take_dropped() {
  std::lock_guard lock(g_drop_mutex);
  return std::exchange(g_dropped, {});
}

bool write_png(const std::string& path, int width, int height, const std::vector<std::uint8_t>& rgba) {
  return stbi_write_png(path.c_str(), width, height, 4, rgba.data(), width * 4) != 0;
}

}  // namespace chunkscope::viewer
