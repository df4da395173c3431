// sigil::util terminal text: what a string from outside looks like when it is printed.
//
// A registry, a bundle, a certificate or a file can hold any bytes. Printed raw, a newline
// forges a line of sigil's output, ESC sequences move the cursor and erase what sigil wrote,
// and bidi overrides reorder what the reader sees. escape_for_terminal makes such a string
// inert: the result is one line of printable text that shows exactly which bytes were there.
//
//   kept as is   printable ASCII (0x20-0x7e) and valid UTF-8 that prints (é, 日本)
//   \xNN         C0 controls (NUL-0x1f, so \n \r \t and ESC too), DEL, and every byte that is
//                not part of valid UTF-8: stray continuation bytes, truncated sequences,
//                overlong encodings, UTF-16 surrogates, code points above U+10FFFF
//   \u{NNNN}     code points that do not print or that reorder text: C1 controls
//                (U+0080-U+009F), U+061C, U+200B-U+200F, U+2028-U+202E, U+2060-U+2064,
//                U+2066-U+2069, U+FEFF
// Hex digits are lowercase. Pure: no locale, no allocation beyond the result.
#pragma once

#include <string>
#include <string_view>

namespace sigil::util {

[[nodiscard]] std::string escape_for_terminal(std::string_view text);

} // namespace sigil::util
