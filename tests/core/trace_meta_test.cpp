// TraceMeta's typed run facts (issue 19 item 5): worker devices are a field, named by one rule,
// and stored in the file as meta.extra.worker_devices as before.
#include <catch2/catch.hpp>

#include "chunkscope/core/trace_io.hpp"

using namespace chunkscope;

TEST_CASE("devices are named by the distinct non-host worker lanes", "[core][trace]") {
  TraceMeta m;
  CHECK(m.device_name(1).empty());
  CHECK(m.worker_device(0).empty());
  m.worker_devices = {"cuda:1", "host", "cuda:1", "cuda:3"};
  CHECK(m.device_name(0).empty());  // 0 is the host
  CHECK(m.device_name(1) == "cuda:1");
  CHECK(m.device_name(2) == "cuda:3");
  CHECK(m.device_name(3).empty());
  CHECK(m.worker_device(1) == "host");
  CHECK(m.worker_device(4).empty());
  CHECK(m.worker_device(-1).empty());
}

TEST_CASE("worker devices are read from and written to meta.extra.worker_devices", "[core][trace]") {
  Trace t;
  t.meta.worker_devices = {"cuda:0", "host"};
  t.meta.extra = {{"dask", 1}};
  for (const std::string& bytes : {write_trace_json(t), write_trace_cbor(t), write_trace_compact(t)}) {
    const auto back = read_trace_bytes(bytes, "t");
    REQUIRE(back.ok());
    CHECK(back->meta.worker_devices == std::vector<std::string>{"cuda:0", "host"});
    CHECK(back->meta.extra == nlohmann::json{{"dask", 1}});  // the typed field, not a copy in extra
  }
  CHECK(trace_to_json(t)["meta"]["extra"]["worker_devices"] == nlohmann::json{"cuda:0", "host"});
  // An importer's own "worker_devices" that is not a list of names stays in extra.
  t.meta.worker_devices.clear();
  t.meta.extra = {{"worker_devices", 3}};
  const auto odd = read_trace_bytes(write_trace_json(t), "t");
  REQUIRE(odd.ok());
  CHECK(odd->meta.worker_devices.empty());
  CHECK(odd->meta.extra["worker_devices"] == 3);
}
