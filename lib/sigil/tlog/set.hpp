// sigil::tlog signed entry timestamps (Rekor v1's inclusion promise).
//
// The SET is the log key's signature over the canonical JSON (RFC 8785: keys sorted, no
// spaces) of {"body":<base64 of the canonicalized body>,"integratedTime":n,"logID":<lowercase
// hex of the log id>,"logIndex":n}, with the entry's own (global) log index. Rekor and cosign
// sign it with ECDSA over SHA-256 of those bytes; any key type sigil reads is accepted here.
// It proves the integrated time: the one thing in the entry a verifier may take as the signing
// time without an inclusion proof (DESIGN.md §3 rule 8).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/tlog/entry.hpp"

#include <string>

namespace sigil::tlog {

// The bytes the SET signs; error when the entry has no integrated time.
[[nodiscard]] Result<std::string> set_payload(const Entry& entry);

// Errors: no SET or no integrated time in the entry; "signed entry timestamp does not verify
// with the log key".
[[nodiscard]] Result<void> verify_set(const Entry& entry, const crypto::PublicKey& log_key);

} // namespace sigil::tlog
