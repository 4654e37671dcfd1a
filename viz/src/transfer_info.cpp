// transfer_info: the facts of one host<->device copy for a tooltip.
#include <stdexcept>

#include "chunkscope/viz/chunk_grid.hpp"
#include "chunkscope/viz/timeline.hpp"

namespace chunkscope::viz {

TransferInfo transfer_info(const Model& m, std::int64_t transfer) {
  const TraceTransfers& x = m.trace().transfers;
  if (transfer < 0 || transfer >= x.size())
    throw std::out_of_range("transfer_info: no transfer " + std::to_string(transfer));
  const auto i = static_cast<size_t>(transfer);
  TransferInfo info;
  info.device = m.device_name(x.device[i]);
  info.to_device = x.to_device[i] != 0;
  info.direction = info.to_device ? "host\xE2\x86\x92"
                                    "device"
                                  : "device\xE2\x86\x92"
                                    "host";
  info.bytes = x.bytes[i];
  info.start_ns = x.start_ns[i];
  info.duration_ns = x.end_ns[i] - x.start_ns[i];
  info.task = x.task[i];
  if (info.task >= 0) {
    const TaskInfo t = task_info(m, info.task);
    info.layer = t.layer;
    info.chunk_index = t.chunk_index;
  }
  return info;
}

}  // namespace chunkscope::viz
