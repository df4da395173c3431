// sigil::crypto X.509 path validation at a given time (OpenSSL X509_verify_cert), and the
// embedded SCTs of a certificate (RFC 6962 precertificate SCTs).
//
// Time: the check time is always the caller's (X509_V_FLAG_USE_CHECK_TIME), never now; keyless
// certificates live ten minutes, so "now" would reject every one of them.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/util/bytes.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sigil::crypto {

struct CodeSigningChainRequest {
  const Certificate& leaf;
  std::span<const Certificate> intermediates; // untrusted helpers
  const Certificate& anchor;                  // the one trust anchor
  std::int64_t at_time = 0;                   // Unix seconds
};

// The validated path, leaf first and the anchor last. On top of OpenSSL's checks (signatures,
// validity of every certificate at at_time, CA basicConstraints and path lengths, critical
// extensions) the leaf's extendedKeyUsage must include codeSigning, and an issuer's
// extendedKeyUsage, when it has one, must allow codeSigning (or anyExtendedKeyUsage), as Go's
// x509 (sigstore-go, cosign) requires. An anchor that is not self-signed is trusted as it is
// (X509_V_FLAG_PARTIAL_CHAIN), as sigstore-go trusts a CA's last certificate.
// Errors (none_verified) name the time and the failure: "... at 2023-07-12T15:56:40Z: certificate
// has expired (...)", "... not yet valid ...", "... unknown issuer ...".
[[nodiscard]] Result<std::vector<Certificate>> verify_code_signing_chain(const CodeSigningChainRequest& request);

// Whether verify_code_signing_chain already verified this path in this process and would reuse
// it at at_time (every certificate of it valid then) without checking a signature again.
[[nodiscard]] bool code_signing_chain_known(const CodeSigningChainRequest& request);

// One CT log key, addressed by its log id (Sigstore: SHA-256 of the key's PKIX DER).
struct CtLogKey {
  util::Bytes log_id;
  PublicKey key;
};

enum class SctStatus { valid, unknown_log, invalid_signature, unsupported_version };

struct EmbeddedSct {
  util::Bytes log_id;
  std::int64_t timestamp_ms = 0;
  SctStatus status = SctStatus::invalid_signature;
};

// Every SCT of the leaf's SCT-list extension (OID 1.3.6.1.4.1.11129.2.4.2), each checked as a
// precertificate SCT (issuer key hash of `issuer`, the leaf's TBSCertificate without the SCT
// list) against the log of `logs` whose log id it names. SCT extensions (Static CT) are signed
// like any other field. Errors: "no embedded SCT" (absent or empty extension), a malformed
// list (bad_input).
[[nodiscard]] Result<std::vector<EmbeddedSct>> check_embedded_scts(const Certificate& leaf, const Certificate& issuer,
                                                                   std::span<const CtLogKey> logs);

} // namespace sigil::crypto
