#include "json_reader.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

namespace chunkscope::detail {

using nlohmann::json;

void FieldReader::fail(const std::string& field, const std::string& what) const {
  throw InputError(located_message(file, layer, path + field, what));
}

bool FieldReader::has(const char* f) const {
  const auto it = obj->find(f);
  return it != obj->end() && !it->is_null();
}

const json& FieldReader::at(const char* f) const {
  const auto it = obj->find(f);
  if (it == obj->end()) fail(f, "is missing");
  return *it;
}

std::string FieldReader::str(const char* f) const {
  const json& v = at(f);
  if (!v.is_string()) fail(f, "must be a string, got " + std::string(v.type_name()));
  return v.get<std::string>();
}

std::string FieldReader::str_or(const char* f, const std::string& d) const { return has(f) ? str(f) : d; }

std::int64_t FieldReader::integer(const std::string& f, const json& v) const {
  // Unsigned JSON integers past INT64_MAX would wrap to negative values (-1 = "whole axis").
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    fail(f, "must be an integer, got " + v.dump() + " (too large)");
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();  // range first: casting an out-of-range double is undefined
    if (d > -9e18 && d < 9e18 && d == static_cast<double>(static_cast<std::int64_t>(d)))
      return static_cast<std::int64_t>(d);
    if (std::isnan(d)) fail(f, "must be an integer, got NaN");  // a dump would say "null"
    if (std::isinf(d)) fail(f, std::string("must be an integer, got ") + (d > 0 ? "infinity" : "-infinity"));
  }
  fail(f, "must be an integer, got " + (v.is_number() ? v.dump() : std::string(v.type_name())));
}

std::int64_t FieldReader::integer(const char* f) const { return integer(f, at(f)); }

std::int64_t FieldReader::integer_or(const char* f, std::int64_t d) const { return has(f) ? integer(f) : d; }

double FieldReader::number(const std::string& f, const json& v) const {
  if (!v.is_number()) fail(f, "must be a number, got " + std::string(v.type_name()));
  return v.get<double>();
}

double FieldReader::number(const char* f) const { return number(f, at(f)); }

double FieldReader::number_or(const char* f, double d) const { return has(f) ? number(f) : d; }

bool FieldReader::boolean_or(const char* f, bool d) const {
  if (!has(f)) return d;
  const json& v = at(f);
  if (!v.is_boolean()) fail(f, "must be true or false, got " + v.dump());
  return v.get<bool>();
}

std::vector<std::int64_t> FieldReader::int_list(const char* f) const {
  const json& v = at(f);
  if (!v.is_array()) fail(f, "must be a list of integers, got " + std::string(v.type_name()));
  std::vector<std::int64_t> out;
  out.reserve(v.size());
  for (const json& x : v) out.push_back(integer(f, x));
  return out;
}

template <class T>
std::vector<T> FieldReader::int_column(const char* f, bool required) const {
  if (!has(f)) {
    if (required) fail(f, "is missing");
    return {};
  }
  const json& a = (*obj)[f];
  const auto entry = [&](size_t i) { return std::string(f) + "[" + std::to_string(i) + "]"; };
  const auto in_range = [](std::int64_t v) {
    return v >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
           v <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
  };
  if (a.is_object() && a.contains("$col") && columns) {
    const json& k = a["$col"];
    if (!k.is_number_integer() || k.get<std::int64_t>() < 0 || k.get<std::uint64_t>() >= columns->size())
      fail(f, "refers to a column that does not exist");
    std::vector<std::int64_t>& col = (*columns)[k.get<std::size_t>()];
    if constexpr (std::is_same_v<T, std::int64_t>) {
      return std::move(col);
    } else {
      std::vector<T> out(col.size());
      for (size_t i = 0; i < col.size(); ++i) {
        if (!in_range(col[i])) fail(entry(i), "is out of range");
        out[i] = static_cast<T>(col[i]);
      }
      return out;
    }
  }
  if (!a.is_array()) fail(f, "must be an array");
  std::vector<T> out;
  out.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    // The common case without the entry's name (a string per element was half of reading a column):
    // a signed JSON integer, or an unsigned one that fits; everything else through integer(), which
    // names the entry in its error.
    const json& x = a[i];
    const bool plain = x.is_number_integer() &&
                       (!x.is_number_unsigned() || x.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX));
    const std::int64_t v = plain ? x.get<std::int64_t>() : integer(entry(i), x);
    if constexpr (sizeof(T) < 8) {
      if (!in_range(v)) fail(entry(i), "is out of range");
    }
    out.push_back(static_cast<T>(v));
  }
  return out;
}

template std::vector<std::int64_t> FieldReader::int_column<std::int64_t>(const char*, bool) const;
template std::vector<std::int32_t> FieldReader::int_column<std::int32_t>(const char*, bool) const;
template std::vector<std::uint8_t> FieldReader::int_column<std::uint8_t>(const char*, bool) const;

std::vector<double> FieldReader::number_column(const char* f) const {
  const json& a = at(f);
  if (a.is_object() && a.contains("$col")) {
    const std::vector<std::int64_t> ints = int_column<std::int64_t>(f);
    return std::vector<double>(ints.begin(), ints.end());
  }
  if (!a.is_array()) fail(f, "must be an array");
  std::vector<double> out;
  out.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_number()) {  // the common case, without the entry's name
      const double v = a[i].get<double>();
      if (std::isfinite(v)) {
        out.push_back(v);
        continue;
      }
    }
    const std::string where = std::string(f) + "[" + std::to_string(i) + "]";
    const double v = number(where, a[i]);
    if (!std::isfinite(v)) fail(where, "must be a finite number");
    out.push_back(v);
  }
  return out;
}

FieldReader FieldReader::object(const char* f) const {
  const json& v = at(f);
  if (!v.is_object()) fail(f, "must be an object");
  return FieldReader{file, layer, &v, path + f + ".", columns};
}

FieldReader FieldReader::nested(const json& v, const std::string& where) const {
  if (!v.is_object()) throw InputError(located_message(file, layer, where, "must be an object"));
  return FieldReader{file, layer, &v, where + ".", columns};
}

void FieldReader::only(std::initializer_list<const char*> allowed) const {
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

}  // namespace chunkscope::detail
