// The device kernels' arithmetic and index maths (gpu/src/device_math.hpp) and the planning of
// device reductions and filters (gpu/src/task_plan.cpp), run on the host against exec's CPU
// kernels — on every machine, GPU or not. Each task of a reduction or filter layer gets the CPU
// kernel's inputs and is computed the way the device kernels compute it (the same per-element
// functions, a plain loop for the launch); the result must equal the CPU kernel's: bit for bit for
// filters, halo gathers, integer sums and min/max, to 1e-12 relative for float sums, means and M2
// (the device adds in a different order).
#include "device_math.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <catch2/catch.hpp>

#include "chunkscope/core/pipeline.hpp"
#include "chunkscope/exec/kernel.hpp"
#include "task_plan.hpp"

using namespace chunkscope;
using namespace chunkscope::gpu;

namespace {

Graph load(const std::string& text) {
  auto g = parse_pipeline_text(text, "test", ".");
  if (!g.ok()) FAIL(g.error());
  return std::move(g.value());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Every task through exec's CPU kernels, in id order (deps come first).
struct CpuRun {
  const Graph& g;
  std::vector<std::shared_ptr<const void>> states;
  std::vector<Buffer> out;
  explicit CpuRun(const Graph& graph) : g(graph) {
    const TaskGraph& tg = g.tasks();
    const int nl = static_cast<int>(g.layers().size());
    states.resize(nl);
    for (int l = 0; l < nl; ++l)
      if (kernel_for(g.layer(l)).prepare) states[l] = kernel_for(g.layer(l)).prepare(g, l);
    out.resize(static_cast<size_t>(tg.size()));
    for (std::int64_t t = 0; t < tg.size(); ++t) {
      const TaskKey k = tg.key(t);
      const KernelInfo& ki = kernel_for(g.layer(k.layer));
      out[t] = Buffer(ki.output_bytes(g, k.layer, k, states[k.layer].get()));
      std::vector<const Buffer*> ins;
      for (auto d : tg.deps(t)) ins.push_back(&out[d]);
      KernelContext ctx{g,
                        k.layer,
                        g.layer(k.layer),
                        k,
                        std::span<const Buffer* const>(ins.data(), ins.size()),
                        out[t],
                        states[k.layer].get()};
      ki.run(ctx);
    }
  }
  /// Calls f(task, key, layer) for every task of a layer of `kind` (f returns whether it checked
  /// the task); returns how many were checked.
  template <class F>
  int each_task(OpKind kind, F&& f) const {
    const TaskGraph& tg = g.tasks();
    int checked = 0;
    for (std::int64_t t = 0; t < tg.size(); ++t) {
      const TaskKey key = tg.key(t);
      const Layer& l = g.layer(key.layer);
      if (l.kind == kind && l.params.pushed_source < 0 && f(t, key, l)) ++checked;
    }
    return checked;
  }
  std::vector<const void*> inputs(std::int64_t t) const {
    std::vector<const void*> v;
    for (auto d : g.tasks().deps(t)) v.push_back(out[d].data());
    return v;
  }
};

bool close(double a, double b, double rel) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

/// Compares two partials or chunks as doubles (after an int64 header when `header`).
template <class V>
void compare_values(const std::byte* want, const std::byte* got, std::int64_t n, double rel, const std::string& what) {
  for (std::int64_t i = 0; i < n; ++i) {
    V a, b;
    std::memcpy(&a, want + i * sizeof(V), sizeof(V));
    std::memcpy(&b, got + i * sizeof(V), sizeof(V));
    if (!close(static_cast<double>(a), static_cast<double>(b), rel)) {
      INFO(what << " element " << i << ": cpu " << static_cast<double>(a) << " device " << static_cast<double>(b));
      CHECK(false);
      return;
    }
  }
}

// ------------------------------------------------------------------ reductions as the device does them

template <class T, class P>
void fold_rows(const dm::ReduceWalk& w, const T* in, typename P::V* out, const double* means) {
  for (std::int64_t o = 0; o < w.k; ++o) {
    typename P::V v = P::init();
    const T* base = in + dm::kept_offset(w, o);
    for (std::int64_t r = 0; r < w.count; ++r) v = P::add(v, base[dm::red_offset(w, r)], means ? means[o] : 0.0);
    out[o] = v;
  }
}

template <class T>
void device_stage1(const dm::ReduceSpec& r, const dm::ReduceWalk& w, const void* src, std::byte* out) {
  const T* in = static_cast<const T*>(src);
  double* vals = reinterpret_cast<double*>(out + dm::kHeader);
  switch (r.layout) {
    case dm::Layout::Sum:
      if (r.acc == DType::Float64)
        fold_rows<T, dm::SumP<T, double>>(w, in, reinterpret_cast<double*>(out), nullptr);
      else if (r.acc == DType::UInt64)
        fold_rows<T, dm::SumP<T, std::uint64_t>>(w, in, reinterpret_cast<std::uint64_t*>(out), nullptr);
      else
        fold_rows<T, dm::SumP<T, std::int64_t>>(w, in, reinterpret_cast<std::int64_t*>(out), nullptr);
      return;
    case dm::Layout::Mean:
      std::memcpy(out, &w.count, 8);
      fold_rows<T, dm::DoubleSumP<T>>(w, in, vals, nullptr);
      return;
    case dm::Layout::Var: {
      std::memcpy(out, &w.count, 8);
      fold_rows<T, dm::DoubleSumP<T>>(w, in, vals, nullptr);
      const double inv = 1.0 / static_cast<double>(w.count);
      for (std::int64_t o = 0; o < w.k; ++o) vals[o] *= inv;
      fold_rows<T, dm::M2P<T>>(w, in, vals + w.k, vals);
      return;
    }
    case dm::Layout::MinMax:
      if (r.max)
        fold_rows<T, dm::ExtremeP<T, true>>(w, in, reinterpret_cast<T*>(out), nullptr);
      else
        fold_rows<T, dm::ExtremeP<T, false>>(w, in, reinterpret_cast<T*>(out), nullptr);
      return;
  }
}

/// Checks every task of every reduction layer of g; returns the number of tasks checked.
int check_reductions(const Graph& g) {
  CpuRun cpu(g);
  return cpu.each_task(OpKind::Reduce, [&](std::int64_t t, TaskKey key, const Layer& l) {
    ReducePlan plan;
    std::string why;
    REQUIRE(plan_reduce(g, l, plan, why));
    const dm::ReduceSpec& r = plan.spec;
    const Buffer& want = cpu.out[t];
    Buffer got(want.size());
    const std::int64_t k = partial_k(r, key, want.size());
    const auto in = cpu.inputs(t);
    const std::string what =
        "layer " + l.id + " stage " + std::to_string(key.stage) + " task " + std::to_string(key.index);
    if (key.stage == 1) {
      const dm::ReduceWalk w = reduce_walk(g, l, plan, key.index);
      INFO(what);
      REQUIRE(w.k == k);
      dispatch_dtype(r.in, [&](auto tag) { device_stage1<decltype(tag)>(r, w, in[0], got.data()); });
    } else {
      REQUIRE(in.size() <= static_cast<size_t>(dm::kCombineMax));
      dm::CombineIn ci;
      ci.n = static_cast<int>(in.size());
      std::copy(in.begin(), in.end(), ci.p);
      const bool counted = r.layout == dm::Layout::Mean || r.layout == dm::Layout::Var;
      const std::int64_t n = counted ? dm::combine_count(ci) : 0;
      if (counted && key.stage != 0) std::memcpy(got.data(), &n, 8);
      dispatch_dtype(r.in, [&](auto tag) {
        for (std::int64_t i = 0; i < k; ++i)
          dm::combine_element<decltype(tag)>(r, ci, k, key.stage == 0, n, got.data(), i);
      });
    }
    if (key.stage == 0) {
      dispatch_dtype(r.out, [&](auto tag) {
        using U = decltype(tag);
        compare_values<U>(want.data(), got.data(), k, std::is_floating_point_v<U> ? 1e-12 : 0.0, what);
      });
    } else if (r.layout == dm::Layout::Sum) {
      if (r.acc == DType::Float64)
        compare_values<double>(want.data(), got.data(), k, 1e-12, what);
      else
        CHECK(std::memcmp(want.data(), got.data(), static_cast<size_t>(want.size())) == 0);
    } else if (r.layout == dm::Layout::MinMax) {
      CHECK(std::memcmp(want.data(), got.data(), static_cast<size_t>(want.size())) == 0);
    } else {
      INFO(what);
      CHECK(std::memcmp(want.data(), got.data(), 8) == 0);  // the count
      compare_values<double>(want.data() + 8, got.data() + 8, (want.size() - 8) / 8, 1e-12, what);
    }
    return true;
  });
}

// ------------------------------------------------------------------ filters as the device does them

template <class T>
void run_steps(const std::vector<FilterStep>& steps, const void* block, void* out, double* a, double* b) {
  auto buf = [&](FilterBuf f) -> void* {
    switch (f) {
      case FilterBuf::In: return const_cast<void*>(block);
      case FilterBuf::Out: return out;
      case FilterBuf::A: return a;
      case FilterBuf::B: return b;
    }
    return nullptr;
  };
  for (const FilterStep& s : steps) {
    switch (s.kind) {
      case FilterStep::Kind::Copy: std::memcpy(buf(s.dst), buf(s.src), static_cast<size_t>(s.n) * sizeof(T)); break;
      case FilterStep::Kind::ToDouble:
        for (std::int64_t i = 0; i < s.n; ++i)
          static_cast<double*>(buf(s.dst))[i] = dm::to_double_at(static_cast<const T*>(buf(s.src)), i, s.desc);
        break;
      case FilterStep::Kind::Pass: {
        const auto* in = static_cast<const double*>(buf(s.src));
        auto* o = static_cast<double*>(buf(s.dst));
        if (s.desc.gaussian) {
          for (std::int64_t i = 0; i < s.desc.outer * s.desc.lout * s.desc.inner; ++i)
            o[i] = dm::gaussian_pass_at<T>(s.desc, in, i);
        } else {
          for (std::int64_t i = 0; i < s.desc.outer * s.desc.inner; ++i)
            dm::uniform_line<T>(s.desc, in, o, i / s.desc.inner, i % s.desc.inner);
        }
        break;
      }
      case FilterStep::Kind::FromDouble:
        for (std::int64_t i = 0; i < s.n; ++i)
          static_cast<T*>(buf(s.dst))[i] = dm::cast<T>(static_cast<const double*>(buf(s.src))[i]);
        break;
    }
  }
}

/// Checks every task of every filter layer of g bit for bit; returns the number of tasks checked.
int check_filters(const Graph& g) {
  CpuRun cpu(g);
  return cpu.each_task(OpKind::Stencil, [&](std::int64_t t, TaskKey key, const Layer& l) {
    FilterPlan plan;
    std::string why;
    REQUIRE(plan_filter(g, l, plan, why));
    const Buffer& want = cpu.out[t];
    Buffer got(want.size());
    const auto in = cpu.inputs(t);
    const DType dt = g.layer(l.inputs[0]).meta.dtype;
    const int item = dtype_size(dt);
    INFO("layer " << l.id << " stage " << key.stage << " chunk " << key.index);
    if (key.stage == 1) {
      dm::GatherDesc gd;
      REQUIRE(make_gather(g, l, plan, key.index, in, gd));
      for (std::int64_t i = 0; i < want.size() / item; ++i) {
        std::int64_t off;
        const void* src = dm::gather_source(gd, i, off);
        std::memcpy(got.data() + i * item, src ? static_cast<const std::byte*>(src) + off * item : plan.cval,
                    static_cast<size_t>(item));
      }
    } else {
      std::int64_t b_off = 0;
      const std::int64_t scratch = filter_scratch_bytes(g, l, plan, key.index, &b_off);
      std::vector<double> tmp(static_cast<size_t>(scratch / 8));
      dispatch_dtype(dt, [&](auto tag) {
        using T = decltype(tag);
        if constexpr (!std::is_same_v<T, bool>)
          run_steps<T>(filter_steps(g, l, plan, key.index), in[0], got.data(), tmp.data(),
                       tmp.data() + (scratch ? b_off : 0));
      });
    }
    CHECK(std::memcmp(want.data(), got.data(), static_cast<size_t>(want.size())) == 0);
    return true;
  });
}

// ------------------------------------------------------------------ element-wise layers and fused chains

/// Relative tolerance of an element-wise result: exact for integers and bools; for floats exec's
/// vectorised exp/log/sin/cos may differ from the C library's in the last bits.
template <class U>
double ew_tolerance() {
  return std::is_same_v<U, float> ? 1e-6 : std::is_same_v<U, double> ? 1e-14 : 0.0;
}

/// Checks every task of every element-wise layer on the device (one layer at a time); returns the
/// number of tasks checked.
int check_elementwise(const Graph& g) {
  CpuRun cpu(g);
  return cpu.each_task(OpKind::Elementwise, [&](std::int64_t t, TaskKey key, const Layer& l) {
    EwPlan p;
    if (!plan_elementwise(g, l, p)) return false;
    const auto in = cpu.inputs(t);
    dm::EwOperand ops[3];
    for (size_t k = 0; k < p.operands.size() && k < 3; ++k) {
      ops[k] = p.operands[k];
      if (p.operand_input[k] >= 0) ops[k].data = in[p.operand_input[k]];
    }
    const Buffer& want = cpu.out[t];
    Buffer got(want.size());
    const std::int64_t n = want.size() / dtype_size(l.meta.dtype);
    for (std::int64_t i = 0; i < n; ++i)
      dm::ew_apply_dyn(p.compute, l.op, l.meta.dtype, ops[0], ops[1], ops[2], got.data(), i);
    dispatch_dtype(l.meta.dtype, [&](auto tag) {
      using U = decltype(tag);
      compare_values<U>(want.data(), got.data(), n, ew_tolerance<U>(),
                        "layer " + l.id + " chunk " + std::to_string(key.index));
    });
    return true;
  });
}

/// Plans fusion over g and checks every chain-end task computed as one fused kernel from the chain's
/// inputs; returns the chains found (layer ids joined by '>').
std::vector<std::string> check_fused(const Graph& g) {
  CpuRun cpu(g);
  const TaskGraph& tg = g.tasks();
  const int nl = static_cast<int>(g.layers().size());
  std::vector<EwPlan> plans(nl);
  std::vector<const EwPlan*> ew(nl, nullptr);
  for (int l = 0; l < nl; ++l)
    if (g.layer(l).kind == OpKind::Elementwise && g.layer(l).params.pushed_source < 0 &&
        plan_elementwise(g, g.layer(l), plans[l]))
      ew[l] = &plans[l];
  std::vector<int> fused_into;
  const auto chains = plan_fusion(g, ew, fused_into);
  std::vector<std::string> found;
  for (int root = 0; root < nl; ++root) {
    if (!chains[root]) continue;
    const FusedChain& c = *chains[root];
    std::string name;
    for (int l : c.layers) name += (name.empty() ? "" : ">") + g.layer(l).id;
    found.push_back(name);
    CHECK(c.layers.back() == root);
    for (int l : c.layers)
      if (l != root) CHECK(fused_into[l] == root);
    const Layer& R = g.layer(root);
    for (std::int64_t chunk = 0; chunk < R.meta.num_chunks(); ++chunk) {
      dm::FusedProgram p = c.program;
      for (int k = 0; k < p.inputs; ++k) p.input[k] = cpu.out[tg.output_task(c.input_layers[k], chunk)].data();
      const Buffer& want = cpu.out[tg.output_task(root, chunk)];
      Buffer got(want.size());
      const std::int64_t n = want.size() / dtype_size(R.meta.dtype);
      for (std::int64_t i = 0; i < n; ++i) dm::fused_element(p, got.data(), i);
      dispatch_dtype(R.meta.dtype, [&](auto tag) {
        using U = decltype(tag);
        compare_values<U>(want.data(), got.data(), n, ew_tolerance<U>(),
                          "chain " + name + " chunk " + std::to_string(chunk));
      });
    }
  }
  return found;
}

}  // namespace

TEST_CASE("device element-wise ops equal the CPU kernels on every op and dtype", "[gpu][elementwise]") {
  const Graph g = load(read_file(CHUNKSCOPE_SOURCE_DIR "/tests/e2e/pipelines/ops_elementwise.json"));
  CHECK(check_elementwise(g) > 100);
}

TEST_CASE("device element-wise ops, reductions and filters on int8, int16, uint32 and float16", "[gpu][dtypes]") {
  // issue 19 item 8: the new dtypes through the device arithmetic (float16 element-wise in float,
  // rounded when stored; float16 reductions and filters are planned on the host).
  const Graph g = load(read_file(CHUNKSCOPE_SOURCE_DIR "/tests/e2e/pipelines/dtypes.json"));
  CHECK(check_elementwise(g) > 100);
  {  // the integer reductions and filters (the float16 ones are planned on the host, checked below)
    auto doc = nlohmann::json::parse(read_file(CHUNKSCOPE_SOURCE_DIR "/tests/e2e/pipelines/dtypes.json"));
    const std::set<std::string> host{"sum_h", "mean_h", "std_h", "max_h", "gauss_h", "unif_h"};
    auto drop = [&](nlohmann::json& list) {
      nlohmann::json kept = nlohmann::json::array();
      for (auto& x : list)
        if (!host.count(x["id"].get<std::string>())) kept.push_back(x);
      list = kept;
    };
    drop(doc["layers"]);
    drop(doc["outputs"]);
    const Graph gi = load(doc.dump());
    CHECK(check_reductions(gi) > 20);
    CHECK(check_filters(gi) > 10);
  }
  for (const char* id : {"gauss_h", "unif_h"}) {
    FilterPlan p;
    std::string why;
    CHECK_FALSE(plan_filter(g, g.layer(g.find_layer(id)), p, why));
    CHECK(why.find("float16") != std::string::npos);
  }
  for (const char* id : {"sum_h", "mean_h", "std_h", "max_h"}) {
    ReducePlan p;
    std::string why;
    CHECK_FALSE(plan_reduce(g, g.layer(g.find_layer(id)), p, why));
    CHECK(why.find("float16") != std::string::npos);
  }
  EwPlan ep;
  REQUIRE(plan_elementwise(g, g.layer(g.find_layer("h_mul")), ep));
  CHECK(ep.compute == DType::Float16);
  CHECK(ep.operands[1].scalar == static_cast<double>(static_cast<float>(numpy::Half(0.1))));  // the literal in float16
}

TEST_CASE("fused element-wise chains equal running the layers one by one", "[gpu][fused]") {
  const Graph g = load(R"({"name": "chains", "layers": [
    {"id": "x", "op": "random", "shape": [40, 30], "chunks": [16, 12], "seed": 5},
    {"id": "y", "op": "random", "shape": [40, 30], "chunks": [16, 12], "seed": 6, "dtype": "float32"},
    {"id": "a", "op": "multiply", "inputs": ["x", 3.5]},
    {"id": "b", "op": "add", "inputs": ["a", "y"]},
    {"id": "c", "op": "sqrt", "input": "b"},
    {"id": "d", "op": "astype", "input": "c", "dtype": "int32"},
    {"id": "e", "op": "multiply", "inputs": ["d", "d"]},
    {"id": "big", "op": "greater", "inputs": ["x", 0.5]},
    {"id": "w", "op": "where", "inputs": ["big", "e", -7]},
    {"id": "shared", "op": "negative", "input": "x"},
    {"id": "s1", "op": "exp", "input": "shared"},
    {"id": "s2", "op": "abs", "input": "shared"},
    {"id": "out2", "op": "maximum", "inputs": ["s1", "s2"]},
    {"id": "u", "op": "astype", "input": "a", "dtype": "uint8"},
    {"id": "kept", "op": "add", "inputs": ["x", 1]},
    {"id": "after_kept", "op": "multiply", "inputs": ["kept", 2]}
   ], "outputs": [{"id": "w"}, {"id": "out2"}, {"id": "kept"}, {"id": "after_kept"}, {"id": "u"}]})");
  const auto chains = check_fused(g);
  // a is read by b and u: materialised. big and the b>c>d>e chain fuse into w; shared has two
  // consumers; kept is an output.
  CHECK(std::find(chains.begin(), chains.end(), "big>b>c>d>e>w") != chains.end());
  CHECK(std::find(chains.begin(), chains.end(), "s1>s2>out2") != chains.end());
  CHECK(chains.size() == 2);
}

TEST_CASE("device reductions equal the CPU kernels on every reduction, dtype, axis set and tree level",
          "[gpu][reduce]") {
  const Graph g = load(read_file(CHUNKSCOPE_SOURCE_DIR "/tests/e2e/pipelines/ops_reduce.json"));
  CHECK(check_reductions(g) > 100);
}

TEST_CASE("device reductions: NaN, empty axes, unsigned wrap, kept inner axes", "[gpu][reduce]") {
  const Graph g = load(R"({"name": "r", "layers": [
    {"id": "x", "op": "random", "shape": [12, 9, 40], "chunks": [5, 9, 16], "seed": 3},
    {"id": "l", "op": "log", "input": "x"},
    {"id": "nan", "op": "subtract", "inputs": ["l", "l"]},
    {"id": "big", "op": "multiply", "inputs": ["x", 4e18]},
    {"id": "u", "op": "astype", "input": "big", "dtype": "uint64"},
    {"id": "su", "op": "sum", "input": "u", "axis": 0, "split_every": 2},
    {"id": "mx_nan", "op": "max", "input": "nan", "axis": [0, 2]},
    {"id": "mn_nan", "op": "min", "input": "nan", "axis": 1},
    {"id": "s_kept_inner", "op": "sum", "input": "x", "axis": [0, 1], "split_every": 2},
    {"id": "v_kept_inner", "op": "var", "input": "x", "axis": 1},
    {"id": "sd_mid", "op": "std", "input": "x", "axis": 1, "ddof": 9}
   ], "outputs": [{"id": "su"}, {"id": "mx_nan"}, {"id": "mn_nan"}, {"id": "s_kept_inner"}, {"id": "v_kept_inner"}, {"id": "sd_mid"}]})");
  CHECK(check_reductions(g) > 20);
}

TEST_CASE("reduction walk: merged axes, offsets and counts", "[gpu][reduce]") {
  const std::int64_t shape[4] = {3, 1, 4, 5};
  const bool reduced[4] = {false, true, true, true};
  const dm::ReduceWalk w = dm::make_reduce_walk(4, shape, reduced);
  CHECK(w.kept == 1);
  CHECK(w.red == 1);  // axes 1-3 merge (axis 1 has extent 1)
  CHECK(w.k == 3);
  CHECK(w.count == 20);
  CHECK(w.inner_reduced);
  CHECK(dm::kept_offset(w, 2) == 40);
  CHECK(dm::red_offset(w, 7) == 7);
  const bool mixed[4] = {true, false, false, true};
  const dm::ReduceWalk m = dm::make_reduce_walk(4, shape, mixed);
  CHECK(m.kept == 1);
  CHECK(m.red == 2);
  CHECK(m.k == 4);
  CHECK(m.count == 15);
  CHECK(dm::kept_offset(m, 3) == 15);
  CHECK(dm::red_offset(m, 6) == 20 + 1);  // r = 6: axis 0 index 1 (stride 20), axis 3 index 1
  const std::int64_t empty[2] = {0, 4};
  const bool r0[2] = {true, false};
  const dm::ReduceWalk e = dm::make_reduce_walk(2, empty, r0);
  CHECK(e.k == 4);
  CHECK(e.count == 0);
}

TEST_CASE("stage-1 reductions split few outputs over many blocks, with scratch for the partials", "[gpu][reduce]") {
  const std::int64_t big[1] = {1 << 20};
  const bool all[1] = {true};
  const dm::ReduceWalk one = dm::make_reduce_walk(1, big, all);  // a whole chunk into one value
  CHECK(dm::reduce_segments(one) == 256);                        // at least 4096 values a segment
  CHECK(dm::reduce_scratch_bytes(one) == 256 * 8);
  const std::int64_t cols[2] = {65536, 4096};
  const bool axis0[2] = {true, false};
  const dm::ReduceWalk c = dm::make_reduce_walk(2, cols, axis0);  // 128 column blocks
  CHECK(dm::reduce_segments(c) == 8);
  CHECK(dm::reduce_scratch_bytes(c) == 4096 * 8 * 8);
  const std::int64_t many[2] = {4096, 4096};
  const bool axis1[2] = {false, true};
  CHECK(dm::reduce_segments(dm::make_reduce_walk(2, many, axis1)) == 1);  // 4096 rows fill the device
  const std::int64_t small[1] = {5000};
  CHECK(dm::reduce_segments(dm::make_reduce_walk(1, small, all)) == 1);  // too few values to split
}

TEST_CASE("device filters equal the CPU kernels bit for bit in every mode, dtype and chunking", "[gpu][filter]") {
  const Graph g = load(read_file(CHUNKSCOPE_SOURCE_DIR "/tests/e2e/pipelines/ops_stencil.json"));
  CHECK(check_filters(g) > 100);
}

TEST_CASE("device filters: integers in constant mode, one-axis filters, 1-d and 3-d arrays", "[gpu][filter]") {
  const Graph g = load(R"({"name": "f", "layers": [
    {"id": "x", "op": "random", "shape": [7, 30, 5], "chunks": [3, [11, 19], 5], "seed": 9},
    {"id": "x255", "op": "multiply", "inputs": ["x", 255]},
    {"id": "u8", "op": "astype", "input": "x255", "dtype": "uint8"},
    {"id": "i64", "op": "astype", "input": "x255", "dtype": "int64"},
    {"id": "line", "op": "random", "shape": [50], "chunks": [7], "seed": 1},
    {"id": "gu", "op": "gaussian_filter", "input": "u8", "sigma": [1, 2, 0], "mode": "constant", "cval": 300},
    {"id": "uu", "op": "uniform_filter", "input": "u8", "size": [3, 4, 1], "mode": "constant", "cval": -2},
    {"id": "gi", "op": "gaussian_filter", "input": "i64", "sigma": [0, 0, 1.2], "mode": "reflect"},
    {"id": "g1", "op": "gaussian_filter", "input": "line", "sigma": 2.5, "mode": "wrap"},
    {"id": "u1", "op": "uniform_filter", "input": "line", "size": 9, "mode": "nearest"},
    {"id": "none", "op": "uniform_filter", "input": "x", "size": 1}
   ], "outputs": [{"id": "gu"}, {"id": "uu"}, {"id": "gi"}, {"id": "g1"}, {"id": "u1"}, {"id": "none"}]})");
  CHECK(check_filters(g) > 30);
}

TEST_CASE("boundary modes match core's boundary_index", "[gpu][filter]") {
  for (auto mode : {BoundaryMode::Reflect, BoundaryMode::Nearest, BoundaryMode::Wrap, BoundaryMode::Constant})
    for (std::int64_t n : {1, 2, 5})
      for (std::int64_t i = -12; i < 12; ++i) CHECK(dm::boundary(i, n, mode) == boundary_index(i, n, mode));
}

TEST_CASE("element semantics match NumPy's casts", "[gpu]") {
  CHECK(dm::cast<std::uint8_t>(300.0) == 44);
  CHECK(dm::cast<std::uint8_t>(-1.0) == 255);
  CHECK(dm::cast<std::int32_t>(std::nan("")) == INT32_MIN);
  CHECK(dm::cast<std::int64_t>(1e30) == INT64_MIN);
  CHECK(dm::cast<std::uint64_t>(1.5e19) == 15000000000000000000ull);
  CHECK(dm::cast<bool>(std::nan("")));
  CHECK(std::isnan(dm::nan_max(1.0, std::nan(""))));
  CHECK(std::isnan(dm::nan_min(std::nan(""), 1.0)));
  CHECK(dm::wrap_add<std::int32_t>(INT32_MAX, 1) == INT32_MIN);
  CHECK(dm::lowest<std::int32_t>() == INT32_MIN);
  CHECK(dm::highest<std::uint16_t>() == 65535);
}
