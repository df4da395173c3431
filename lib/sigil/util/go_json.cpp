#include "sigil/util/go_json.hpp"

#include <fmt/format.h>

namespace sigil::util {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid.
std::size_t utf8_length(std::string_view s, std::size_t i)
{
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) {
    return 1;
  }
  if ((c & 0xe0U) == 0xc0U) {
    n = 2;
    cp = c & 0x1fU;
  } else if ((c & 0xf0U) == 0xe0U) {
    n = 3;
    cp = c & 0x0fU;
  } else if ((c & 0xf8U) == 0xf0U) {
    n = 4;
    cp = c & 0x07U;
  } else {
    return 0;
  }
  if (i + n > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0U) != 0x80U) {
      return 0;
    }
    cp = (cp << 6) | (cc & 0x3fU);
  }
  const bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  return n;
}

} // namespace

std::string go_json_quote(std::string_view text)
{
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto uc = static_cast<unsigned char>(c);
    if (uc < 0x80) {
      switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        if (uc < 0x20) {
          out += fmt::format("\\u{:04x}", uc);
        } else {
          out.push_back(c);
        }
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    const std::string_view seq = text.substr(i, n);
    if (seq == "\xe2\x80\xa8") {
      out += "\\u2028";
    } else if (seq == "\xe2\x80\xa9") {
      out += "\\u2029";
    } else {
      out += seq;
    }
    i += n;
  }
  out.push_back('"');
  return out;
}

namespace {

// A key as encoding/json folds it to find a struct field (Go 1.21+ foldName: each rune r becomes
// ToUpper(ToLower(r))), for comparison with an ASCII field name: ASCII letters fold to one case,
// and the only non-ASCII runes whose fold is an ASCII letter are mapped to it.
std::string go_fold(std::string_view key)
{
  std::string out;
  out.reserve(key.size());
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (key.substr(i, 2) == "\xc5\xbf") { // U+017F LATIN SMALL LETTER LONG S
      out += 's';
      i += 1;
    } else if (key.substr(i, 2) == "\xc4\xb0" || key.substr(i, 2) == "\xc4\xb1") { // U+0130, U+0131: I with/without dot
      out += 'i';
      i += 1;
    } else if (key.substr(i, 3) == "\xe2\x84\xaa") { // U+212A KELVIN SIGN
      out += 'k';
      i += 2;
    } else {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    }
  }
  return out;
}

} // namespace

std::optional<std::string> go_key_alias(const Json& object, std::span<const std::string_view> fields)
{
  if (!object.is_object()) {
    return std::nullopt;
  }
  for (const auto& [key, value] : object.items()) {
    for (const auto field : fields) {
      if (key != field && go_fold(key) == go_fold(field)) {
        return fmt::format("key {} would be read as {} by cosign (Go matches keys case-insensitively): refused, "
                           "the parsers would disagree",
                           go_json_quote(key), go_json_quote(field));
      }
    }
  }
  return std::nullopt;
}

} // namespace sigil::util
