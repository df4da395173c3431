// sigil::sign keyless: an ephemeral P-256 key, certified by Fulcio for the OIDC identity of a
// token, with every signature logged in Rekor (and timestamped by a TSA when one is given).
//
// The key is generated in memory (no scrypt, never written anywhere) and Fulcio is asked on
// another thread from construction, so the certificate arrives while the use case does the
// registry work that needs no key. key() waits for it and returns the key only once the chain
// passed `checks.certificate` (chain to the trusted root, SCT, the leaf certifies this very key):
// nothing is signed with a key whose certificate did not verify. witness() logs each signature
// and returns the entry only after `checks.log_entry` (the entry is about these bytes; SET;
// inclusion proof and checkpoint) and, with a TSA, `checks.timestamp` passed. With Rekor v2
// (rekor_api v2) the signature is logged as hashedrekord 0.0.2 (a DSSE envelope over its PAE),
// the entry has no SET, and a TSA is required (Rekor v2 gives no signing time). The key (an
// OpenSSL EVP_PKEY, whose private scalar OpenSSL clears when freed) goes with the signer.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/http/transport.hpp"
#include "sigil/http/url.hpp"
#include "sigil/keyless/fulcio.hpp"
#include "sigil/keyless/oidc_token.hpp"
#include "sigil/keyless/rekor.hpp"
#include "sigil/keyless/rekor_v2.hpp"
#include "sigil/keyless/service.hpp"
#include "sigil/sign/signer.hpp"

#include <functional>
#include <future>
#include <memory>
#include <optional>

namespace sigil::sign {

// The verification of what the services answered (built from a trusted root by the caller).
// An unset check is skipped: only tests leave them unset.
struct KeylessChecks {
  std::function<Result<void>(const keyless::CertificateChain& chain, const crypto::PublicKey& ephemeral)> certificate;
  std::function<Result<void>(const keyless::LogEntry& entry, const Witnessed& signed_bytes,
                             const keyless::CertificateChain& chain)>
    log_entry;
  std::function<Result<void>(util::ByteView timestamp_response, util::ByteView signature)> timestamp;
};

struct KeylessSignerRequest {
  http::Transport& transport;
  keyless::IdentityToken token;
  http::Url fulcio;
  keyless::FulcioApi fulcio_api = keyless::FulcioApi::v2; // v2 falls back to v1 on 404/405
  http::Url rekor;
  keyless::RekorApi rekor_api = keyless::RekorApi::v1;
  std::optional<http::Url> tsa; // required with Rekor v2
  KeylessChecks checks;
  keyless::ServiceRetry retry{}; // attempts and time budget of each service request
};

// What Rekor v2 logs for a signature: the SHA-256 of the signed bytes (a message), or of the
// DSSE envelope's PAE (the 2026 rule of the public log), with the certificate's key algorithm.
struct RekorV2Logged {
  util::Bytes digest;
  crypto::KeyAlgorithm key_algorithm = crypto::KeyAlgorithm::ecdsa_p256;
};
[[nodiscard]] Result<RekorV2Logged> rekor_v2_logged(const Witnessed& signed_bytes,
                                                    const keyless::CertificateChain& chain);

class KeylessSigner final : public Signer {
public:
  explicit KeylessSigner(KeylessSignerRequest request);
  ~KeylessSigner() override;
  KeylessSigner(const KeylessSigner&) = delete;
  KeylessSigner& operator=(const KeylessSigner&) = delete;

  [[nodiscard]] Result<const crypto::PrivateKey*> key() const override;
  [[nodiscard]] Result<std::optional<KeylessMaterial>> witness(const Witnessed& signed_bytes) const override;
  [[nodiscard]] bool gives_signed_entry_timestamp() const override;

  // The verified chain (after key() succeeded).
  [[nodiscard]] Result<const keyless::CertificateChain*> chain() const;

  struct State; // the request, shared with the Fulcio thread (opaque)

private:
  struct Certified {
    crypto::PrivateKey key;
    keyless::CertificateChain chain;
  };
  std::shared_ptr<State> m_state;
  std::shared_future<Result<Certified>> m_certified;
};

} // namespace sigil::sign
