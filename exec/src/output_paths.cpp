// Checks of what a run may write, before it runs (output_paths.hpp says what is refused and why).
#include "chunkscope/exec/output_paths.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "chunkscope/core/error.hpp"
#include "chunkscope/exec/file_util.hpp"

namespace chunkscope {
namespace {

namespace fs = std::filesystem;

/// How a command uses a path.
enum class Use { ReadFile, ReadFolder, WriteFile, WriteNpy, WriteFolder };

struct PathUse {
  std::string path;
  std::string role;  // "to_npy of \"y\"", "the pipeline", "--trace"
  Use use;
  fs::path resolved;
  bool write_through = false;  // a character device or FIFO: written through, never replaced
};

bool is_write(Use u) { return u == Use::WriteFile || u == Use::WriteNpy || u == Use::WriteFolder; }

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw InputError(path_for_message(path) + ": " + why);
}

/// The path with symbolic links, "." and ".." resolved (as far as it exists), so that two names of
/// one file compare equal.
fs::path resolve(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  if (ec) return fs::path(path).lexically_normal();
  fs::path r = fs::weakly_canonical(abs, ec);
  if (ec) return abs.lexically_normal();
  return r;
}

/// True when `inner` lies inside the folder `outer` (not equal to it).
bool inside(const fs::path& inner, const fs::path& outer) {
  auto o = outer.begin(), i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  for (; i != inner.end(); ++i)
    if (!i->empty()) return true;
  return false;
}

void check_path_text(const std::string& path, const std::string& role) {
  if (path.empty()) throw InputError(role + ": the path is empty");
  if (path.find('\0') != std::string::npos) refuse(path, role + ": the path holds a NUL byte");
}

/// A chunk file or folder name of a Zarr v2 array ("0.3.1", "0", nested "0/3/1"), possibly a
/// temporary of a chunk write ("0.3.1.tmp-<pid>.<n>").
bool is_chunk_name(const std::string& name) {
  const std::string base = name.substr(0, name.find(".tmp-"));
  if (base.empty()) return false;
  bool digit = false;
  for (char c : base) {
    if (c == '.') {
      if (!digit) return false;
      digit = false;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else {
      return false;
    }
  }
  return digit;
}

/// A to_zarr target that exists must be a Zarr array folder chunkscope may replace whole.
void check_zarr_target(const PathUse& u) {
  const FileKind link = file_kind(u.path, false);
  if (link == FileKind::Symlink)
    refuse(u.path, u.role + ": it is a symbolic link; write to the folder it points to, or to a new path");
  if (link == FileKind::Missing) return;
  if (link != FileKind::Directory)
    refuse(u.path,
           u.role + ": it exists and is " + file_kind_name(link) + ", not a Zarr array folder; choose a new path");
  const std::string why = ": it is a directory that is not a Zarr array (";
  const std::string fix = "); chunkscope replaces only a Zarr array folder — choose a new path";
  if (file_kind(u.path + "/.zgroup", false) != FileKind::Missing)
    refuse(u.path, u.role + why + "it holds .zgroup: a Zarr group" + fix);
  if (file_kind(u.path + "/.zarray", false) != FileKind::Regular) refuse(u.path, u.role + why + "no .zarray" + fix);
  std::error_code ec;
  for (fs::directory_iterator it(u.path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == ".zarray" || name == ".zattrs" || is_chunk_name(name)) continue;
    refuse(u.path, u.role + why + "it holds \"" + name + "\", which is not part of a Zarr array" + fix);
  }
  if (ec) refuse(u.path, u.role + ": cannot list the folder: " + ec.message());
}

/// A to_npy sink replaces a regular file or creates one; nothing else.
void check_npy_target(const PathUse& u) {
  const FileKind link = file_kind(u.path, false);
  if (link == FileKind::Symlink)
    refuse(u.path, u.role + ": it is a symbolic link; write to the file it points to, or to a new path");
  if (link != FileKind::Missing && link != FileKind::Regular)
    refuse(u.path, u.role + ": it is " + std::string(file_kind_name(link)) + ", not a regular file; choose a new path");
}

/// A single file written by write_file_atomic (trace, HTML, -o): devices and FIFOs are written
/// through, links followed, the rest refused.
void check_file_target(PathUse& u) {
  const FileKind kind = file_kind(u.path, true);
  if (kind == FileKind::CharDevice || kind == FileKind::Fifo) {
    u.write_through = true;
    return;
  }
  if (kind == FileKind::Missing && file_kind(u.path, false) == FileKind::Symlink)
    refuse(u.path, u.role + ": it is a symbolic link to a missing file");
  if (kind != FileKind::Missing && kind != FileKind::Regular)
    refuse(u.path, u.role + ": it is " + std::string(file_kind_name(kind)) + ", not a file; choose another path");
}

void check_uses(std::vector<PathUse>& uses) {
  for (auto& u : uses) {
    check_path_text(u.path, u.role);
    u.resolved = resolve(u.path);
  }
  for (auto& u : uses) {
    if (u.use == Use::WriteFolder)
      check_zarr_target(u);
    else if (u.use == Use::WriteNpy)
      check_npy_target(u);
    else if (u.use == Use::WriteFile)
      check_file_target(u);
  }
  for (size_t i = 0; i < uses.size(); ++i) {
    for (size_t j = 0; j < uses.size(); ++j) {
      if (i == j) continue;
      const PathUse& a = uses[i];  // the output named in the message
      const PathUse& b = uses[j];
      if (!is_write(a.use) || a.write_through || b.write_through) continue;
      if (a.resolved == b.resolved && (j > i || !is_write(b.use))) {
        if (is_write(b.use))
          refuse(a.path, a.role + " and " + b.role + " write the same file; give each output its own path");
        refuse(a.path, a.role + " would replace " + b.role + "; write the output to another path");
      }
      if (b.use == Use::WriteFolder && inside(a.resolved, b.resolved))
        refuse(a.path, a.role + " is inside " + b.path + ", the Zarr folder that " + b.role +
                           " replaces whole; choose a path outside it");
      if (b.use == Use::ReadFolder && inside(a.resolved, b.resolved))
        refuse(a.path, a.role + " would write inside " + b.path + ", read by " + b.role + "; choose a path outside it");
      if (a.use == Use::WriteFolder && !is_write(b.use) && inside(b.resolved, a.resolved))
        refuse(a.path,
               a.role + " would replace the folder holding " + b.role + " (" + b.path + "); choose another path");
    }
  }
}

std::vector<PathUse> graph_uses(const Graph& g) {
  std::vector<PathUse> uses;
  for (const Layer& l : g.layers()) {
    switch (l.op) {
      case Op::FromNpy:
        uses.push_back({l.params.path, "the source \"" + l.id + "\" (from_npy)", Use::ReadFile, {}});
        break;
      case Op::FromZarr:
        uses.push_back({l.params.path, "the source \"" + l.id + "\" (from_zarr)", Use::ReadFolder, {}});
        break;
      case Op::ToNpy:
      case Op::ToZarr: {
        const bool npy = l.op == Op::ToNpy;
        const std::string of = l.raw_params.contains("input") && l.raw_params["input"].is_string()
                                   ? l.raw_params["input"].get<std::string>()
                                   : l.id;
        uses.push_back({l.params.path,
                        std::string(npy ? "to_npy" : "to_zarr") + " of \"" + of + "\"",
                        npy ? Use::WriteNpy : Use::WriteFolder,
                        {}});
        break;
      }
      default: break;
    }
  }
  return uses;
}

}  // namespace

void check_run_paths(const Graph& graph, const RunFiles& files) {
  std::vector<PathUse> uses = graph_uses(graph);
  if (!files.pipeline.empty()) uses.push_back({files.pipeline, "the pipeline", Use::ReadFile, {}});
  if (!files.trace.empty()) uses.push_back({files.trace, "the trace", Use::WriteFile, {}});
  if (!files.html.empty()) uses.push_back({files.html, "the HTML page", Use::WriteFile, {}});
  try {
    check_uses(uses);
  } catch (const InputError& e) {
    if (files.pipeline.empty()) throw;
    throw InputError(path_for_message(files.pipeline) + ": " + e.what());  // which pipeline's output, first
  }
}

void check_file_output(const std::string& path, const std::string& role, const std::vector<ReadFile>& reads) {
  if (path == "-") return;
  std::vector<PathUse> uses{{path, role, Use::WriteFile, {}}};
  for (const auto& r : reads) uses.push_back({r.path, r.role, Use::ReadFile, {}});
  check_uses(uses);
}

void OutputFolders::create_for(const Graph& graph) {
  for (const Layer& l : graph.layers()) {
    if (l.op != Op::ToNpy && l.op != Op::ToZarr) continue;
    try {
      created_.push_back(create_parent_folders(l.params.path));
    } catch (...) {
      remove_empty();
      throw;
    }
  }
}

void OutputFolders::remove_empty() {
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) remove_empty_folders(*it);
  created_.clear();
}

}  // namespace chunkscope
