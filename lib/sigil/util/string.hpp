// sigil::util string helpers, locale-independent (ccache's util/string.hpp is the model).
//
// ASCII only on purpose: host names, header names, scheme names and parameter names are
// compared case-insensitively in ASCII, whatever the process locale says.
#pragma once

#include <string>
#include <string_view>

namespace sigil::util {

// 'A'..'Z' become 'a'..'z'; every other byte (UTF-8 included) is kept.
[[nodiscard]] char to_lower(char c);
[[nodiscard]] std::string to_lower(std::string_view text);

} // namespace sigil::util
