// sigil::verify what an image verification amounts to: the verdict the exit status comes
// from, and the report cosign prints for it (`cosign verify` JSON on stdout).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/verify/image.hpp"
#include "sigil/verify/trust.hpp"

#include <span>
#include <string>

namespace sigil::verify {

// ok: at least one signature verified. Otherwise code is ErrorCode::no_signatures (nothing
// found to consider) or ErrorCode::none_verified (some considered, none accepted); the CLI
// maps it with exit_status(code), as it does for attestations (decide in attestation.hpp).
struct ImageDecision {
  bool ok = false;
  ErrorCode code = ErrorCode::other; // meaningful when !ok
};

[[nodiscard]] ImageDecision decide(const VerifyImageResult& result);

// cosign's JSON for the verified signatures of `result`: an array with, per signature, the
// simple-signing payload as signed (bundle signatures: cosign's synthesised critical/optional
// form), plus a "sigil" object naming the format, the key (from `keys`, the request's) and the
// source. One line, ending in a newline.
[[nodiscard]] std::string cosign_json(const VerifyImageResult& result, std::span<const TrustedKey> keys);

} // namespace sigil::verify
