// sigil::crypto keys: public and private keys over OpenSSL EVP_PKEY.
//
// Supported (as cosign): ECDSA P-256/P-384/P-521, Ed25519, RSA 2048..4096 bits.
// Private key material only leaves a PrivateKey as PKCS#8 DER in SecureBytes.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/openssl.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sigil::crypto {

enum class KeyAlgorithm { ecdsa_p256, ecdsa_p384, ecdsa_p521, ed25519, rsa };

// What generate-key-pair can create.
enum class KeyKind { ecdsa_p256, ecdsa_p384, ed25519, rsa_3072, rsa_4096 };

[[nodiscard]] std::optional<KeyKind> parse_key_kind(std::string_view name); // "ecdsa-p256", ...
[[nodiscard]] std::string_view key_algorithm_name(KeyAlgorithm alg);        // "ecdsa-p256", "rsa", ...

// Hash used to sign with this key (cosign's defaults); nullopt for Ed25519 (pure EdDSA).
[[nodiscard]] std::optional<HashAlgorithm> signing_hash(KeyAlgorithm alg);

class PublicKey {
public:
  // PEM "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS#1); the first block is used.
  [[nodiscard]] static Result<PublicKey> from_pem(std::string_view pem);
  [[nodiscard]] static Result<PublicKey> from_der(util::ByteView pkix_der);

  [[nodiscard]] util::Bytes der() const { return m_der; } // PKIX SubjectPublicKeyInfo
  [[nodiscard]] std::string pem() const;
  [[nodiscard]] KeyAlgorithm algorithm() const { return m_alg; }
  // base64(sha256(PKIX DER)): the Sigstore bundle's publicKey.hint.
  [[nodiscard]] std::string hint() const;
  // "sha256:<hex of sha256(PKIX DER)>", shown in reports to say which key matched.
  [[nodiscard]] std::string fingerprint() const;
  [[nodiscard]] bool same_key(const PublicKey& other) const;
  [[nodiscard]] EVP_PKEY* get() const { return m_key.get(); }

private:
  PublicKey(std::shared_ptr<EVP_PKEY> key, KeyAlgorithm alg, util::Bytes der)
      : m_key(std::move(key)), m_alg(alg), m_der(std::move(der))
  {
  }
  // Classifies key and encodes its DER once, so that der() and everything built on it
  // (pem, hint, fingerprint) cannot fail later.
  [[nodiscard]] static Result<PublicKey> make(std::shared_ptr<EVP_PKEY> key);
  std::shared_ptr<EVP_PKEY> m_key;
  KeyAlgorithm m_alg;
  util::Bytes m_der;
  friend class PrivateKey;
};

class PrivateKey {
public:
  [[nodiscard]] static Result<PrivateKey> generate(KeyKind kind);
  // Strict PKCS#8 PrivateKeyInfo (v1 or RFC 5958 v2), as cosign's encrypted format holds.
  [[nodiscard]] static Result<PrivateKey> from_pkcs8_der(util::ByteView der);
  // Unencrypted PEM: "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" (SEC1), "RSA PRIVATE KEY" (PKCS#1).
  [[nodiscard]] static Result<PrivateKey> from_pem(std::string_view pem);

  [[nodiscard]] Result<util::SecureBytes> pkcs8_der() const;
  // The public half, derived when the key was made (where a failure could be reported), so
  // this cannot fail. It holds no private material.
  [[nodiscard]] PublicKey public_key() const { return m_public; }
  [[nodiscard]] KeyAlgorithm algorithm() const { return m_alg; }
  [[nodiscard]] EVP_PKEY* get() const { return m_key.get(); }

private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, KeyAlgorithm alg, PublicKey pub)
      : m_key(std::move(key)), m_alg(alg), m_public(std::move(pub))
  {
  }
  // Every factory ends here: derives the public key, or reports why it cannot.
  [[nodiscard]] static Result<PrivateKey> make(std::shared_ptr<EVP_PKEY> key, KeyAlgorithm alg);
  // RFC 5958 v2 Ed25519 keys (version 1 with a [1] publicKey), which OpenSSL 3.0 cannot parse.
  [[nodiscard]] static Result<PrivateKey> from_ed25519_onekey_v2(util::ByteView der);
  std::shared_ptr<EVP_PKEY> m_key;
  KeyAlgorithm m_alg;
  PublicKey m_public;
};

// cosign's key-strength policy: RSA 2048..4096 bits, EC P-256/384/521, Ed25519.
[[nodiscard]] Result<KeyAlgorithm> classify_key(EVP_PKEY* key);

} // namespace sigil::crypto
