// sigil::util encodings: base64 (standard and URL alphabets) and lowercase hex.
//
// Decoders are strict about the alphabet but, like Go's and cosign's, skip CR/LF so that
// base64 wrapped at 64 or 76 columns decodes. They never throw.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"

#include <string>
#include <string_view>

namespace sigil::util {

enum class Padding { yes, no };

[[nodiscard]] std::string base64_encode(ByteView data);
// Standard alphabet, padding required (after removing line breaks).
[[nodiscard]] Result<Bytes> base64_decode(std::string_view text);
// URL-safe alphabet; padding optional.
[[nodiscard]] Result<Bytes> base64url_decode(std::string_view text);
// Standard alphabet first, then URL-safe: what DSSE verifiers accept.
[[nodiscard]] Result<Bytes> base64_decode_any(std::string_view text);

[[nodiscard]] std::string hex_encode(ByteView data);
[[nodiscard]] Result<Bytes> hex_decode(std::string_view text);
[[nodiscard]] bool is_lower_hex(std::string_view text);

} // namespace sigil::util
