#pragma once
// User strings (layer ids, names, paths, messages from a file) made safe to print on a terminal.
//
//   std::cout << "layer " << terminal_safe(layer.id) << "\n";
//
// Text reports (`describe`, `report`, the run summary, findings) pass every string that came from a
// pipeline, a trace or an array file through terminal_safe, so that a layer id holding ESC [2J or a
// title-setting OSC sequence is shown, not obeyed. JSON output is not escaped this way: its encoder
// escapes control characters already.
#include <cstddef>
#include <string>
#include <string_view>

namespace chunkscope {

/// `s` with every character a terminal would act on written out as a visible escape: C0 controls
/// (newline and tab included) as `\n`, `\r`, `\t` or `\xNN`, DEL as `\x7f`, C1 controls (U+0080..U+009F)
/// and the bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069) as `\uNNNN`, and every
/// byte that is not part of valid UTF-8 as `\xNN`. Printable text, UTF-8 included ("→", "µs", "×"),
/// and backslashes are kept as they are, so escaping twice changes nothing.
std::string terminal_safe(std::string_view s);

/// Columns a UTF-8 string takes on a terminal (its code points: "×" and "→" are one each).
std::size_t text_width(std::string_view s);
/// `s` padded with spaces to `width` columns, on the left when `right` (numbers), else on the right.
std::string pad_text(const std::string& s, std::size_t width, bool right = false);

}  // namespace chunkscope
