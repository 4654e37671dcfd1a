#pragma once
// Compare panel: two runs side by side (before / after applying advice) — wall time, peak memory
// and tasks of each, and per layer the busy time and bytes at the peak with their differences.
#include "compare.hpp"
#include "document.hpp"

namespace chunkscope::viewer {

class ComparePanel {
 public:
  void draw(const Document& a, const Document& b);

 private:
  const Document *a_ = nullptr, *b_ = nullptr;
  RunDiff diff_;
};

}  // namespace chunkscope::viewer
