// sigil::util — numbers from text that came from outside (headers, URLs, files).
//
// The one vetted way to read a number from untrusted text: plain ASCII digits only (no sign,
// no spaces, no "0x"), bounded by a maximum, never throwing. std::stoll and friends throw on
// overflow and accept leading blanks and signs; tests/unit/test_util_number.cpp also checks
// that lib/ and cli/ call none of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sigil::util {

// Decimal digits -> value, nullopt when empty, not all digits, or above `max`.
[[nodiscard]] std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max = UINT64_MAX);

} // namespace sigil::util
