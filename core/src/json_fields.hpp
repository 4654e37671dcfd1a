#pragma once
// Typed, located reads of JSON fields for the pipeline parser (private to core/src).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chunkscope/core/error.hpp"

namespace chunkscope::detail {

/// Where a field is read from, for messages: file and layer id.
struct FieldReader {
  std::string file;
  std::string layer;
  const nlohmann::json* obj = nullptr;

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw InputError(located_message(file, layer, field, what));
  }
  bool has(const char* f) const { return obj->contains(f) && !(*obj)[f].is_null(); }
  const nlohmann::json& at(const char* f) const {
    if (!obj->contains(f)) fail(f, "is missing");
    return (*obj)[f];
  }
  std::string str(const char* f) const {
    const auto& v = at(f);
    if (!v.is_string()) fail(f, "must be a string, got " + std::string(v.type_name()));
    return v.get<std::string>();
  }
  std::string str_or(const char* f, const std::string& d) const { return has(f) ? str(f) : d; }
  std::int64_t integer(const char* f, const nlohmann::json& v) const {
    // Unsigned JSON integers past INT64_MAX would wrap to negative values (-1 = "whole axis").
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      fail(f, "must be an integer, got " + v.dump() + " (too large)");
    }
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number_float()) {
      const double d = v.get<double>();  // range first: casting an out-of-range double is undefined
      if (d > -9e18 && d < 9e18 && d == static_cast<double>(static_cast<std::int64_t>(d)))
        return static_cast<std::int64_t>(d);
    }
    fail(f, "must be an integer, got " + (v.is_number() ? v.dump() : std::string(v.type_name())));
  }
  std::int64_t integer(const char* f) const { return integer(f, at(f)); }
  std::int64_t integer_or(const char* f, std::int64_t d) const { return has(f) ? integer(f) : d; }
  double number(const char* f, const nlohmann::json& v) const {
    if (!v.is_number()) fail(f, "must be a number, got " + std::string(v.type_name()));
    return v.get<double>();
  }
  double number(const char* f) const { return number(f, at(f)); }
  double number_or(const char* f, double d) const { return has(f) ? number(f) : d; }
  bool boolean_or(const char* f, bool d) const {
    if (!has(f)) return d;
    const auto& v = at(f);
    if (!v.is_boolean()) fail(f, "must be true or false, got " + v.dump());
    return v.get<bool>();
  }
  std::vector<std::int64_t> int_list(const char* f) const {
    const auto& v = at(f);
    if (!v.is_array()) fail(f, "must be a list of integers, got " + std::string(v.type_name()));
    std::vector<std::int64_t> out;
    for (const auto& x : v) out.push_back(integer(f, x));
    return out;
  }
  /// Checks that no field outside `allowed` is present.
  void only(std::initializer_list<const char*> allowed) const {
    for (auto it = obj->begin(); it != obj->end(); ++it) {
      bool ok = false;
      for (const char* a : allowed) ok |= it.key() == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(it.key(), "is not a known field here (allowed: " + list + ")");
      }
    }
  }
};

}  // namespace chunkscope::detail
