#include "sigil/util/terminal.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <iterator>

namespace sigil::util {

namespace {

// The code point of the valid UTF-8 sequence of 2-4 bytes at the start of text, and its
// length; length 0 when the bytes there are not valid UTF-8 (RFC 3629, Unicode table 3-7).
struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 0;
};

bool continuation(unsigned char c)
{
  return (c & 0xc0U) == 0x80U;
}

Decoded decode_utf8(std::string_view text)
{
  const auto lead = static_cast<unsigned char>(text[0]);
  std::size_t length = 0;
  char32_t cp = 0;
  unsigned char low = 0x80;  // bounds of the second byte, which rule out overlong forms,
  unsigned char high = 0xbf; // surrogates and code points above U+10FFFF
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    cp = lead & 0x1fU;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    cp = lead & 0x0fU;
    low = lead == 0xe0 ? 0xa0 : 0x80;
    high = lead == 0xed ? 0x9f : 0xbf;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    cp = lead & 0x07U;
    low = lead == 0xf0 ? 0x90 : 0x80;
    high = lead == 0xf4 ? 0x8f : 0xbf;
  } else {
    return {};
  }
  if (text.size() < length) {
    return {};
  }
  const auto second = static_cast<unsigned char>(text[1]);
  if (second < low || second > high) {
    return {};
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!continuation(c)) {
      return {};
    }
    cp = (cp << 6U) | (c & 0x3fU);
  }
  return {cp, length};
}

// Code points that print nothing, break a line or reorder the text around them.
bool hidden(char32_t cp)
{
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || (cp >= 0x200b && cp <= 0x200f) ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) ||
         cp == 0xfeff;
}

} // namespace

std::string escape_for_terminal(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const Decoded d = c < 0x80 ? Decoded{} : decode_utf8(text.substr(i));
    if (d.length == 0) {
      fmt::format_to(std::back_inserter(out), "\\x{:02x}", c);
      ++i;
    } else if (hidden(d.code_point)) {
      fmt::format_to(std::back_inserter(out), "\\u{{{:04x}}}", static_cast<std::uint32_t>(d.code_point));
      i += d.length;
    } else {
      out.append(text.substr(i, d.length));
      i += d.length;
    }
  }
  return out;
}

} // namespace sigil::util
