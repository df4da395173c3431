// sigil::gate the deploy gate: every image of a set of Kubernetes manifests, resolved to its
// digest once and decided once, concurrently, over one registry client (one connection pool).
//
// THE SEAM. What makes an image acceptable is an ImageDecider: a rule (its label) and a
// decision for one image by digest. `decider_from_verify` (verify_decider.hpp) makes one rule
// for every image from the trust flags of `sigil verify`; a trust policy plugs in by
// providing its own ImageDecider (a rule per image pattern).
//
// Images are grouped by their reference by digest (a tag is resolved to a digest first, once
// per distinct tag in a run); each group is decided once against the rule that governs it,
// however many manifests name it.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/gate/manifest.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sigil::gate {

// pass: allowed, the rule was met. audit: allowed, the rule was not met (or not checked) but
// the rule only reports. fail: refused.
enum class Verdict { pass, fail, audit };

[[nodiscard]] std::string_view verdict_name(Verdict verdict); // "pass", "fail", "audit"

struct ImageDecision {
  Verdict verdict = Verdict::fail;
  std::string rule;                 // the rule's label, as reports show it
  std::vector<std::string> reasons; // one line each: what verified, or why not
};

// The per-image decision. `rule_for` names the rule an image (by name) falls under, so that a
// digest is decided once per rule; `decide` gets the image by digest and returns its decision,
// or an error when it could not decide (registry or network failure, authentication, the
// image missing): the error's code is the gate's exit status for that image.
struct ImageDecider {
  std::function<std::string(const oci::Reference& image)> rule_for;
  std::function<Result<ImageDecision>(const oci::Reference& by_digest)> decide;
};

// One unique image: every occurrence that names it, the digest it resolved to, the outcome.
struct GateImage {
  oci::Reference image;                     // the first occurrence's reference, as parsed
  std::optional<oci::Reference> by_digest;  // resolved (or given) digest
  std::vector<std::size_t> occurrences;     // indexes into GateReport::occurrences
  std::string rule;
  Result<ImageDecision> outcome = fail(ErrorCode::internal, "not decided");
};

struct GateReport {
  std::vector<ImageOccurrence> occurrences;
  std::vector<GateImage> images; // in order of first occurrence
  std::size_t decisions = 0;     // decide() calls made (the rest were answered from the memo)
  // Objects of kinds the gate does not know, listed instead of refused (--allow-unknown-kinds):
  // "FILE: document N: KIND/NAME (line L)". They do not change the exit status.
  std::vector<std::string> not_checked;

  // 0 every image allowed (pass or audit); else the highest status among the images: 15
  // (policy_failed) for a refused image, the error's status for an undecided one (11 missing,
  // 20 registry, 21 auth).
  [[nodiscard]] int exit_status() const;
  [[nodiscard]] bool allowed(const GateImage& image) const;
};

struct GateRequest {
  std::vector<ImageOccurrence> occurrences;
  int max_workers = 8;
};

// Resolves tags (digests given are not looked up), decides each unique (rule, digest) once.
[[nodiscard]] GateReport run_gate(registry::Client& client, GateRequest request, const ImageDecider& decider);

} // namespace sigil::gate
