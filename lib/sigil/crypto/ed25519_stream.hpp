// sigil::crypto Ed25519 over a message read in pieces, so that a blob of any size is signed
// and verified in constant memory (pure Ed25519, RFC 8032: the signature is over the message
// itself, not a digest; not Ed25519ph).
//
// OpenSSL signs and verifies pure Ed25519 only over one buffer holding the whole message.
// Here the hashing is OpenSSL's streaming SHA-512 and the group arithmetic is libsodium's
// (scalar reduction, base-point and variable-point multiplication, point subtraction).
//
// Verifying hashes the message once: k = SHA-512(R || A || M), then checks [S]B - [k]A == R
// (cofactorless, as OpenSSL and Go; S must be canonical). libsodium refuses a public key of
// small order or outside the prime-order subgroup, which no key generator makes; such a key
// verifies nothing here.
//
// Signing needs the message twice: the nonce r comes first, then k = SHA-512(R || A || M).
// RFC 8032 derives r from the whole message, which would cost a third hash pass; here r is
// SHA-512 over a domain label, the key's secret prefix, 32 fresh random bytes and the
// message's SHA-256 (taken by the caller in its first pass). Verifiers cannot tell the
// difference (any r gives a valid signature); the random bytes mean that no two signatures
// share a nonce even if the message changed between the passes (which, with a deterministic
// nonce, would give away the key). Callers still check that both passes read the same bytes.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/openssl.hpp"
#include "sigil/util/bytes.hpp"

#include <array>
#include <cstdint>

namespace sigil::crypto {

constexpr std::size_t k_ed25519_signature_size = 64;

class Ed25519StreamVerifier {
public:
  // Never fails: a signature of the wrong size or with a non-canonical S verifies nothing.
  [[nodiscard]] static Ed25519StreamVerifier start(const PublicKey& key, util::ByteView signature);
  void update(util::ByteView chunk);
  // True when the signature verifies over everything passed to update().
  [[nodiscard]] bool finish();

private:
  Ed25519StreamVerifier() = default;
  bool m_usable = false;
  std::array<std::uint8_t, 64> m_signature{};
  std::array<std::uint8_t, 32> m_public{};
  MdCtxPtr m_ctx;
};

class Ed25519StreamSigner {
public:
  // Starts the second pass: message_sha256 is the SHA-256 of the message from the first.
  [[nodiscard]] static Result<Ed25519StreamSigner> start(const PrivateKey& key, util::ByteView message_sha256);
  ~Ed25519StreamSigner();
  Ed25519StreamSigner(Ed25519StreamSigner&& other) noexcept;
  Ed25519StreamSigner& operator=(Ed25519StreamSigner&&) = delete;
  Ed25519StreamSigner(const Ed25519StreamSigner&) = delete;
  Ed25519StreamSigner& operator=(const Ed25519StreamSigner&) = delete;

  void update(util::ByteView chunk);
  // The 64-byte signature R || S over everything passed to update().
  [[nodiscard]] Result<util::Bytes> finish();

private:
  Ed25519StreamSigner() = default;
  std::array<std::uint8_t, 32> m_scalar{}; // the secret scalar a, reduced mod L
  std::array<std::uint8_t, 32> m_nonce{};  // r, reduced mod L
  std::array<std::uint8_t, 32> m_r_point{};
  MdCtxPtr m_ctx;
};

} // namespace sigil::crypto
