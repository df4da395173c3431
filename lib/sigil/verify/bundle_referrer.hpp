// sigil::verify Sigstore bundles attached to an image as OCI 1.1 referrers (cosign 3's
// format for signatures and attestations), found through the referrers API or its fallback
// tag. Referrer descriptors are not trusted for their artifactType (cosign 3.0 wrote wrong
// ones, sigstore/cosign#4422): each referrer manifest is read and must hold exactly one
// bundle layer. What decides is inside the verified DSSE envelope: the statement's subject
// must carry the image digest, and its predicateType must be the one asked for.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/verify/blob.hpp"
#include "sigil/verify/image.hpp"
#include "sigil/intoto/statement.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::verify {

struct BundleReferrersRequest {
  registry::Client& client;
  const oci::Reference& image; // by digest
  const registry::Repository& target;
  const std::vector<TrustedKey>& keys;
  const std::map<std::string, std::string>& annotations; // must equal the subject's annotations
  bool check_claims = true;
  std::string predicate_type; // the type required (read from the signed statement)
  // For `verify` (signatures): bundles of another type are attestations, not signatures,
  // and are left out of the report — by their referrer annotation or, once verified, by the
  // signed type. For `verify-attestation` every bundle is reported (DESIGN.md §3 rule 7).
  bool skip_other_types = false;
  std::size_t max_entries = 100;
  std::uint64_t max_blob_bytes = std::uint64_t{1} << 20;
  // Keyless bundles (a certificate) are verified against this when its identity is complete.
  const SigstorePolicy* sigstore = nullptr;
};

// Appends one report per bundle of the requested predicate type.
[[nodiscard]] Result<void> collect_bundle_referrers(const BundleReferrersRequest& request,
                                                    std::vector<SignatureReport>& out);

} // namespace sigil::verify
