// sigil::keyless Fulcio: an OIDC identity token and an ephemeral public key in, a short-lived
// code-signing certificate chain out.
//
// v2 (`POST /api/v2/signingCert`, JSON, what sigstore-go and sigstore-js use) and v1
// (`POST /api/v1/signingCert`, Bearer token, what cosign 2.5 uses; answer
// application/pem-certificate-chain). The proof of possession is the ephemeral key's signature
// over the token's challenge (IdentityToken::challenge). This module only fetches and parses:
// the chain and its SCT are verified against the trusted root by the caller before anything is
// signed with the key.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/http/transport.hpp"
#include "sigil/http/url.hpp"
#include "sigil/keyless/oidc_token.hpp"
#include "sigil/keyless/service.hpp"
#include "sigil/util/bytes.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::keyless {

enum class FulcioApi { v1, v2 };

struct CertificateChain {
  std::vector<std::string> pem; // each certificate as one PEM block, leaf first
  std::vector<util::Bytes> der; // the same, DER
  // A detached SCT (v2 signedCertificateDetachedSct: the SCT in the answer, not in the leaf).
  std::optional<util::Bytes> detached_sct;
};

struct FulcioRequest {
  http::Url base; // the Fulcio URL (--fulcio-url or the signing config's caUrls)
  FulcioApi api = FulcioApi::v2;
  const IdentityToken& token;
  const crypto::PrivateKey& key; // the ephemeral key whose public half is certified
  ServiceRetry retry{};
};

[[nodiscard]] Result<CertificateChain> request_certificate(http::Transport& transport, const FulcioRequest& request);

// The request bodies, byte for byte (exposed for tests). `proof` is the DER signature over the
// challenge; the PEM is the public key's PKIX PEM.
[[nodiscard]] std::string fulcio_v2_body(std::string_view token, std::string_view public_key_pem, util::ByteView proof);
[[nodiscard]] std::string fulcio_v1_body(std::string_view public_key_pem, util::ByteView proof);

// The answers (exposed for tests and fuzzing): never throw, bound the chain to 10 certificates.
[[nodiscard]] Result<CertificateChain> parse_fulcio_v2_answer(std::string_view json);
[[nodiscard]] Result<CertificateChain> parse_pem_chain(std::string_view pem);

} // namespace sigil::keyless
