// sigil::keyless timestamp authority (RFC 3161 over HTTP): a signature in, a signed timestamp
// over it out.
//
// `POST <--timestamp-server-url>` (the whole URL, as cosign takes it: e.g.
// https://tsa.example/api/v1/timestamp) with application/timestamp-query; the answer
// (application/timestamp-reply) must be granted and carry our imprint and nonce
// (crypto::check_timestamp_response) before it is returned. The TSA's chain is checked against
// the trusted root by the caller.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/http/transport.hpp"
#include "sigil/http/url.hpp"
#include "sigil/keyless/service.hpp"
#include "sigil/util/bytes.hpp"

namespace sigil::keyless {

// The DER TimeStampResp for a timestamp over `signature` (its SHA-256 is the imprint).
[[nodiscard]] Result<util::Bytes> request_timestamp(http::Transport& transport, const http::Url& tsa,
                                                    util::ByteView signature, const ServiceRetry& retry = {});

} // namespace sigil::keyless
