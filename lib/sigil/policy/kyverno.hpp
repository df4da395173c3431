// sigil::policy the trust policy as a Kyverno ClusterPolicy (kyverno.io/v1, verifyImages), so
// that the cluster enforces what CI checked with sigil (sigil policy export --kyverno).
//
// Each rule that verifies something becomes one Kyverno rule matching Pods: imageReferences
// from its patterns, failureAction Enforce or Audit from its mode, attestors {count, entries}
// (keys as PEM, keyless subject/issuer; sigil's anchored RE2 regexps are exported anchored
// with ^(?:...)$ since Kyverno's are not), attestations {type, attestors, conditions on the
// predicate}. What Kyverno cannot say is listed in `unexpressed`, one line each, never
// silently dropped: GitLab/Fulcio extensions, regexp conditions, pointers outside the
// predicate, spec.default, per-rule trusted roots, sigil's "most specific rule wins".
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/policy/trust_policy.hpp"

#include <functional>
#include <string>
#include <vector>

namespace sigil::policy {

struct KyvernoExport {
  std::string yaml;                     // one YAML document, ending in a newline
  std::vector<std::string> unexpressed; // what the cluster will NOT check as sigil does
};

// What the caller resolved (files, variables, type names): the PEM public key of a key
// authority, and the predicate type URI of an attestation (intoto::predicate_type_uri).
struct KyvernoInputs {
  std::function<Result<std::string>(const Authority&)> key_pem;
  std::function<std::string(const RequiredAttestation&)> type_uri;
};

[[nodiscard]] Result<KyvernoExport> export_kyverno(const TrustPolicy& policy, const KyvernoInputs& inputs);

// A JSON pointer into the statement as the JMESPath Kyverno evaluates on the predicate
// ("/predicate/builder/id" -> "builder.id"); nullopt outside /predicate.
[[nodiscard]] std::optional<std::string> predicate_jmespath(const std::vector<std::string>& tokens);

} // namespace sigil::policy
