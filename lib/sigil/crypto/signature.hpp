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

namespace sigil::crypto {

[[nodiscard]] Result<util::Bytes> sign_message(const PrivateKey& key, util::ByteView message);
// digest must have been computed with signing_hash(key.algorithm()); not for Ed25519.
[[nodiscard]] Result<util::Bytes> sign_digest(const PrivateKey& key, HashAlgorithm alg, util::ByteView digest);

// Verification returns false for a signature that does not verify (and for malformed
// signature bytes); errors are reserved for unusable inputs.
[[nodiscard]] bool verify_message(const PublicKey& key, util::ByteView message, util::ByteView signature);
[[nodiscard]] bool verify_digest(const PublicKey& key, HashAlgorithm alg, util::ByteView digest,
                                 util::ByteView signature);

} // namespace sigil::crypto
