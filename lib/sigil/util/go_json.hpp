// sigil::util Go-compatible JSON strings: what Go's encoding/json.Marshal writes, so that
// payloads sigil signs are byte-identical to cosign's.
#pragma once

#include "sigil/util/json.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sigil::util {

// A quoted JSON string as Go writes it: HTML characters <, >, & as \u003c \u003e \u0026,
// U+2028/U+2029 escaped, control characters as \n \r \t or \u00XX, invalid UTF-8 as \ufffd.
[[nodiscard]] std::string go_json_quote(std::string_view text);

// Go's encoding/json, which cosign reads payloads and statements with, matches an object key to
// a struct field case-insensitively (ASCII case; U+017F as s, U+212A as k, U+0130/U+0131 as i),
// and the last matching key wins: {"critical":{..A..},"CRITICAL":{..B..}} is about A for a
// byte-exact reader and about B for cosign. Returns a reason naming the first key of `object`
// that Go would read as one of `fields` without being that field byte for byte; nullopt when
// there is none or `object` is not an object. Callers refuse such documents, as they refuse
// duplicate keys (found by tests/integration/test_verify_regressions.sh, rows gofold-*).
[[nodiscard]] std::optional<std::string> go_key_alias(const Json& object, std::span<const std::string_view> fields);

} // namespace sigil::util
