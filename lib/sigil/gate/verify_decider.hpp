// sigil::gate one rule for every image, from the trust of `sigil verify` (keys, keyless
// identities, annotations): the gate's ImageDecider when no trust policy is given.
#pragma once

#include "sigil/gate/gate.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/verify/image.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sigil::gate {

// What `sigil verify` is told to trust, for every image (verify::VerifyImageRequest without
// the image).
struct VerifyTrust {
  std::vector<verify::TrustedKey> keys;
  std::map<std::string, std::string> annotations;
  bool check_claims = true;
  bool check_docker_reference = false;
  std::size_t max_signatures = 100;
  std::uint64_t max_payload_bytes = std::uint64_t{1} << 20;
  verify::SigstorePolicy sigstore;
};

// Each decision verifies the image by digest against `trust`. pass when a signature verified (reasons: which, by what);
// fail when none did (reasons: "no signatures found", or "no matching signatures: N
// considered, none verified" and one "rejected SOURCE: REASON" line each); registry,
// authentication and missing-image failures are errors. `client` must outlive the decider.
[[nodiscard]] ImageDecider decider_from_verify(registry::Client& client, VerifyTrust trust,
                                               std::string rule);

} // namespace sigil::gate
