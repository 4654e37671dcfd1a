#include "chunkscope/exec/file_util.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace chunkscope {

void remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
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
      while (i < entry.size() && entry[i] >= '0' && entry[i] <= '9' && pid < (1LL << 40)) pid = pid * 10 + (entry[i++] - '0');
      if (i == prefix.size() || (i < entry.size() && entry[i] != '.')) continue;  // not "<pid>" or "<pid>.<n>"
      if (pid <= 0 || pid == ::getpid()) continue;
      if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // still running (or not ours to know)
      stale.push_back(it->path());
    }
  }
  for (const auto& s : stale) fs::remove_all(s, ec);
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  remove_stale_temporaries(path);
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw std::runtime_error(path + ": cannot write: " + what + ": " + reason);
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
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
  if (::fsync(fd) != 0) { ::close(fd); fail("fsync failed"); }
  if (::close(fd) != 0) fail("close failed");
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename failed");
}

}  // namespace chunkscope
