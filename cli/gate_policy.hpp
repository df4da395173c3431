// The deploy gate under a trust policy (sigil gate --policy FILE, sigil-policy(5)): the gate's
// ImageDecider whose rule for an image is the policy's rule for its name, and whose decision is
// verify::evaluate_image's verdict.
#pragma once

#include "sigil/gate/gate.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/verify/policy_eval.hpp"

#include <memory>
#include <string>

namespace sigil::cli {

// The label of the rule that governs `image_name`, as reports show it:
//   policy rule "NAME" (pattern PATTERN)   a rule of spec.rules, by the pattern that selected it
//   policy rule "NAME" (spec.default)      the default rule
//   policy: no rule matches                none, and no spec.default
[[nodiscard]] std::string policy_rule_label(const verify::PreparedPolicy& policy, std::string_view image_name);

// The verdict as a gate decision: pass (pass, or mode skip: reasons say nothing was verified);
// audit (audit-fail: allowed, reasons say what was not met); fail (reasons: the verdict's reason,
// then one line per signature authority and attestation). An image that could not be read
// (not found, registry, authentication) is an error with that code, so the gate's exit status
// is 11, 20 or 21 as without a policy.
[[nodiscard]] Result<gate::ImageDecision> policy_decision(const verify::PolicyVerdict& verdict, std::string rule);

// `client` and `policy` must outlive the decider.
[[nodiscard]] gate::ImageDecider decider_from_policy(registry::Client& client,
                                                     std::shared_ptr<const verify::PreparedPolicy> policy);

} // namespace sigil::cli
