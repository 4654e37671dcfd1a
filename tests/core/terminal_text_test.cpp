// User strings made safe for a terminal (core/src/terminal_text.cpp), and the messages of
// InputError and Result::failure that pass through it.
#include "chunkscope/core/terminal_text.hpp"

#include <catch2/catch.hpp>

#include "chunkscope/core/error.hpp"

using namespace chunkscope;
using namespace std::string_literals;

TEST_CASE("terminal_safe keeps printable text, UTF-8 and backslashes", "[core][terminal_text]") {
  CHECK(terminal_safe("blur_2 (σ=1.5) → 128×128, 850 µs") == "blur_2 (σ=1.5) → 128×128, 850 µs");
  CHECK(terminal_safe("C:\\data\\x1b.npy") == "C:\\data\\x1b.npy");
  CHECK(terminal_safe("") == "");
  CHECK(terminal_safe("emoji 🔬") == "emoji 🔬");
}

TEST_CASE("terminal_safe writes control characters out", "[core][terminal_text]") {
  CHECK(terminal_safe("\x1b[2J\x1b]0;owned\x07") == "\\x1b[2J\\x1b]0;owned\\x07");
  CHECK(terminal_safe("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(terminal_safe("nul\0here"s) == "nul\\x00here");
  CHECK(terminal_safe("del\x7f") == "del\\x7f");
  // C1 controls encoded in UTF-8 (U+009B is CSI on some terminals) and bidi overrides.
  CHECK(terminal_safe("\xc2\x9b"
                      "31m") == "\\u009b31m");
  CHECK(terminal_safe("\xc2\x85") == "\\u0085");
  CHECK(terminal_safe("abc\xe2\x80\xae"
                      "fed") == "abc\\u202efed");
  CHECK(terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9") == "\\u2066x\\u2069");
}

TEST_CASE("terminal_safe writes bytes that are not UTF-8 as \\xNN", "[core][terminal_text]") {
  CHECK(terminal_safe("x\xff\xfe") == "x\\xff\\xfe");
  CHECK(terminal_safe("\x9b"
                      "31m") == "\\x9b31m");                           // a lone 8-bit CSI
  CHECK(terminal_safe("\xc0\xaf") == "\\xc0\\xaf");                    // overlong '/'
  CHECK(terminal_safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");           // a UTF-16 surrogate
  CHECK(terminal_safe("cut \xe2\x86") == "cut \\xe2\\x86");            // a sequence cut short
  CHECK(terminal_safe("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
}

TEST_CASE("terminal_safe twice is terminal_safe once", "[core][terminal_text]") {
  for (const std::string s : {"\x1b[31mred"s, "a\nb"s, "\xff"s, "\xc2\x9b"s, "plain"s}) {
    const std::string once = terminal_safe(s);
    CHECK(terminal_safe(once) == once);
  }
}

TEST_CASE("InputError and Result::failure messages are terminal-safe", "[core][terminal_text]") {
  const InputError e("p.json: layer \"\x1b[2J\": field \"op\": unknown");
  CHECK(std::string(e.what()) == "p.json: layer \"\\x1b[2J\": field \"op\": unknown");
  const auto r = Result<int>::failure("t.cstrace.json: memory.peak_layer: names an unknown layer \"\x1b]0;x\x07\xff\"");
  CHECK(r.error() == "t.cstrace.json: memory.peak_layer: names an unknown layer \"\\x1b]0;x\\x07\\xff\"");
}
