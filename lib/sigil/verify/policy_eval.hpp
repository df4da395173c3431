// sigil::verify the trust policy applied to images (sigil-policy(5)).
//
//   auto prepared = prepare_policy(std::move(parsed), {.base_dir = "deploy/", .load_root = cli_root_loader});
//   auto verdict = evaluate_image(client, **prepared, image);   // one image, any thread
//
// prepare_policy loads, once, what the rules name: key files (relative to base_dir), env://
// variables, inline PEM keys, trusted roots, and compiles the keyless identities; its errors
// are "FILE:LINE: PATH: message" (ErrorCode::bad_input). The result is immutable and shared:
// evaluate_image may be called concurrently for different images with one PreparedPolicy and
// one registry::Client (the deploy gate calls it from a worker pool).
//
// evaluate_image finds the rule (policy::TrustPolicy::select), then, unless the mode is skip,
// reads and verifies the image's signatures ONCE (verify_image, with every key of the rule and,
// when the rule has keyless authorities, any certificate identity under the rule's trusted
// root), and counts which authorities verified one: a key authority by the key that verified,
// a keyless one by matching its identity against the verified certificate's. The rule's
// signatures pass when at least `count` authorities did. Each required attestation is decided
// on ONE read of the image's attestations (verify_image_attestations of every type): an
// authority satisfies it when an attestation of the type, verified by that authority, passes
// the provenance and JSON-pointer conditions (verify::decide); again `count` of them.
// Outcome: pass; fail (mode enforce); audit_fail (mode audit: reported, but passes); skipped
// (mode skip). No matching rule and no spec.default: fail, with that reason.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/keyless/identity.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/policy/trust_policy.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/trust/trusted_root.hpp"
#include "sigil/verify/attestation.hpp"
#include "sigil/verify/trust.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sigil::verify {

struct PreparedAuthority {
  std::string name;
  policy::Where where;
  std::optional<std::size_t> key_index;            // into PreparedRule::keys
  std::optional<keyless::IdentityPolicy> identity; // keyless
};

struct PreparedSignatures {
  std::vector<PreparedAuthority> authorities;
  std::size_t count = 1;
};

struct PreparedAttestation {
  std::string name;
  std::string predicate_type; // a URI
  AttestationPolicy policy;
  PreparedSignatures signatures; // its own, or a copy of the rule's
};

struct PreparedRule {
  const policy::Rule* rule = nullptr; // into PreparedPolicy::policy
  std::vector<TrustedKey> keys;       // every key the rule and its attestations name, once
  std::shared_ptr<const trust::TrustedRoot> root; // set when some authority is keyless
  SigstorePolicy sigstore;            // root, keys, and (keyless) an identity accepting any certificate
  PreparedSignatures signatures;
  std::vector<PreparedAttestation> attestations;
};

struct PreparedPolicy {
  policy::TrustPolicy policy;
  std::vector<PreparedRule> rules;        // one per policy.rules, same order
  std::optional<PreparedRule> default_rule;
  [[nodiscard]] const PreparedRule* prepared(const policy::Rule* rule) const;
};

struct PrepareOptions {
  std::filesystem::path base_dir; // relative key and trusted-root paths are read from here
  // The trusted root of a rule with keyless authorities whose trust names no trustedRoot file
  // (its TUF settings, possibly empty: the caller's defaults, e.g. SIGSTORE_* or TUF).
  std::function<Result<std::shared_ptr<const trust::TrustedRoot>>(const policy::TrustSettings&)> load_root;
  bool load_roots = true; // false (sigil policy check): keys and identities only, no trusted root read
};

[[nodiscard]] Result<std::shared_ptr<const PreparedPolicy>> prepare_policy(policy::TrustPolicy policy,
                                                                         const PrepareOptions& options);

enum class PolicyOutcome { pass, fail, audit_fail, skipped };
[[nodiscard]] std::string_view outcome_name(PolicyOutcome outcome); // "pass", "fail", "audit-fail", "skipped"

struct AuthorityVerdict {
  std::string name;
  bool satisfied = false;
  std::string reason; // what verified (the signature's source), or why none did
};

struct AttestationVerdict {
  std::string name;
  std::string predicate_type;
  bool satisfied = false;
  std::string reason; // "2 of 2 authorities" / why not
  std::vector<AuthorityVerdict> authorities;
};

struct PolicyVerdict {
  std::string image;  // as given (Reference::str())
  std::string digest; // "sha256:..." verified; empty when not resolved (skip, no rule, registry failure)
  std::string rule;   // the rule's name; empty when none matched
  std::string pattern; // the pattern that selected it, as written; empty for spec.default or none
  policy::Mode mode = policy::Mode::enforce;
  PolicyOutcome outcome = PolicyOutcome::fail;
  // fail / audit_fail: ErrorCode::policy_failed, or the registry's error (not_found, registry,
  // auth) when the image could not be read; ErrorCode::other otherwise.
  ErrorCode code = ErrorCode::other;
  std::string reason; // one line
  std::vector<AuthorityVerdict> signatures;
  std::vector<AttestationVerdict> attestations;
  std::vector<SignatureReport> signature_reports;   // every signature considered (--explain)
  std::vector<SignatureReport> attestation_reports; // every attestation considered
  [[nodiscard]] bool passed() const { return outcome != PolicyOutcome::fail; }
};

struct EvaluateOptions {
  bool signatures = true;   // false: verify-attestation --policy (the rule's attestations only)
  bool attestations = true; // false: the rule's signatures only
};

// N of M: how many authorities of `sigs` the verified reports satisfy (those for which
// `eligible` holds), one verdict per authority appended to `out`. A key authority is
// satisfied by a report verified with its key, a keyless one by a verified certificate whose
// identity matches (keyless::check_identity). Counted are distinct SIGNERS: a key, or a keyless
// identity (SAN + issuer; each signature has its own certificate). One signer counts for ONE
// authority (a maximum matching between authorities and signers), so two authorities that one
// signer satisfies, with one signature or several, count once.
[[nodiscard]] std::size_t match_authorities(const PreparedSignatures& sigs, const std::vector<SignatureReport>& reports,
                                            const std::function<bool(const SignatureReport&)>& eligible,
                                            std::string_view what, std::vector<AuthorityVerdict>& out);

// Never fails as a call: every failure is in the verdict (outcome fail or audit_fail, code, reason).
[[nodiscard]] PolicyVerdict evaluate_image(registry::Client& client, const PreparedPolicy& policy,
                                           const oci::Reference& image, const EvaluateOptions& options = {});

} // namespace sigil::verify
