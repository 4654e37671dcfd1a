#include "chunkscope/core/analysis/chunk_advisor.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "chunkscope/core/error.hpp"
#include "chunkscope/core/units.hpp"

namespace chunkscope {
namespace {

bool is_pow2(std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; }
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// A "nice" chunk size near `size` for an axis of length n: a power of two that divides n when one
// is within 1.5x, else an even split of n.
std::int64_t nice_size(double size, std::int64_t n) {
  if (size >= static_cast<double>(n)) return n;
  if (size <= 1) return 1;
  const double e = std::floor(std::log2(size) + 0.5 - 1e-9);
  const auto p2 = static_cast<std::int64_t>(std::llround(std::exp2(e)));
  if (p2 >= 1 && p2 <= n && n % p2 == 0 && std::fabs(std::log(static_cast<double>(p2) / size)) <= std::log(1.5))
    return p2;
  const std::int64_t k = std::max<std::int64_t>(1, std::llround(static_cast<double>(n) / size));
  return ceil_div(n, k);
}
std::int64_t next_below(std::int64_t c, std::int64_t n) {
  if (c <= 1) return 1;
  std::int64_t best = ceil_div(n, ceil_div(n, c) + 1);
  if (is_pow2(c) && n % (c / 2) == 0) best = std::max(best, c / 2);
  return std::min(best, c - 1);
}
std::int64_t next_above(std::int64_t c, std::int64_t n) {
  if (c >= n) return n;
  const std::int64_t count = ceil_div(n, c);
  std::int64_t best = count > 1 ? ceil_div(n, count - 1) : n;
  if (is_pow2(c) && 2 * c <= n && n % (2 * c) == 0) best = std::min(best, 2 * c);
  return std::max(best, c + 1);
}

size_t columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string_view access_name(Access a) {
  switch (a) {
    case Access::Plane: return "plane";
    case Access::Column: return "column";
    case Access::Any: break;
  }
  return "any";
}

std::optional<Access> parse_access(std::string_view s) {
  if (s == "any") return Access::Any;
  if (s == "plane") return Access::Plane;
  if (s == "column") return Access::Column;
  return std::nullopt;
}

std::int64_t chunk_count(const Shape& shape, const Shape& chunk) {
  std::int64_t n = 1;
  for (size_t a = 0; a < shape.size() && a < chunk.size(); ++a)
    n *= ceil_div(shape[a], std::max<std::int64_t>(1, chunk[a]));
  return n;
}

std::int64_t chunk_nbytes(const Shape& chunk, int itemsize) {
  std::int64_t b = itemsize;
  for (auto c : chunk) b *= c;
  return b;
}

std::int64_t parallel_target(std::int64_t array_bytes, std::int64_t target, std::int64_t min_bytes, int workers,
                             double chunks_per_worker) {
  double t = static_cast<double>(target);
  if (workers > 0 && chunks_per_worker > 0)
    t = std::min(t, static_cast<double>(array_bytes) / (workers * chunks_per_worker));
  t = std::max(t, static_cast<double>(min_bytes));
  t = std::min(t, static_cast<double>(array_bytes));
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(t));
}

nlohmann::json chunk_spec_json(const Shape& shape, const Shape& chunk) {
  nlohmann::json j = nlohmann::json::array();
  for (size_t a = 0; a < shape.size(); ++a) {
    const std::int64_t c = a < chunk.size() ? chunk[a] : shape[a];
    j.push_back(c >= shape[a] ? -1 : c);
  }
  return j;
}

std::vector<AxisWish> access_wishes(Access a, int ndim) {
  std::vector<AxisWish> w(static_cast<size_t>(std::max(0, ndim)));
  if (a == Access::Plane) {
    for (int k = std::max(0, ndim - (ndim >= 3 ? 2 : 1)); k < ndim; ++k) w[k].whole = true;
  } else if (a == Access::Column && ndim >= 2) {
    w[0].whole = true;
  }
  return w;
}

Shape chunk_shape_near(const Shape& shape, int itemsize, std::int64_t target_bytes, const std::vector<AxisWish>& wishes,
                       const Shape& base) {
  const size_t nd = shape.size();
  const double budget = std::max(1.0, static_cast<double>(target_bytes) / std::max(1, itemsize));
  std::vector<std::int64_t> lo(nd);
  std::vector<bool> whole(nd, false);
  for (size_t a = 0; a < nd; ++a) {
    lo[a] = std::clamp<std::int64_t>(a < wishes.size() ? wishes[a].min : 1, 1, shape[a]);
    whole[a] = a < wishes.size() && wishes[a].whole;
  }
  // Give up whole axes, first ones first, until the whole axes and the others' minimums fit.
  auto fixed_elems = [&] {
    double p = 1;
    for (size_t a = 0; a < nd; ++a) p *= whole[a] ? static_cast<double>(shape[a]) : static_cast<double>(lo[a]);
    return p;
  };
  for (size_t a = 0; a < nd && fixed_elems() > budget; ++a) whole[a] = false;
  double rest = budget;
  for (size_t a = 0; a < nd; ++a)
    if (whole[a]) rest /= static_cast<double>(shape[a]);
  // Scale the other axes by one common factor f (in proportion to base), clamped to [lo, n].
  auto weight = [&](size_t a) { return a < base.size() && base[a] > 0 ? static_cast<double>(base[a]) : 1.0; };
  auto sizes_at = [&](double f) {
    std::vector<double> c(nd);
    for (size_t a = 0; a < nd; ++a)
      c[a] = whole[a] ? static_cast<double>(shape[a])
                      : std::clamp(weight(a) * f, static_cast<double>(lo[a]), static_cast<double>(shape[a]));
    return c;
  };
  auto prod_free = [&](const std::vector<double>& c) {
    double p = 1;
    for (size_t a = 0; a < nd; ++a)
      if (!whole[a]) p *= c[a];
    return p;
  };
  double lo_f = -60, hi_f = 60;  // log2 of f
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo_f + hi_f);
    if (prod_free(sizes_at(std::exp2(mid))) > rest)
      hi_f = mid;
    else
      lo_f = mid;
  }
  const auto raw = sizes_at(std::exp2(lo_f));
  Shape c(nd);
  for (size_t a = 0; a < nd; ++a) c[a] = whole[a] ? shape[a] : std::max(lo[a], nice_size(raw[a], shape[a]));
  // Rounding may miss the target: shrink the largest free axis while over 1.25x, grow the smallest
  // free axis while under half of it (when that stays within 1.25x).
  auto bytes = [&] { return static_cast<double>(chunk_nbytes(c, itemsize)); };
  const double t = static_cast<double>(target_bytes);
  for (int it = 0; it < 64 && bytes() > 1.25 * t; ++it) {
    int best = -1;
    for (size_t a = 0; a < nd; ++a)
      if (!whole[a] && c[a] > lo[a] && (best < 0 || c[a] > c[best])) best = static_cast<int>(a);
    if (best < 0) break;
    c[best] = std::max(lo[best], next_below(c[best], shape[best]));
  }
  for (int it = 0; it < 64 && bytes() < 0.5 * t; ++it) {
    int best = -1;
    for (size_t a = 0; a < nd; ++a) {
      if (whole[a] || c[a] >= shape[a]) continue;
      if (best < 0 || static_cast<double>(c[a]) / weight(a) < static_cast<double>(c[best]) / weight(best))
        best = static_cast<int>(a);
    }
    if (best < 0) break;
    const std::int64_t old = c[best];
    c[best] = next_above(old, shape[best]);
    if (bytes() > 1.25 * t) {
      c[best] = old;
      break;
    }
  }
  return c;
}

namespace {
Shape access_base(Access a, const Shape& shape) {
  const size_t nd = shape.size();
  Shape b;
  if (a == Access::Plane && nd >= 2) {
    b.assign(nd, 1);
    for (size_t k = nd >= 3 ? nd - 2 : nd - 1; k < nd; ++k) b[k] = shape[k];
  } else if (a == Access::Column && nd >= 2) {
    b.assign(nd, 1);
    b[0] = shape[0];
  }
  return b;
}

std::string access_why(Access a, const Shape& chunk, const Shape& shape) {
  const size_t nd = shape.size();
  if (a == Access::Plane && nd >= 2) {
    const bool planes =
        nd >= 3 ? chunk[nd - 1] == shape[nd - 1] && chunk[nd - 2] == shape[nd - 2] : chunk[nd - 1] == shape[nd - 1];
    if (planes) return nd >= 3 ? "each chunk holds whole planes" : "each chunk holds whole rows";
    if (chunk[nd - 1] == shape[nd - 1])
      return "a plane is bigger than the target, so each chunk holds whole rows of a plane";
    return "a row is bigger than the target, so rows are split";
  }
  if (a == Access::Column && nd >= 2)
    return chunk[0] == shape[0] ? "each chunk holds whole columns along the first axis"
                                : "a whole column is bigger than the target, so columns are split";
  return "chunks as square as the axes allow";
}
}  // namespace

std::vector<ChunkCandidate> advise_chunks(const ChunkRequest& r) {
  if (r.shape.empty()) throw InputError("--shape: give at least one axis");
  for (auto n : r.shape)
    if (n <= 0) throw InputError("--shape: sizes must be positive");
  if (r.target_bytes <= 0) throw InputError("--target: must be positive");
  const int isz = dtype_size(r.dtype);
  std::int64_t total = isz;
  for (auto n : r.shape)  // at most 2^60 bytes, as a pipeline's arrays (2^57 elements of up to 8 bytes)
    if (__builtin_mul_overflow(total, n, &total) || total > (std::int64_t{1} << 60))
      throw InputError("--shape: " + format_shape(r.shape) + " " + std::string(dtype_name(r.dtype)) +
                       " is too large: the array would overflow 64-bit sizes");
  const std::int64_t t =
      parallel_target(total, r.target_bytes, std::min(r.min_bytes, r.target_bytes), r.threads, r.chunks_per_worker);
  const int nd = static_cast<int>(r.shape.size());
  std::vector<ChunkCandidate> out;
  auto add = [&](std::string label, Access a, std::int64_t bytes, std::string extra) {
    ChunkCandidate c;
    c.label = std::move(label);
    c.chunk = chunk_shape_near(r.shape, isz, bytes, access_wishes(a, nd), access_base(a, r.shape));
    for (const auto& o : out)
      if (o.chunk == c.chunk) return;
    c.chunk_bytes = chunk_nbytes(c.chunk, isz);
    c.chunks = chunk_count(r.shape, c.chunk);
    c.why = access_why(a, c.chunk, r.shape) + extra;
    out.push_back(std::move(c));
  };
  std::string par;
  if (t < r.target_bytes && r.threads > 0 && total > r.target_bytes)
    par = " (below the " + format_bytes(static_cast<double>(r.target_bytes)) + " target so that " +
          std::to_string(r.threads) + " threads get at least " + std::to_string(static_cast<int>(r.chunks_per_worker)) +
          " chunks each)";
  else if (t < r.target_bytes && r.threads > 0)
    par = " (the whole array is smaller than the target; split for " + std::to_string(r.threads) + " threads)";
  add("recommended", r.access, t, par);
  for (Access a : {Access::Any, Access::Plane, Access::Column})
    if (a != r.access && !(a == Access::Plane && nd < 2) && !(a == Access::Column && nd < 2))
      add(std::string("for ") + std::string(access_name(a)) + " access", a, t, par);
  if (t != r.target_bytes && total > r.target_bytes)
    add("fewer, larger chunks", r.access, r.target_bytes, " (the full target; less parallelism)");
  if (out.size() > 4) out.resize(4);
  return out;
}

std::string chunk_candidates_text(const ChunkRequest& r, const std::vector<ChunkCandidate>& c) {
  std::ostringstream o;
  const int isz = dtype_size(r.dtype);
  std::int64_t total = isz;
  for (auto n : r.shape) total *= n;
  o << "array " << format_shape(r.shape) << " " << dtype_name(r.dtype) << " ("
    << format_bytes(static_cast<double>(total)) << "), target " << format_bytes(static_cast<double>(r.target_bytes))
    << " per chunk, access " << access_name(r.access);
  if (r.threads > 0) o << ", " << r.threads << " threads";
  o << "\n";
  size_t wl = 5, wc = 6;
  for (const auto& x : c) {
    wl = std::max(wl, x.label.size());
    wc = std::max(wc, columns(format_shape(x.chunk)));
  }
  for (const auto& x : c) {
    const std::string shape = format_shape(x.chunk);
    const size_t cols = columns(shape);  // "×" is 2 bytes, 1 column
    o << "  " << x.label << std::string(wl - x.label.size() + 2, ' ') << "chunks " << shape
      << std::string(wc > cols ? wc - cols + 2 : 2, ' ') << format_bytes(static_cast<double>(x.chunk_bytes))
      << " per chunk, " << x.chunks << (x.chunks == 1 ? " chunk" : " chunks") << "\n"
      << "  " << std::string(wl + 2, ' ') << x.why << "\n";
    o << "  " << std::string(wl + 2, ' ') << "pipeline: \"chunks\": " << chunk_spec_json(r.shape, x.chunk).dump()
      << "\n";
  }
  return o.str();
}

}  // namespace chunkscope
