#pragma once
// Errors at chunkscope's boundaries: a one-line message that names the file, layer and field.
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "chunkscope/core/terminal_text.hpp"

namespace chunkscope {

/// Bad input (pipeline, trace, array file, command-line value). The message is one line and
/// already names where the problem is, e.g. `cells.json: layer "blur": field "sigma": ...`.
/// Control characters and bytes that are not UTF-8 in it (from a layer id, a path, a file's text)
/// are escaped by terminal_safe, so printing the message cannot drive the terminal.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(terminal_safe(message)) {}
};

/// Builds the canonical "<file>: layer "<id>": field "<f>": <what>" message; empty parts are left out.
std::string located_message(const std::string& file, const std::string& layer, const std::string& field,
                            const std::string& what);

/// A value or an error message. Used by parsing and I/O functions at module boundaries.
///
///   Result<Graph> g = load_pipeline("cells.json");
///   if (!g) { std::cerr << g.error() << "\n"; return 2; }
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  /// The message is passed through terminal_safe, as InputError's is.
  static Result failure(const std::string& message) {
    Result r;
    r.error_ = terminal_safe(message);
    return r;
  }
  explicit operator bool() const { return value_.has_value(); }
  bool ok() const { return value_.has_value(); }
  const std::string& error() const { return error_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  Result() = default;
  std::optional<T> value_;
  std::string error_;
};

}  // namespace chunkscope
