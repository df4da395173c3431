// sigil::tuf canonical JSON: the bytes TUF signatures are over.
//
// The OLPC canonical form as securesystemslib (python-tuf) and go-securesystemslib's cjson
// write it, which is what Sigstore's root-signing signs:
//   - objects: keys sorted by their UTF-8 bytes (= by code point), no whitespace: {"a":1,"b":2}
//   - strings: only `\` and `"` are escaped (as \\ and \"); every other character, control
//     characters and non-ASCII included, is written as its raw UTF-8 bytes
//   - numbers: integers only (a fraction or exponent is refused: no canonical form)
//   - true, false, null as such; arrays in their order
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/json.hpp"

#include <string>

namespace sigil::tuf {

// Fails (bad_input) on a non-integer number.
[[nodiscard]] Result<std::string> canonical_json(const util::Json& value);

} // namespace sigil::tuf
