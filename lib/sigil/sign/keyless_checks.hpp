// sigil::sign the checks a KeylessSigner runs on what the services answer, against a Sigstore
// trusted root (the verifiers of trust/, tlog/ and crypto/, not copies of them):
//   certificate  the leaf certifies the ephemeral key; it chains to a CA of the root now; its
//                embedded SCT verifies under a CT log of the root;
//   log entry    the entry's body is about these signature and digest bytes; the log is in the
//                root (by log id); its SET verifies; the inclusion proof leads to the checkpoint's
//                root hash and the checkpoint is signed by the log; Rekor v2 (0.0.2): the body is
//                byte for byte the hashedrekord 0.0.2 of these bytes and certificate, no SET,
//                the checkpoint signed by the log under its origin (the host of its baseUrl);
//   timestamp    the RFC 3161 token verifies under a TSA of the root, over the signature.
#pragma once

#include "sigil/sign/keyless_signer.hpp"
#include "sigil/trust/trusted_root.hpp"

#include <memory>

namespace sigil::sign {

[[nodiscard]] KeylessChecks checks_from_trusted_root(std::shared_ptr<const trust::TrustedRoot> root);

} // namespace sigil::sign
