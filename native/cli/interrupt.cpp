#include "interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>

#include "chunkscope/exec/array_io.hpp"

namespace chunkscope::cli {
namespace {

namespace fs = std::filesystem;

// What the signal handler may touch: plain atomics and a pipe (async-signal-safe).
std::atomic<std::atomic<bool>*> g_cancel{nullptr};
std::atomic<int> g_pipe{-1};
std::atomic<int> g_count{0};

extern "C" void on_interrupt(int) {
  const int n = g_count.fetch_add(1) + 1;
  if (n == 1) {
    if (auto* c = g_cancel.load()) c->store(true);
    static const char msg[] = "\nchunkscope: cancelling (Ctrl-C again to quit at once)\n";
    [[maybe_unused]] const auto w = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  } else if (n == 2) {
    const int fd = g_pipe.load();
    const char quit = 'x';
    if (fd >= 0) {
      [[maybe_unused]] const auto w = ::write(fd, &quit, 1);
    }
  }
}

}  // namespace

std::vector<std::string> run_outputs(const Graph& g, const std::string& trace_path, const std::string& html_path) {
  std::vector<std::string> out;
  for (const Layer& l : g.layers())
    if ((l.op == Op::ToNpy || l.op == Op::ToZarr) && !l.params.path.empty()) out.push_back(l.params.path);
  for (const std::string* p : {&trace_path, &html_path})
    if (!p->empty()) out.push_back(*p);
  return out;
}

void remove_own_temporaries(const std::string& path) {
  const fs::path tmp(temp_path_for(path));
  const std::string name = tmp.filename().string();
  fs::path dir = tmp.parent_path();
  if (dir.empty()) dir = ".";
  // Workers of the cancelled run may still add chunk files to a Zarr temporary folder while it is
  // removed: try a few times.
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::error_code ec;
    std::vector<fs::path> found;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const std::string e = it->path().filename().string();
      if (e == name || (e.size() > name.size() + 1 && e.compare(0, name.size(), name) == 0 && e[name.size()] == '.'))
        found.push_back(it->path());
    }
    if (found.empty()) return;
    bool left = false;
    for (const auto& f : found) {
      fs::remove_all(f, ec);
      left |= static_cast<bool>(ec);
    }
    if (!left) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

InterruptGuard::InterruptGuard(std::atomic<bool>& cancel, std::vector<std::string> outputs)
    : outputs_(std::move(outputs)) {
  if (::pipe2(pipe_, O_CLOEXEC) == 0) watcher_ = std::thread([this] { watch(); });
  g_count.store(0);
  g_cancel.store(&cancel);
  g_pipe.store(pipe_[1]);
  previous_ = std::signal(SIGINT, on_interrupt);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_);
  g_pipe.store(-1);
  g_cancel.store(nullptr);
  if (watcher_.joinable()) {
    const char stop = 'q';
    [[maybe_unused]] const auto w = ::write(pipe_[1], &stop, 1);
    watcher_.join();
  }
  for (int fd : pipe_)
    if (fd >= 0) ::close(fd);
}

void InterruptGuard::watch() {
  char c = 0;
  while (true) {
    const ssize_t n = ::read(pipe_[0], &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == 'q') return;
    if (c == 'x') {
      for (const auto& p : outputs_) remove_own_temporaries(p);
      static const char msg[] = "chunkscope: interrupted\n";
      [[maybe_unused]] const auto w = ::write(STDERR_FILENO, msg, sizeof msg - 1);
      ::_exit(kInterrupted);
    }
  }
}

}  // namespace chunkscope::cli
