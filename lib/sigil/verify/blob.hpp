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
#include "sigil/verify/trust.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sigil::verify {

struct VerifyBlobRequest {
  std::string input; // file path or "-"
  std::vector<TrustedKey> keys;
  std::optional<std::string> bundle_json;
  std::optional<std::string> signature_b64;
};

struct VerifyBlobResult {
  std::size_t matched_key = 0; // index into request.keys
  std::string format;          // "sigstore-bundle", "cosign-bundle" or "signature"
  std::vector<std::string> notes;
};

[[nodiscard]] Result<VerifyBlobResult> verify_blob(const VerifyBlobRequest& request);

} // namespace sigil::verify
