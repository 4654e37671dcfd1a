// file_util: atomic writes, and the removal of temporaries that killed processes left behind.
#include "chunkscope/exec/file_util.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "chunkscope/exec/sink_finalize.hpp"
#include "io_fixtures.hpp"
#include "serial_run.hpp"

using namespace chunkscope;
using namespace chunkscope::test;
namespace fs = std::filesystem;

namespace {

// The id of a process that has exited (and been reaped).
pid_t dead_pid() {
  const pid_t p = ::fork();
  if (p == 0) ::_exit(0);
  int status = 0;
  ::waitpid(p, &status, 0);
  return p;
}

void touch(const fs::path& p) { std::ofstream(p) << "x"; }

}  // namespace

TEST_CASE("remove_stale_temporaries removes what dead processes left, and nothing else", "[file_util]") {
  TempDir dir;
  const std::string dead = std::to_string(dead_pid()), self = std::to_string(::getpid());
  touch(dir / ("out.npy.tmp-" + dead));                          // a killed run's .npy
  fs::create_directories(dir / ("out.npy.tmp-" + dead + ".3"));  // a folder with a counter suffix
  touch(dir / ("out.npy.old-" + dead));
  touch(dir / ("out.npy.tmp-" + self));        // this process's own
  touch(dir / "out.npy.tmp-1");                // a running process (init)
  touch(dir / ("other.npy.tmp-" + dead));      // another output
  touch(dir / "out.npy.tmp-abc");              // not a process id
  touch(dir / ("out.npy.tmp-" + dead + "x"));  // not "<pid>" or "<pid>.<n>"
  remove_stale_temporaries(dir / "out.npy");
  CHECK_FALSE(fs::exists(dir / ("out.npy.tmp-" + dead)));
  CHECK_FALSE(fs::exists(dir / ("out.npy.tmp-" + dead + ".3")));
  CHECK_FALSE(fs::exists(dir / ("out.npy.old-" + dead)));
  CHECK(fs::exists(dir / ("out.npy.tmp-" + self)));
  CHECK(fs::exists(dir / "out.npy.tmp-1"));
  CHECK(fs::exists(dir / ("other.npy.tmp-" + dead)));
  CHECK(fs::exists(dir / "out.npy.tmp-abc"));
  CHECK(fs::exists(dir / ("out.npy.tmp-" + dead + "x")));
  remove_stale_temporaries(dir / "no_such_folder/out.npy");  // no error
}

TEST_CASE("write_file_atomic replaces the file and cleans a killed writer's temporary", "[file_util]") {
  TempDir dir;
  const std::string path = dir / "t.cstrace.json";
  touch(path + ".tmp-" + std::to_string(dead_pid()));
  write_file_atomic(path, "new");
  std::string got;
  std::getline(std::ifstream(path), got);
  CHECK(got == "new");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("write_file_atomic creates missing folders, follows links and never replaces what is not a file",
          "[file_util]") {
  TempDir dir;
  auto read = [](const std::string& p) {
    std::string got;
    std::getline(std::ifstream(p), got);
    return got;
  };
  write_file_atomic(dir / "made/deeper/t.json", "x");
  CHECK(read(dir / "made/deeper/t.json") == "x");

  // A symbolic link stays a link; the file it points to gets the bytes.
  touch(dir / "target.html");
  fs::create_symlink("target.html", dir / "link.html");
  write_file_atomic(dir / "link.html", "page");
  CHECK(fs::is_symlink(dir / "link.html"));
  CHECK(read(dir / "target.html") == "page");
  fs::create_symlink("nowhere.html", dir / "dangling.html");
  CHECK_THROWS_WITH(write_file_atomic(dir / "dangling.html", "x"), Catch::Contains("symbolic link to a missing file"));

  // A folder is refused and left as it was.
  fs::create_directories(dir / "adir");
  touch(dir / "adir/keep");
  CHECK_THROWS_WITH(write_file_atomic(dir / "adir", "x"), Catch::Contains("directory"));
  CHECK(fs::exists(dir / "adir/keep"));

  // A FIFO that nothing reads is refused at once, and stays a FIFO.
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  CHECK_THROWS_WITH(write_file_atomic(dir / "fifo", "x"), Catch::Contains("FIFO that nothing reads"));
  CHECK(file_kind(dir / "fifo", false) == FileKind::Fifo);

  // A path with a NUL byte is refused, not cut at the NUL.
  const std::string nul = std::string(dir / "a") + std::string(1, '\0') + "b";
  CHECK_THROWS_WITH(write_file_atomic(nul, "x"), Catch::Contains("NUL byte"));
  CHECK_FALSE(fs::exists(dir / "a"));

  // A character device is written through (a private copy of /dev/null: needs root for mknod).
  if (::mknod((dir / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    write_file_atomic(dir / "null", "discarded");
    CHECK(file_kind(dir / "null", false) == FileKind::CharDevice);
  }
}

TEST_CASE("create_parent_folders reports what it made; remove_empty_folders takes back only the empty ones",
          "[file_util]") {
  TempDir dir;
  const auto made = create_parent_folders(dir / "a/b/c/file");
  REQUIRE(made.size() == 3);
  CHECK(made.front() == std::string(dir / "a"));
  touch(dir / "a/b/keep");
  remove_empty_folders(made);
  CHECK_FALSE(fs::exists(dir / "a/b/c"));
  CHECK(fs::exists(dir / "a/b/keep"));
  CHECK(create_parent_folders(dir / "a/b/file").empty());
}

TEST_CASE("a Zarr output replaces the previous folder in one step and leaves no temporaries",
          "[file_util][sink][zarr]") {
  TempDir dir;
  fs::create_directories(dir / "out.zarr");
  touch(dir / "out.zarr/marker");
  const std::string stale = "out.zarr.tmp-" + std::to_string(dead_pid());
  fs::create_directories(dir / stale);
  const Graph g = parse_with(R"({"name": "z", "layers": [{"id": "x", "op": "ones", "shape": [6, 4], "chunks": 3}],
                                 "outputs": [{"id": "x", "to_zarr": "out.zarr"}]})",
                             dir.path(), true);
  { SerialRun run(g); }
  finalize_sinks(g, true);
  CHECK(fs::exists(dir / "out.zarr/.zarray"));
  CHECK_FALSE(fs::exists(dir / "out.zarr/marker"));
  for (const auto& e : fs::directory_iterator(dir.path())) CHECK(e.path().filename() == "out.zarr");
}
