// Tests for sigil::util::escape_for_terminal: text from outside printed as one inert line.
#include "sigil/util/terminal.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace {

using sigil::util::escape_for_terminal;
using namespace std::string_view_literals;

struct Case {
  std::string_view name;
  std::string_view input;
  std::string_view escaped;
};

constexpr Case k_cases[] = {
    // kept as is
    {"empty", "", ""},
    {"plain ASCII", "registry.example/app@sha256:ab12 (tag v1.2) ~!\\\"'",
     "registry.example/app@sha256:ab12 (tag v1.2) ~!\\\"'"},
    {"space and tilde bound printable ASCII", " ~", " ~"},
    {"two-byte UTF-8", "caf\xc3\xa9", "caf\xc3\xa9"},
    {"three-byte UTF-8", "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac"},
    {"four-byte UTF-8", "\xf0\x9f\x94\x91", "\xf0\x9f\x94\x91"},
    {"highest code point", "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"},
    {"U+00A0 prints (first after C1)", "\xc2\xa0", "\xc2\xa0"},
    // C0 controls and DEL
    {"newline", "a\nb", "a\\x0ab"},
    {"carriage return", "a\rb", "a\\x0db"},
    {"tab", "a\tb", "a\\x09b"},
    {"NUL", "a\0b"sv, "a\\x00b"},
    {"ESC sequence", "\x1b[2K\x1b[1A", "\\x1b[2K\\x1b[1A"},
    {"bell and backspace", "\x07\x08", "\\x07\\x08"},
    {"unit separator", "\x1f", "\\x1f"},
    {"DEL", "\x7f", "\\x7f"},
    {"forged verification block", "\n\x1b[2K\x1b[1AVerification for forged --\n",
     "\\x0a\\x1b[2K\\x1b[1AVerification for forged --\\x0a"},
    // C1 controls, encoded as UTF-8
    {"C1 NEL", "\xc2\x85", "\\u{0085}"},
    {"C1 CSI",
     "\xc2\x9b"
     "2K",
     "\\u{009b}2K"},
    {"C1 first and last", "\xc2\x80\xc2\x9f", "\\u{0080}\\u{009f}"},
    // non-printing and bidi code points
    {"zero width space",
     "a\xe2\x80\x8b"
     "b",
     "a\\u{200b}b"},
    {"right-to-left mark", "\xe2\x80\x8f", "\\u{200f}"},
    {"line separator", "\xe2\x80\xa8", "\\u{2028}"},
    {"left-to-right embedding", "\xe2\x80\xaa", "\\u{202a}"},
    {"right-to-left override", "evil\xe2\x80\xaegpj.exe", "evil\\u{202e}gpj.exe"},
    {"word joiner", "\xe2\x81\xa0", "\\u{2060}"},
    {"left-to-right isolate", "\xe2\x81\xa6", "\\u{2066}"},
    {"pop directional isolate", "\xe2\x81\xa9", "\\u{2069}"},
    {"arabic letter mark", "\xd8\x9c", "\\u{061c}"},
    {"byte order mark",
     "\xef\xbb\xbf"
     "x",
     "\\u{feff}x"},
    {"U+202F prints", "\xe2\x80\xaf", "\xe2\x80\xaf"},
    // C1 control bytes that are not UTF-8, and other invalid UTF-8
    {"raw C1 byte",
     "\x9b"
     "31m",
     "\\x9b31m"},
    {"stray continuation byte", "a\x80z", "a\\x80z"},
    {"latin-1 e acute", "caf\xe9", "caf\\xe9"},
    {"lead byte never valid", "\xc0\xc1\xf5\xff", "\\xc0\\xc1\\xf5\\xff"},
    {"overlong slash", "\xc0\xaf", "\\xc0\\xaf"},
    {"overlong ESC", "\xc0\x9b", "\\xc0\\x9b"},
    {"overlong newline in three bytes", "\xe0\x80\x8a", "\\xe0\\x80\\x8a"},
    {"overlong in four bytes", "\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"},
    {"UTF-16 surrogate", "\xed\xa0\x80", "\\xed\\xa0\\x80"},
    {"above U+10FFFF", "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},
    {"truncated two-byte at end", "ab\xc3", "ab\\xc3"},
    {"truncated three-byte at end", "\xe6\x97", "\\xe6\\x97"},
    {"truncated four-byte before ASCII", "\xf0\x9f\x94z", "\\xf0\\x9f\\x94z"},
    {"truncated sequence before ESC", "\xe6\x1b[0m", "\\xe6\\x1b[0m"},
    {"valid after invalid", "\xff\xc3\xa9", "\\xff\xc3\xa9"},
};

TEST_CASE("escape_for_terminal keeps printable text and escapes everything else")
{
  for (const auto& c : k_cases) {
    CAPTURE(c.name);
    CHECK(escape_for_terminal(c.input) == c.escaped);
  }
}

TEST_CASE("escape_for_terminal output never holds a control byte or invalid UTF-8")
{
  // Every byte value alone, and every pair, in any position: the output is printable
  // ASCII or a byte of an accepted multi-byte sequence, never below 0x20, never DEL.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string input{static_cast<char>(a), static_cast<char>(b), '\x1b'};
      for (const char ch : escape_for_terminal(input)) {
        const auto u = static_cast<unsigned char>(ch);
        REQUIRE((u >= 0x20 && u != 0x7f));
      }
    }
  }
}

} // namespace
