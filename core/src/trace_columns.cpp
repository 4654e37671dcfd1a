#include "trace_columns.hpp"

#include <stdexcept>

namespace chunkscope::detail {
namespace {

using nlohmann::json;

/// SAX handler: a DOM builder whose arrays start in "integers only" mode.
class ColumnSax {
 public:
  ColumnSax(ColumnDoc& out, std::size_t min_len, std::size_t max_depth, std::size_t input_bytes, ElementSink* layers)
      : out_(out), min_len_(min_len), max_depth_(max_depth), input_bytes_(input_bytes), layers_(layers) {}

  bool null() { return value(json(nullptr)); }
  bool boolean(bool b) { return value(json(b)); }
  bool number_integer(json::number_integer_t v) { return integer(v); }
  bool number_unsigned(json::number_unsigned_t v) {
    if (v > static_cast<json::number_unsigned_t>(INT64_MAX)) return value(json(v));
    return integer(static_cast<std::int64_t>(v));
  }
  bool number_float(json::number_float_t v, const json::string_t&) { return value(json(v)); }
  bool string(json::string_t& s) {
    if (!valid_utf8(s)) throw FieldError("field \"" + where(false) + "\": is not valid UTF-8 text");
    return value(json(std::move(s)));
  }
  bool binary(json::binary_t& b) { return value(json(std::move(b))); }
  bool start_object(std::size_t) { return open(json::object(), false); }
  bool key(json::string_t& k) {
    if (!valid_utf8(k)) throw FieldError("field \"" + where(true) + "\": a key is not valid UTF-8 text");
    frames_.back().key = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t n) {
    open(json::array(), true);
    // CBOR states the length: reserve it (a column of a million entries would otherwise be copied
    // ~20 times while growing); never more than the input could hold, whatever the file claims.
    if (frames_.back().ints && n != static_cast<std::size_t>(-1) && n <= input_bytes_) frames_.back().values.reserve(n);
    return true;
  }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) { throw e; }

 private:
  // Only arrays inside the column objects are diverted: "tasks", "memory", "transfers", the
  // objects of "device_memory" and of "resources.processes" (a layer's chunk lists or params stay
  // JSON). A column that turns out to hold a non-integer (cpu_percent) stays JSON too.
  enum Tag : std::uint8_t { Other, Root, Columns, DeviceMemory, Layers, Resources };
  struct Frame {
    json node;
    Tag tag = Other;
    std::string key;                   // pending key of an object
    bool ints = false;                 // array still all integers
    std::vector<std::int64_t> values;  // its integers while `ints`
    std::size_t streamed = 0;          // elements handed to the layer sink (Layers)
  };

  /// The location of the value being read, e.g. "layers[0].id" (`parent_only`: of its object).
  std::string where(bool parent_only) const {
    std::string path;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (parent_only && i + 1 == frames_.size()) break;
      if (f.node.is_array()) {
        path += "[" + std::to_string(f.node.size() + f.values.size() + f.streamed) + "]";
      } else {
        std::string k;
        for (unsigned char ch : f.key) k += ch < 0x80 && ch >= 0x20 ? static_cast<char>(ch) : '?';
        path += (path.empty() ? "" : ".") + k;
      }
    }
    return path;
  }

  /// Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
  static bool valid_utf8(const std::string& s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    for (size_t i = 0; i < n;) {
      const unsigned c = p[i];
      if (c < 0x80) {
        ++i;
        continue;
      }
      int len;
      unsigned cp;
      if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f;
      else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f;
      else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07;
      else
        return false;
      if (i + static_cast<size_t>(len) > n) return false;
      for (int k = 1; k < len; ++k) {
        if ((p[i + k] & 0xc0) != 0x80) return false;
        cp = (cp << 6) | (p[i + k] & 0x3f);
      }
      if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return false;
      i += static_cast<size_t>(len);
    }
    return true;
  }

  bool open(json node, bool array) {
    if (frames_.size() >= max_depth_)
      throw std::length_error("nested deeper than " + std::to_string(max_depth_) + " levels");
    Tag tag = Other;
    if (frames_.empty()) {
      tag = Root;
    } else {
      const Frame& p = frames_.back();
      if (p.tag == Root && !array && (p.key == "tasks" || p.key == "memory" || p.key == "transfers"))
        tag = Columns;
      else if (p.tag == Root && array && p.key == "device_memory")
        tag = DeviceMemory;
      else if (p.tag == Root && !array && p.key == "resources")
        tag = Resources;
      else if (p.tag == Resources && array && p.key == "processes")
        tag = DeviceMemory;
      else if (p.tag == DeviceMemory && !array)
        tag = Columns;
      else if (p.tag == Root && array && p.key == "layers" && layers_)
        tag = Layers;
    }
    if (tag == Layers) layers_->begin();
    const bool ints = array && !frames_.empty() && frames_.back().tag == Columns;
    frames_.push_back(Frame{std::move(node), tag, {}, ints, {}});
    return true;
  }
  void spill(Frame& f) {  // an array that turns out not to be all integers
    for (auto v : f.values) f.node.push_back(v);
    f.values.clear();
    f.ints = false;
  }
  bool integer(std::int64_t v) {
    if (!frames_.empty() && frames_.back().ints) {
      frames_.back().values.push_back(v);
      return true;
    }
    return value(json(v));
  }
  bool value(json v) {
    if (frames_.empty()) {
      out_.doc = std::move(v);
      return true;
    }
    Frame& f = frames_.back();
    if (f.tag == Layers) {
      layers_->element(std::move(v));
      ++f.streamed;
      return true;
    }
    if (f.node.is_array()) {
      if (f.ints) spill(f);
      f.node.push_back(std::move(v));
    } else {
      f.node[f.key] = std::move(v);
    }
    return true;
  }
  bool close() {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    if (f.ints) {
      if (f.values.size() >= min_len_) {
        out_.columns.push_back(std::move(f.values));
        f.node = json{{"$col", out_.columns.size() - 1}};
      } else {
        spill(f);
      }
    }
    return value(std::move(f.node));
  }

  ColumnDoc& out_;
  std::size_t min_len_, max_depth_, input_bytes_;
  ElementSink* layers_;
  std::vector<Frame> frames_;
};

}  // namespace

ColumnDoc parse_with_columns(std::string_view bytes, bool cbor, std::size_t min_len, std::size_t max_depth,
                             ElementSink* layers) {
  ColumnDoc out;
  ColumnSax sax(out, min_len, max_depth, bytes.size(), layers);
  if (cbor)
    json::sax_parse(bytes.begin(), bytes.end(), &sax, json::input_format_t::cbor);
  else
    json::sax_parse(bytes.begin(), bytes.end(), &sax);
  return out;
}

void encode_column(const std::vector<std::int64_t>& v, std::string& out) {
  std::int64_t prev = 0;
  for (std::int64_t x : v) {
    const auto d = static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(prev);  // wraps, decoded back exactly
    std::uint64_t z = (d << 1) ^ static_cast<std::uint64_t>(static_cast<std::int64_t>(d) >> 63);
    while (z >= 0x80) {
      out.push_back(static_cast<char>((z & 0x7f) | 0x80));
      z >>= 7;
    }
    out.push_back(static_cast<char>(z));
    prev = x;
  }
}

std::vector<std::int64_t> decode_column(std::string_view data, std::size_t& pos, std::int64_t n) {
  if (n < 0 || static_cast<std::uint64_t>(n) > data.size() - std::min(pos, data.size()))  // >= 1 byte per entry
    throw std::runtime_error("a column claims " + std::to_string(n) + " entries but the file is shorter");
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::uint64_t prev = 0;
  for (auto& x : v) {
    std::uint64_t z = 0;
    int shift = 0;
    while (true) {
      if (pos >= data.size()) throw std::runtime_error("a column ends early");
      const auto b = static_cast<unsigned char>(data[pos++]);
      if (shift > 63) throw std::runtime_error("a column holds a number longer than 64 bits");
      z |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    const std::uint64_t d = (z >> 1) ^ (~(z & 1) + 1);
    prev += d;
    x = static_cast<std::int64_t>(prev);
  }
  return v;
}

}  // namespace chunkscope::detail
