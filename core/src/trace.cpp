#include "chunkscope/core/trace.hpp"

#include "chunkscope/core/dtype.hpp"

namespace chunkscope {

const char* trace_status_name(std::uint8_t s) {
  switch (s) {
    case 0: return "not_run";
    case 1: return "done";
    case 2: return "failed";
    case 3: return "cancelled";
  }
  return "unknown";
}

ArrayMeta TraceLayer::meta() const {
  ArrayMeta m;
  m.shape = shape;
  m.chunks = chunks;
  m.dtype = parse_dtype(dtype).value_or(DType::Float64);
  return m;
}

int Trace::find_layer(const std::string& id) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].id == id) return static_cast<int>(i);
  return -1;
}

}  // namespace chunkscope
