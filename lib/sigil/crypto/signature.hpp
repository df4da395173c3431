// sigil::crypto signatures: sign and verify messages or precomputed digests.
//
// Algorithms follow cosign: ECDSA P-256/P-384/P-521 with SHA-256/384/512 (ASN.1 DER
// signatures; IEEE P1363 r||s also accepted when verifying), RSA PKCS#1 v1.5 with SHA-256,
// Ed25519 pure (over the message itself, so it cannot sign a digest).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/util/bytes.hpp"

#include <optional>

namespace sigil::crypto {

// `hash` overrides the key's default hash (ECDSA/RSA only); see oci_signing_hash.
[[nodiscard]] Result<util::Bytes> sign_message(const PrivateKey& key, util::ByteView message,
                                               std::optional<HashAlgorithm> hash = std::nullopt);

// The hash for signatures stored in registries (image signatures, DSSE attestations):
// SHA-256 for every ECDSA curve and RSA, as cosign 2.x and containers/image (podman, skopeo,
// CRI-O) sign and verify; nullopt for Ed25519. Blob signatures use the key's default hash
// (the Sigstore algorithm registry: SHA-384 for P-384).
[[nodiscard]] std::optional<HashAlgorithm> oci_signing_hash(KeyAlgorithm alg);
// digest must have been computed with signing_hash(key.algorithm()); not for Ed25519.
[[nodiscard]] Result<util::Bytes> sign_digest(const PrivateKey& key, HashAlgorithm alg, util::ByteView digest);

// Verification returns false for a signature that does not verify (and for malformed
// signature bytes); errors are reserved for unusable inputs. verify_message accepts a
// signature over the key's default hash or over SHA-256 (cosign 2.x, containers/image).
[[nodiscard]] bool verify_message(const PublicKey& key, util::ByteView message, util::ByteView signature);
[[nodiscard]] bool verify_digest(const PublicKey& key, HashAlgorithm alg, util::ByteView digest,
                                 util::ByteView signature);
// Has OpenSSL build now what the first verification with this key and the first SHA-256 would
// (OpenSSL 3.0 fetches each algorithm's implementation on first use: ~0.3 ms), for a command
// that would otherwise wait idle meanwhile (the network library loading on another thread).
// Verifies nothing and changes no result.
void prewarm_verify(const PublicKey& key);
// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (TUF's rsassa-pss-sha256 as
// securesystemslib signs it); false for another key type or a signature that does not verify.
[[nodiscard]] bool verify_rsa_pss_sha256(const PublicKey& key, util::ByteView message, util::ByteView signature);

} // namespace sigil::crypto
