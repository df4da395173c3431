// sigil::crypto RFC 3161 timestamp requests, and the check of an answer against its request.
//
// The request is what cosign 2.5 sends: a DER TimeStampReq, version 1, SHA-256 message
// imprint of the signature bytes, a random 160-bit nonce, certReq true, no policy. The check
// is the part of RFC 3161 that binds an answer to its request: status granted, version, the
// same imprint and the same nonce. The TSA's signature and chain are verified against the
// trusted root elsewhere (trust::verify_timestamp).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"

namespace sigil::crypto {

struct TimestampRequest {
  util::Bytes der;   // the TimeStampReq
  util::Bytes nonce; // big-endian, as sent
};

// A request for a timestamp over `message` (its SHA-256 is the imprint).
[[nodiscard]] Result<TimestampRequest> make_timestamp_request(util::ByteView message);

// Checks a DER TimeStampResp against the request: status granted (or grantedWithMods),
// imprint and nonce equal. Errors name what differs ("nonce mismatch").
[[nodiscard]] Result<void> check_timestamp_response(util::ByteView response_der, const TimestampRequest& request);

} // namespace sigil::crypto
