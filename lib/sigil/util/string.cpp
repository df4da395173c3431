#include "sigil/util/string.hpp"

#include <algorithm>

namespace sigil::util {

char to_lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

std::string to_lower(std::string_view text)
{
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](char c) { return to_lower(c); });
  return out;
}

} // namespace sigil::util
