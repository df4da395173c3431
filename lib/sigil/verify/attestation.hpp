// sigil::verify attestations of images and files (DESIGN.md §3 rule 4): each DSSE envelope
// is verified over PAE of its exact payload, its statement's subject must carry the digest,
// and its predicate type is read from the signed statement only — never from a layer
// annotation or a referrer descriptor. At least one verified attestation of the requested
// type must exist (cosign CVE-2022-35929, CVE-2026-39395), and it must pass the policy.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/policy/conditions.hpp"
#include "sigil/policy/provenance.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/verify/blob.hpp"
#include "sigil/verify/image.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sigil::verify {

struct AttestationPolicy {
  std::vector<policy::Condition> conditions;
  policy::ProvenanceExpectations provenance;
};

struct AttestationDecision {
  ErrorCode code = ErrorCode::other; // meaningful when !ok
  bool ok = false;
  std::string message;               // why not, naming pointer / expected / found
  std::vector<std::string> checks;   // what was checked (for stderr)
  std::vector<std::string> warnings;
  std::vector<std::size_t> passed; // indices of the verified attestations of the type that passed the policy
};

// 0: a verified attestation of the type passes the policy; 15: verified ones of the type
// all fail a condition; 14: none of the type (incl. verified ones of other types); 12: some
// of the type but none verified. Reads each statement as parsed during verification.
[[nodiscard]] AttestationDecision decide(const std::vector<SignatureReport>& reports, const std::string& predicate_type,
                                         const AttestationPolicy& policy);

struct VerifyAttestationRequest {
  oci::Reference image;
  std::optional<registry::Repository> signature_repo; // default: registry::signature_repository
  std::vector<TrustedKey> keys;
  std::string predicate_type; // a URI; "": every verified attestation is kept, whatever its type (decision
                              // then meaningless: call decide() per type, as verify/policy_eval does)
  AttestationPolicy policy;
  bool check_claims = true;
  std::size_t max_attestations = 100;
  std::uint64_t max_payload_bytes = std::uint64_t{16} << 20; // SBOMs are large
  SigstorePolicy sigstore; // keyless attestations, when its identity is complete
};

struct VerifyAttestationResult {
  oci::Reference image; // by digest
  bool tag_given = false;
  std::vector<SignatureReport> attestations;
  AttestationDecision decision; // the outcome: the CLI maps decision.code to the exit status
};

// Collects and checks every attestation of the image (.att layers, bundle referrers), then
// decides on them under the policy. Registry failures are errors.
[[nodiscard]] Result<VerifyAttestationResult> verify_image_attestations(registry::Client& client,
                                                                        const VerifyAttestationRequest& request);

struct VerifyBlobAttestationRequest {
  std::string input; // path or "-"
  std::vector<TrustedKey> keys;
  std::string bundle_json; // Sigstore bundle (DSSE), cosign's legacy bundle, or a bare DSSE envelope
  std::string predicate_type;
  AttestationPolicy policy;
  bool check_claims = true;
  SigstorePolicy sigstore; // keyless bundles (a certificate), or key-signed ones with a trusted root
};

struct VerifyBlobAttestationResult {
  std::vector<SignatureReport> attestations;
  AttestationDecision decision;
};

[[nodiscard]] Result<VerifyBlobAttestationResult> verify_blob_attestation(const VerifyBlobAttestationRequest& request);

} // namespace sigil::verify
