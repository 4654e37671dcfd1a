#include <catch2/catch.hpp>

#include "chunkscope/viz/chunk_grid.hpp"
#include "chunkscope/viz/timeline.hpp"
#include "viz_fixtures.hpp"

using namespace chunkscope;
using namespace chunkscope::viz;

TEST_CASE("transfer_info describes a copy in each direction and the task it fed", "[viz][transfer_info]") {
  Trace t = fixtures::sample_cuda_trace();
  fixtures::add_transfer(t, -1, 100, 350, 4096, false);  // feeds no known task
  const Model m(std::move(t), {});
  const auto& x = m.trace().transfers;
  const TransferInfo up = transfer_info(m, 0);
  CHECK(up.device == "cuda:0");
  CHECK(up.to_device);
  CHECK(up.direction ==
        "host\xE2\x86\x92"
        "device");
  CHECK(up.bytes == x.bytes[0]);
  CHECK(up.start_ns == x.start_ns[0]);
  CHECK(up.duration_ns == x.end_ns[0] - x.start_ns[0]);
  CHECK(up.task == x.task[0]);
  CHECK(up.layer == "blur");
  CHECK(up.chunk_index == task_info(m, up.task).chunk_index);
  const std::int64_t last = x.size() - 1;
  const TransferInfo down = transfer_info(m, last - 1);
  CHECK_FALSE(down.to_device);
  CHECK(down.direction ==
        "device\xE2\x86\x92"
        "host");
  CHECK(down.layer == "rc");
  const TransferInfo orphan = transfer_info(m, last);
  CHECK(orphan.task == -1);
  CHECK(orphan.layer.empty());
  CHECK(orphan.chunk_index.empty());
  CHECK(orphan.duration_ns == 250);
  CHECK_THROWS_AS(transfer_info(m, -1), std::out_of_range);
  CHECK_THROWS_AS(transfer_info(m, x.size()), std::out_of_range);
}

// The model relies on a valid trace: validate (core), which the readers call, refuses it (issue 19 item 4).
TEST_CASE("a trace whose transfer columns do not fit is refused by validate", "[viz][transfer_info]") {
  Trace t = fixtures::sample_trace();
  fixtures::add_transfer(t, 0, 0, 10, 8, true);
  Trace shorter = t;
  shorter.transfers.bytes.clear();
  CHECK_THROWS_WITH(validate(shorter, "t"), Catch::Contains("transfers"));
  Trace bad_task = t;
  bad_task.transfers.task[0] = t.tasks.size();
  CHECK_THROWS_WITH(validate(bad_task, "t"), Catch::Contains("transfers.task[0]"));
  CHECK_NOTHROW(validate(t, "t"));
}
