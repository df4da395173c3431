#include "sigil/util/number.hpp"

#include <algorithm>
#include <charconv>

namespace sigil::util {

std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max)
{
  if (text.empty() || !std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value > max) {
    return std::nullopt;
  }
  return value;
}

} // namespace sigil::util
