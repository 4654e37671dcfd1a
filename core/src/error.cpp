#include "chunkscope/core/error.hpp"

namespace chunkscope {

std::string located_message(const std::string& file, const std::string& layer, const std::string& field,
                            const std::string& what) {
  std::string m;
  if (!file.empty()) m += file + ": ";
  if (!layer.empty()) m += "layer \"" + layer + "\": ";
  if (!field.empty()) m += "field \"" + field + "\": ";
  m += what;
  // One line: fold any newline that came from a nested message.
  for (char& c : m)
    if (c == '\n' || c == '\r') c = ' ';
  return m;
}

}  // namespace chunkscope
