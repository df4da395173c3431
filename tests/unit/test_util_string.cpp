// Tests for sigil::util::to_lower: ASCII only, whatever the locale.
#include "sigil/util/string.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using sigil::util::to_lower;

TEST_CASE("to_lower lowers ASCII letters and keeps every other byte")
{
  struct Case {
    std::string_view input;
    std::string_view expected;
  };
  const Case cases[] = {
      {"", ""},
      {"abc", "abc"},
      {"ABC", "abc"},
      {"Registry.Example:5000", "registry.example:5000"},
      {"WWW-Authenticate", "www-authenticate"},
      {"@[`{", "@[`{"},                           // the bytes either side of 'A'..'Z' and 'a'..'z'
      {"\xC3\x89T\xC3\x89", "\xC3\x89t\xC3\x89"}, // UTF-8 "ÉTÉ": only the ASCII 'T' changes
      {std::string_view("A\0B", 3), std::string_view("a\0b", 3)},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    CHECK(to_lower(c.input) == c.expected);
  }
}

TEST_CASE("to_lower of one character")
{
  CHECK(to_lower('A') == 'a');
  CHECK(to_lower('Z') == 'z');
  CHECK(to_lower('a') == 'a');
  CHECK(to_lower('0') == '0');
  CHECK(to_lower('\xC9') == '\xC9');
}
