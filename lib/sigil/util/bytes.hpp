// sigil::util byte types shared by every layer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::util {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

[[nodiscard]] inline ByteView as_bytes(std::string_view s)
{
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

[[nodiscard]] inline std::string_view as_chars(ByteView b)
{
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

[[nodiscard]] inline Bytes to_bytes(std::string_view s)
{
  const auto v = as_bytes(s);
  return {v.begin(), v.end()};
}

} // namespace sigil::util
