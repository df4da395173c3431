// sigil::verify a keyless DSSE envelope (cosign `.att` layer, Sigstore bundle referrer, blob
// attestation bundle): the Sigstore checks first (chain at the verified time, SCT, log entry,
// timestamps, identity), then the statement checks every envelope gets (subject digest,
// predicate type, annotations), with the certificate's key.
#pragma once

#include "sigil/verify/envelope.hpp"
#include "sigil/verify/sigstore.hpp"

namespace sigil::verify {

struct KeylessEnvelopeCheck {
  EnvelopeCheck check;                     // verified only when both halves hold
  std::optional<SigstoreVerified> keyless; // when verified
};

// `material.content` must be the envelope of `request`; request.keys is replaced by the
// certificate's key, or by policy.keys for key-signed material.
[[nodiscard]] KeylessEnvelopeCheck check_keyless_envelope(const SignedMaterial& material,
                                                          const EnvelopeCheckRequest& request,
                                                          const SigstorePolicy& policy);

} // namespace sigil::verify
