// sigil::tlog log entry bodies: what the log says was signed, by whom.
//
// parse_body reads the canonicalized body of an entry (bounded by k_max_body_bytes, duplicate
// keys refused) and dispatches on its "kind" and "apiVersion":
//
//   hashedrekord 0.0.1 (Rekor v1)   spec.signature.content (base64 signature),
//                                   spec.signature.publicKey.content (base64 of a PEM
//                                   certificate or public key), spec.data.hash{algorithm
//                                   "sha256"|"sha384"|"sha512", value hex}
//   hashedrekord 0.0.2 (Rekor v2)   protobuf-JSON (rekor-tiles api/proto/rekor/v2):
//                                   spec.hashedRekordV002{data{algorithm "SHA2_256"..., digest
//                                   base64}, signature{content base64, verifier{
//                                   x509Certificate{rawBytes} | publicKey{rawBytes}, keyDetails}}}
//                                   (Rekor v2 logs DSSE this way too: the digest of the PAE)
//   dsse 0.0.1 (Rekor v1)           spec.envelopeHash{algorithm,value hex},
//                                   spec.payloadHash{algorithm,value hex},
//                                   spec.signatures[]{signature base64, verifier base64 PEM}
//   dsse 0.0.2 (Rekor v2, withdrawn) spec.dsseV002{payloadHash{algorithm,digest base64},
//                                   signatures[]{content, verifier{...}}}
//   intoto 0.0.2 (older cosign attest) spec.content.hash (the envelope's), spec.content.payloadHash,
//                                   spec.content.envelope.signatures[]{sig: base64 of the DSSE
//                                   envelope's base64 signature (decoded twice here),
//                                   publicKey: base64 PEM}
//
// Field names are protojson's lowerCamelCase as the logs write them (the snake_case spellings
// protojson also reads are refused). Envelope and payload hashes must be SHA-256 (the only
// algorithm the rekor types allow). Any other kind or version is an error naming it.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/util/bytes.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sigil::tlog {

constexpr std::size_t k_max_body_signatures = 32;

struct BodyClaims {
  std::string kind, version;
  // hashedrekord 0.0.1 / 0.0.2: signature bytes, verifier (PEM-or-DER certificate or public key
  // bytes as logged), artifact digest
  std::optional<util::Bytes> signature;
  std::optional<util::Bytes> verifier_der; // decoded to DER (certificate or PKIX key)
  bool verifier_is_certificate = false;
  std::optional<std::pair<crypto::HashAlgorithm, util::Bytes>> artifact_digest;
  // dsse 0.0.1 / 0.0.2 and intoto 0.0.2: envelope hash and payload hash as logged, and the
  // signatures with their verifiers (DER; dsse 0.0.2 has no envelope hash)
  std::optional<util::Bytes> envelope_hash, payload_hash;
  std::vector<std::pair<util::Bytes /*sig*/, util::Bytes /*verifier DER*/>> dsse_signatures;
};

[[nodiscard]] Result<BodyClaims> parse_body(util::ByteView canonicalized_body);

} // namespace sigil::tlog
