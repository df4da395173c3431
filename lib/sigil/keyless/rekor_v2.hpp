// sigil::keyless Rekor v2 (rekor-tiles): log a signature as hashedrekord 0.0.2.
//
// `POST /api/v2/log/entries` with the protobuf-JSON CreateEntryRequest (rekor-tiles
// api/proto/rekor/v2): {"hashedRekordRequestV002": {"digest": b64, "signature": {"content": b64,
// "verifier": {"x509Certificate": {"rawBytes": b64 DER}, "keyDetails": "PKIX_ECDSA_P256_SHA_256"}}}}.
// A message signature logs the digest of the signed bytes; a DSSE envelope is logged the same
// way over SHA-256 of its PAE (the public log refuses dsse entries: the 2026 rule).
//
// The answer is a protobuf-JSON TransparencyLogEntry (logIndex, logId.keyId, kindVersion,
// inclusionProof with its C2SP checkpoint, canonicalizedBody; no integratedTime and no SET),
// parsed with tlog::parse_bundle_entry. Rekor v2 gives no time: a keyless signature logged there
// needs an RFC 3161 timestamp. This module does not verify the entry (sign/keyless_checks does,
// against the body hashedrekord_v002_body rebuilds, before anything is written).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/http/transport.hpp"
#include "sigil/http/url.hpp"
#include "sigil/keyless/rekor.hpp"
#include "sigil/util/bytes.hpp"

#include <string>
#include <string_view>

namespace sigil::keyless {

// Which Rekor API a keyless signer logs with (the signing config's majorApiVersion).
enum class RekorApi { v1, v2 };

struct HashedRekordV2 {
  util::ByteView digest;          // of the signed bytes (DSSE: of the PAE); the key's hash
  util::ByteView signature;       // DER
  util::ByteView certificate_der; // the signing certificate
  crypto::KeyAlgorithm key_algorithm = crypto::KeyAlgorithm::ecdsa_p256; // the certificate's key
};

// The CreateEntryRequest JSON. ECDSA keys only (rekor-tiles refuses pure Ed25519 for
// hashedrekord); the digest must have the size of the key's hash.
[[nodiscard]] Result<std::string> hashedrekord_v002_request(const HashedRekordV2& entry);

// The body Rekor v2 logs for that request, byte for byte: RFC 8785 JSON of protojson's Entry
// {"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":
// "SHA2_256","digest":b64},"signature":{"content":b64,"verifier":{"keyDetails":...,
// "x509Certificate":{"rawBytes":b64}}}}}} (what sigstore-go rebuilds to check the leaf hash).
[[nodiscard]] Result<util::Bytes> hashedrekord_v002_body(const HashedRekordV2& entry);

// Retried as keyless::post retries (5xx, 429, dropped connections); a 409 (the entry exists) is
// an error: the v2 API has no way to fetch the existing entry.
[[nodiscard]] Result<LogEntry> upload_entry_v2(http::Transport& transport, const http::Url& rekor, std::string request,
                                               const ServiceRetry& retry = {});

// Rekor v2's answer (exposed for tests): one TransparencyLogEntry; its kindVersion must be the
// body's (tlog::parse_bundle_entry), bounded as bundles are.
[[nodiscard]] Result<LogEntry> parse_v2_answer(std::string_view json);

} // namespace sigil::keyless
