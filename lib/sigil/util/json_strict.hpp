// sigil::util strict JSON parsing: like parse_json, but an object that names the same key
// twice is an error.
//
// Why: RFC 8259 leaves duplicate keys undefined, and parsers disagree (Go's encoding/json and
// nlohmann keep the last value, others keep the first or refuse). In signed JSON such as an
// in-toto statement, {"subject":[A],"subject":[B]} could then bind one subject for us and
// another for a different verifier reading the very same signed bytes. Nothing we or cosign
// write ever repeats a key, so refusing duplicates costs nothing and removes the ambiguity.
//
// Keys are compared after unescaping ("a" and "\u0061" are the same key). Nesting is bounded
// like parse_json (k_max_json_depth) and checked while parsing; nlohmann's parser is
// iterative, so hostile nesting cannot exhaust the stack. Nothing here throws.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/json.hpp"

#include <string_view>

namespace sigil::util {

[[nodiscard]] Result<Json> parse_json_strict(std::string_view text, int max_depth = k_max_json_depth);
// Same, keeping the document's key order (for JSON we embed and write out again).
[[nodiscard]] Result<OrderedJson> parse_ordered_json_strict(std::string_view text, int max_depth = k_max_json_depth);

} // namespace sigil::util
