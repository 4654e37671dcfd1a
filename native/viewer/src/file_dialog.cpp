#include "file_dialog.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace chunkscope::viewer {

namespace fs = std::filesystem;

namespace {

bool is_trace_name(const std::string& n) {
  auto ends = [&](const char* s) {
    return n.size() >= std::strlen(s) && n.compare(n.size() - std::strlen(s), std::string::npos, s) == 0;
  };
  return ends(".cstrace.json") || ends(".cstrace.cbor") || ends(".json") || ends(".cbor") || ends(".cstrace");
}

}  // namespace

void FileDialog::open(const std::string& folder) {
  list(folder);
  opening_ = true;
}

void FileDialog::list(const std::string& folder) {
  std::error_code ec;
  fs::path p = fs::absolute(folder.empty() ? fs::path(".") : fs::path(folder), ec).lexically_normal();
  folder_ = p.string();
  dirs_.clear();
  files_.clear();
  error_.clear();
  for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code e2;
    if (it->is_directory(e2))
      dirs_.push_back(name);
    else if (is_trace_name(name))
      files_.push_back(name);
  }
  if (ec) error_ = folder_ + ": " + ec.message();
  std::sort(dirs_.begin(), dirs_.end());
  std::sort(files_.begin(), files_.end());
  std::snprintf(path_, sizeof path_, "%s/", folder_.c_str());
}

std::string FileDialog::draw() {
  if (opening_) {
    ImGui::OpenPopup("Open a trace");
    opening_ = false;
    open_ = true;
  }
  std::string chosen;
  ImGui::SetNextWindowSize(ImVec2(640, 460), ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal("Open a trace", &open_)) return chosen;
  ImGui::SetNextItemWidth(-80);
  bool enter = ImGui::InputText("##path", path_, sizeof path_, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Open") || enter) {
    std::error_code ec;
    if (fs::is_directory(path_, ec))
      list(path_);
    else
      chosen = path_;
  }
  if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
  ImGui::BeginChild("entries", ImVec2(0, -30), true);
  std::string go;
  if (ImGui::Selectable("../")) go = (fs::path(folder_).parent_path()).string();
  for (const auto& d : dirs_)
    if (ImGui::Selectable((d + "/").c_str())) go = (fs::path(folder_) / d).string();
  for (const auto& f : files_)
    if (ImGui::Selectable(f.c_str(), false, ImGuiSelectableFlags_AllowDoubleClick))
      chosen = (fs::path(folder_) / f).string();
  ImGui::EndChild();
  ImGui::TextDisabled("or drop trace files onto the window");
  if (!go.empty()) list(go);
  if (!chosen.empty()) {
    open_ = false;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
  return chosen;
}

}  // namespace chunkscope::viewer
