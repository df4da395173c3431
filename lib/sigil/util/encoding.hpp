// sigil::util encodings: base64 (standard and URL alphabets) and lowercase hex.
//
// Decoders are strict about the alphabet but, like Go's and cosign's, skip CR/LF so that
// base64 wrapped at 64 or 76 columns decodes. They never throw, and they decode the text in
// place: no copy of it (it may be a private key) is left behind in freed memory, and a
// failed decode wipes what it had decoded so far.
//
// Padding rules, compared with what the Go code under cosign and sigstore-go accepts:
//   base64_decode     standard alphabet, padded: Go's base64.StdEncoding.
//   base64url_decode  URL alphabet, padded or not. Unpadded is Go's RawURLEncoding; padding,
//                     when present, must complete the last 4-character group exactly
//                     ("Zm9vYg==", never "Zm9vYg=" or "Zm9v="), as URLEncoding requires.
//                     protojson (how sigstore-go reads bundle bytes fields) accepts the same
//                     set: padded when the length is a multiple of 4, unpadded otherwise.
//   base64_decode_any standard (padded) first, then URL: a superset of go-securesystemslib's
//                     dsse b64Decode (StdEncoding, then URLEncoding), which DSSE verifiers
//                     use, plus unpadded URL-safe text. Unpadded text with '+' or '/' is
//                     refused, although protojson would take it as RawStdEncoding.
// All three refuse non-zero bits after the last full byte ("Zh==" for "Zg=="), which Go's
// non-Strict decoders accept: sigil only reads canonical base64.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"

#include <string>
#include <string_view>

namespace sigil::util {

[[nodiscard]] std::string base64_encode(ByteView data);
// Standard alphabet, padding required (after removing line breaks).
[[nodiscard]] Result<Bytes> base64_decode(std::string_view text);
// URL-safe alphabet; padding optional, but exact when present.
[[nodiscard]] Result<Bytes> base64url_decode(std::string_view text);
// Standard alphabet first, then URL-safe: what DSSE verifiers accept.
[[nodiscard]] Result<Bytes> base64_decode_any(std::string_view text);

[[nodiscard]] std::string hex_encode(ByteView data);
[[nodiscard]] Result<Bytes> hex_decode(std::string_view text);
[[nodiscard]] bool is_lower_hex(std::string_view text);

} // namespace sigil::util
