#include "chunkscope/exec/file_util.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <sys/stat.h>

namespace chunkscope {

namespace fs = std::filesystem;

void remove_stale_temporaries(const std::string& path) {
  const fs::path p(path);
  const std::string name = p.filename().string();
  if (name.empty()) return;
  fs::path dir = p.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  std::vector<fs::path> stale;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    for (const char* mark : {".tmp-", ".old-"}) {
      const std::string prefix = name + mark;
      if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0) continue;
      std::size_t i = prefix.size();
      long long pid = 0;
      while (i < entry.size() && entry[i] >= '0' && entry[i] <= '9' && pid < (1LL << 40))
        pid = pid * 10 + (entry[i++] - '0');
      if (i == prefix.size() || (i < entry.size() && entry[i] != '.')) continue;  // not "<pid>" or "<pid>.<n>"
      if (pid <= 0 || pid == ::getpid()) continue;
      if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // still running (or not ours to know)
      stale.push_back(it->path());
    }
  }
  for (const auto& s : stale) fs::remove_all(s, ec);
}

FileKind file_kind_of_mode(mode_t mode) {
  if (S_ISREG(mode)) return FileKind::Regular;
  if (S_ISDIR(mode)) return FileKind::Directory;
  if (S_ISCHR(mode)) return FileKind::CharDevice;
  if (S_ISBLK(mode)) return FileKind::BlockDevice;
  if (S_ISFIFO(mode)) return FileKind::Fifo;
  if (S_ISSOCK(mode)) return FileKind::Socket;
  if (S_ISLNK(mode)) return FileKind::Symlink;
  return FileKind::Other;
}

FileKind file_kind(const std::string& path, bool follow) {
  if (path.find('\0') != std::string::npos) return FileKind::Other;
  struct stat st {};
  const int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  if (rc != 0) return errno == ENOENT || errno == ENOTDIR ? FileKind::Missing : FileKind::Other;
  return file_kind_of_mode(st.st_mode);
}

const char* file_kind_name(FileKind k) {
  switch (k) {
    case FileKind::Missing: return "missing";
    case FileKind::Regular: return "a regular file";
    case FileKind::Directory: return "a directory";
    case FileKind::CharDevice: return "a character device";
    case FileKind::BlockDevice: return "a block device";
    case FileKind::Fifo: return "a FIFO";
    case FileKind::Socket: return "a socket";
    case FileKind::Symlink: return "a symbolic link";
    case FileKind::Other: break;
  }
  return "not a file (or cannot be examined)";
}

std::string path_for_message(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '\0')
      out += "\\0";
    else
      out += c;
  }
  return out;
}

std::vector<std::string> create_parent_folders(const std::string& path) {
  std::vector<std::string> created;
  std::vector<fs::path> missing;
  for (fs::path p = fs::path(path).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    if (file_kind(p.string(), false) != FileKind::Missing) break;
    missing.push_back(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0777) != 0 && errno != EEXIST) {
      const std::string why = std::strerror(errno);
      remove_empty_folders(created);
      throw std::runtime_error(it->string() + ": cannot create the folder: " + why);
    }
    created.push_back(it->string());
  }
  return created;
}

void remove_empty_folders(const std::vector<std::string>& created) {
  for (auto it = created.rbegin(); it != created.rend(); ++it)
    ::rmdir(it->c_str());  // fails (and stays) when not empty
}

namespace {

// A character device or a FIFO: written through, never replaced by a regular file. A FIFO with no
// reader is refused at once (open(2) would wait for one forever).
void write_through(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENXIO) throw std::runtime_error(path + ": cannot write: it is a FIFO that nothing reads");
    throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw std::runtime_error(path + ": cannot write: write failed: " + why);
    }
    done += static_cast<std::size_t>(w);
  }
  ::close(fd);
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view bytes) {
  if (path.empty()) throw std::runtime_error("cannot write: the output path is empty");
  if (path.find('\0') != std::string::npos)
    throw std::runtime_error(path_for_message(path) + ": cannot write: the path holds a NUL byte");
  const FileKind kind = file_kind(path, true);
  if (kind == FileKind::CharDevice || kind == FileKind::Fifo) {
    write_through(path, bytes);
    return;
  }
  if (kind != FileKind::Missing && kind != FileKind::Regular)
    throw std::runtime_error(path + ": cannot write: it is " + file_kind_name(kind) + ", not a file");
  // A symbolic link stays; the file it points to is replaced.
  std::string target = path;
  if (file_kind(path, false) == FileKind::Symlink) {
    std::error_code ec;
    const fs::path real = fs::canonical(path, ec);
    if (ec || kind == FileKind::Missing)
      throw std::runtime_error(path + ": cannot write: it is a symbolic link to a missing file");
    target = real.string();
  }
  remove_stale_temporaries(target);
  const std::vector<std::string> created = create_parent_folders(target);
  const std::string tmp = target + ".tmp-" + std::to_string(::getpid());
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    remove_empty_folders(created);
    throw std::runtime_error(path + ": cannot write: " + what + ": " + reason);
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const std::string reason = std::strerror(errno);
    remove_empty_folders(created);
    throw std::runtime_error(path + ": cannot write: " + reason);
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail("write failed");
    }
    done += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("fsync failed");
  }
  if (::close(fd) != 0) fail("close failed");
  if (::rename(tmp.c_str(), target.c_str()) != 0) fail("rename failed");
}

}  // namespace chunkscope
