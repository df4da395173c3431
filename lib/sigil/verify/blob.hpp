// sigil::verify blob verification against one or more trusted public keys.
//
// Accepts a Sigstore bundle (v0.1-v0.3, messageSignature), cosign's older bundle JSON, or a
// bare base64 signature. The artifact is hashed while streaming; the digest must equal the
// bundle's messageDigest, and the signature must verify under one of the keys (key rotation:
// the result says which matched). Transparency-log material in a bundle is not checked:
// sigil verifies with keys only, and says so in the notes.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/verify/sigstore.hpp"
#include "sigil/verify/trust.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sigil::verify {

struct VerifyBlobRequest {
  std::string input; // file path or "-"; or "sha256:HEX" (no such file) for the artifact's digest
  std::vector<TrustedKey> keys;
  std::optional<std::string> bundle_json;
  std::optional<std::string> signature_b64;
  std::optional<std::string> certificate_pem; // --certificate: a Fulcio leaf (then its chain), with --signature
  // Keyless (and key-signed bundles with log entries): the trusted root, identity and switches.
  // Sigstore verification applies when the material has a certificate, or a root is given.
  SigstorePolicy sigstore;
  // Called as the artifact is read, with the bytes read so far in this pass (for a progress
  // line; may be empty).
  std::function<void(std::uint64_t)> on_read = {};
};

struct VerifyBlobResult {
  std::size_t matched_key = 0; // index into request.keys (key-signed material)
  std::string format;          // "sigstore-bundle", "cosign-bundle" or "signature"
  std::vector<std::string> notes;
  std::optional<SigstoreVerified> sigstore; // set when verified as Sigstore material
};

// "sha256:<64 hex>" (or sha384/sha512) naming an artifact by digest, as sigstore-conformance
// passes it; nullopt for anything else.
[[nodiscard]] std::optional<ArtifactDigest> parse_artifact_digest(std::string_view text);

// The --certificate file: PEM certificates (leaf first), or base64 of that PEM text, which is
// what cosign's sign-blob --output-certificate writes (cosign's verify-blob reads both).
[[nodiscard]] Result<std::vector<crypto::Certificate>> parse_certificate_file(std::string_view text);

[[nodiscard]] Result<VerifyBlobResult> verify_blob(const VerifyBlobRequest& request);

} // namespace sigil::verify
