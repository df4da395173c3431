// sigil::util Go-compatible JSON strings: what Go's encoding/json.Marshal writes, so that
// payloads sigil signs are byte-identical to cosign's.
#pragma once

#include <string>
#include <string_view>

namespace sigil::util {

// A quoted JSON string as Go writes it: HTML characters <, >, & as \u003c \u003e \u0026,
// U+2028/U+2029 escaped, control characters as \n \r \t or \u00XX, invalid UTF-8 as \ufffd.
[[nodiscard]] std::string go_json_quote(std::string_view text);

} // namespace sigil::util
