// Tests for sigil::util::parse_uint, the one way to read a number from untrusted text.
#include "sigil/util/number.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string_view>

using sigil::util::parse_uint;

TEST_CASE("parse_uint: digits only, bounded, never throwing")
{
  struct Case {
    std::string_view text;
    std::uint64_t max;
    std::optional<std::uint64_t> want;
  };
  const Case cases[] = {
      {"0", UINT64_MAX, 0},
      {"42", UINT64_MAX, 42},
      {"0042", UINT64_MAX, 42},
      {"18446744073709551615", UINT64_MAX, UINT64_MAX},
      {"18446744073709551616", UINT64_MAX, std::nullopt}, // overflow: std::stoull would throw
      {"99999999999999999999", INT64_MAX, std::nullopt},  // the Content-Length of the review
      {"9223372036854775807", INT64_MAX, INT64_MAX},
      {"9223372036854775808", INT64_MAX, std::nullopt},
      {"65536", 65535, std::nullopt},
      {"", UINT64_MAX, std::nullopt},
      {" 1", UINT64_MAX, std::nullopt},
      {"1 ", UINT64_MAX, std::nullopt},
      {"+1", UINT64_MAX, std::nullopt},
      {"-1", UINT64_MAX, std::nullopt},
      {"0x10", UINT64_MAX, std::nullopt},
      {"1e3", UINT64_MAX, std::nullopt},
      {"１", UINT64_MAX, std::nullopt}, // full-width digit
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(parse_uint(c.text, c.max) == c.want);
  }
}
