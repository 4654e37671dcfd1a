// Runs chunkscope's core under WebAssembly (node): parses pipelines with parse_pipeline_text and
// checks layer and task counts and error messages. Exits 0 when every check passes, 1 otherwise.
#include <cstdint>
#include <iostream>
#include <string>

#include "chunkscope/core/pipeline.hpp"

namespace {

int g_failures = 0;

void check(bool ok, const std::string& what) {
  std::cout << (ok ? "ok   " : "FAIL ") << what << "\n";
  if (!ok) ++g_failures;
}

// A 64x64 image in 32x32 chunks (4 tasks), thresholded (4 tasks) and summed over axis 0
// (4 per-chunk partial sums + 2 output chunks): 14 tasks, the same count the native build gives.
constexpr std::int64_t kExpectedTasks = 14;
const char* const kGoodPipeline = R"({
  "name": "wasm-smoke",
  "layers": [
    {"id": "img", "op": "random", "shape": [64, 64], "chunks": [32, 32], "dtype": "float32", "seed": 1},
    {"id": "mask", "op": "greater", "inputs": ["img", 0.5]},
    {"id": "area", "op": "sum", "input": "mask", "axis": [0]}
  ],
  "outputs": [{"id": "area"}]
})";

// Layer "blur" refers to a layer that does not exist.
const char* const kBadPipeline = R"({
  "name": "wasm-bad",
  "layers": [
    {"id": "img", "op": "random", "shape": [64, 64], "chunks": [32, 32], "dtype": "float32", "seed": 1},
    {"id": "blur", "op": "gaussian_filter", "input": "nope", "sigma": [1, 1]}
  ],
  "outputs": [{"id": "blur"}]
})";

// Not JSON at all: the message must give a line and column.
const char* const kBrokenJson = "{\n  \"name\": \"x\",\n  \"layers\": [\n}";

}  // namespace

int main() {
  using chunkscope::parse_pipeline_text;

  const auto good = parse_pipeline_text(kGoodPipeline, "good.json", "");
  check(good.ok(), "good pipeline parses" + (good ? std::string() : ": " + good.error()));
  if (good) {
    const auto& g = *good;
    std::cout << "     " << g.layers().size() << " layers, " << g.tasks().size() << " tasks, " << g.tasks().num_edges()
              << " dependencies\n";
    check(g.layers().size() == 3, "3 layers");
    check(g.find_layer("mask") >= 0 && g.layer_task_count(g.find_layer("mask")) == 4, "layer mask has 4 tasks");
    check(g.tasks().size() == kExpectedTasks, "total task count is " + std::to_string(kExpectedTasks));
  }

  const auto bad = parse_pipeline_text(kBadPipeline, "bad.json", "");
  check(!bad.ok(), "pipeline with an unknown input is rejected");
  if (!bad) {
    std::cout << "     error: " << bad.error() << "\n";
    check(bad.error().find("blur") != std::string::npos, "error names layer \"blur\"");
    check(bad.error().find("bad.json") != std::string::npos, "error names the file");
  }

  const auto broken = parse_pipeline_text(kBrokenJson, "broken.json", "");
  check(!broken.ok(), "invalid JSON is rejected");
  if (!broken) {
    std::cout << "     error: " << broken.error() << "\n";
    check(broken.error().find("broken.json:4:") != std::string::npos, "error gives line 4");
  }

  std::cout << (g_failures == 0 ? "core_wasm: all checks passed\n" : "core_wasm: checks failed\n");
  return g_failures == 0 ? 0 : 1;
}
