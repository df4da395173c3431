// sigil::verify what a signature is checked against: the trust roots of one verification.
//
// Today a list of public keys (key rotation: any of them may have signed). Keyless adds
// certificate chains, transparency logs and identities here (lib/sigil/trust/ loads them);
// the use cases take the loaded set, never file names.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"

#include <span>
#include <string>
#include <vector>

namespace sigil::verify {

struct TrustedKey {
  std::string name; // as the user named it (path or env://VAR), for messages
  crypto::PublicKey key;
};

// Loads each public key (PEM file path or env://VAR), in order; the first failure is the error.
[[nodiscard]] Result<std::vector<TrustedKey>> load_trusted_keys(std::span<const std::string> refs);

// Has OpenSSL set up, now, what verifying with these keys will need (crypto::prewarm_verify):
// for a command that would otherwise wait idle for the network library meanwhile.
void prewarm(std::span<const TrustedKey> keys);

} // namespace sigil::verify
