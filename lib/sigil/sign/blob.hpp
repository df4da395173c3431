// sigil::sign blob signing: a release artifact -> signature + Sigstore bundle v0.3.
//
// A keyless signer (its witness()) logs the signature before the bundle is made; the bundle
// then holds the certificate, the log entry and the timestamp instead of a key hint.
// The input is streamed through the key's hash (constant memory for any size), and the
// digest is signed. Ed25519 keys sign the artifact bytes themselves (pure EdDSA, as cosign's
// sign-blob does without a transparency log), read twice in chunks: a file is read again,
// standard input is copied to a private temporary file (crypto/ed25519_stream.hpp).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/sign/signer.hpp"
#include "sigil/util/bytes.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace sigil::sign {

struct SignBlobRequest {
  std::string input; // file path or "-"
  const Signer& signer;
  // Called as the input is read, with the bytes read so far (for a progress line; may be empty).
  std::function<void(std::uint64_t)> on_read = {};
};

struct SignBlobResult {
  util::Bytes signature;
  crypto::HashAlgorithm digest_algorithm = crypto::HashAlgorithm::sha256;
  util::Bytes digest;
  std::uint64_t size = 0;
  std::string bundle_json; // Sigstore bundle v0.3 with messageSignature
  // Keyless: the certificate chain, the verified Rekor entry and the timestamp (in the bundle too).
  std::optional<KeylessMaterial> keyless;
};

[[nodiscard]] Result<SignBlobResult> sign_blob(const SignBlobRequest& request);

} // namespace sigil::sign
