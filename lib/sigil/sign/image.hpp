// sigil::sign image signing: a digest (never a tag) signed and attached in cosign's formats.
//
// legacy: simple-signing payload in the `sha256-<hex>.sig` manifest (what cosign 2, Kyverno,
//         podman, skopeo and CRI-O read);
// bundle: Sigstore bundle v0.3 (DSSE over an in-toto statement, predicateType
//         https://sigstore.dev/cosign/sign/v1) pushed as an OCI 1.1 referrer, with the
//         referrers fallback tag updated when the registry has no referrers API (cosign 3);
// both:   the two.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sigil::sign {

enum class Format { legacy, bundle, both };

// The signing key, or a wait for it. The CLI decrypts an encrypted key (scrypt: ~100 ms of CPU
// and 64 MiB) on another thread while sign_image does the registry work that needs no key:
// connecting, authenticating and uploading the payload. get() waits for the key; a failed
// decryption comes back as its error, and sign_image then writes no manifest.
class SigningKey {
public:
  SigningKey(const crypto::PrivateKey& key) : m_key(&key) {} // NOLINT(google-explicit-constructor): a key at hand
  explicit SigningKey(std::function<Result<const crypto::PrivateKey*>()> wait) : m_wait(std::move(wait)) {}

  [[nodiscard]] Result<const crypto::PrivateKey*> get() const
  {
    if (m_key != nullptr) {
      return m_key;
    }
    return m_wait();
  }

private:
  const crypto::PrivateKey* m_key = nullptr;
  std::function<Result<const crypto::PrivateKey*>()> m_wait;
};

struct SignImageRequest {
  oci::Reference image;
  std::optional<registry::Repository> signature_repo; // SIGIL_REPOSITORY; default: the image's
  SigningKey key;
  std::map<std::string, std::string> annotations;
  Format format = Format::legacy;
  bool recursive = false; // an index: sign it and every platform manifest
  bool upload = true;     // false: only produce payload and signature
};

struct SignedDigest {
  oci::Reference image; // by digest
  std::string payload;  // the exact signed bytes (simple-signing)
  util::Bytes signature;
  bool already_signed = false; // legacy: an equivalent signature by this key was there
  std::optional<oci::Digest> referrer; // bundle format: the referrer manifest's digest
};

struct SignImageResult {
  bool tag_given = false;
  std::vector<SignedDigest> signed_digests;
};

[[nodiscard]] Result<SignImageResult> sign_image(registry::Client& client, const SignImageRequest& request);

} // namespace sigil::sign
