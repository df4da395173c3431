// sigil gate --policy: the trust policy as the gate's ImageDecider.
#include "gate_policy.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

std::string authority_line(std::string_view what, const verify::AuthorityVerdict& a)
{
  return fmt::format("{} \"{}\": {}", what, a.name, a.satisfied ? a.reason : "not satisfied: " + a.reason);
}

// The verdict's reason, then a line per signature authority and attestation (and its authorities).
std::vector<std::string> verdict_lines(const verify::PolicyVerdict& v)
{
  std::vector<std::string> lines{v.reason};
  for (const auto& a : v.signatures) {
    lines.push_back(authority_line("signature authority", a));
  }
  for (const auto& att : v.attestations) {
    lines.push_back(fmt::format("attestation \"{}\" ({}): {}", att.name, att.predicate_type, att.reason));
    for (const auto& a : att.authorities) {
      lines.push_back("  " + authority_line("authority", a));
    }
  }
  return lines;
}

bool unreadable(ErrorCode code)
{
  return code == ErrorCode::not_found || code == ErrorCode::registry || code == ErrorCode::auth;
}

} // namespace

std::string policy_rule_label(const verify::PreparedPolicy& policy, std::string_view image_name)
{
  const auto selection = policy.policy.select(image_name);
  if (selection.rule == nullptr) {
    return "policy: no rule matches";
  }
  if (selection.pattern == nullptr) {
    return fmt::format("policy rule \"{}\" (spec.default)", selection.rule->name);
  }
  return fmt::format("policy rule \"{}\" (pattern {})", selection.rule->name, selection.pattern->text);
}

Result<gate::ImageDecision> policy_decision(const verify::PolicyVerdict& v, std::string rule)
{
  using verify::PolicyOutcome;
  if (v.outcome != PolicyOutcome::pass && v.outcome != PolicyOutcome::skipped && unreadable(v.code)) {
    return fail(v.code, v.reason);
  }
  gate::ImageDecision d{.verdict = gate::Verdict::pass, .rule = std::move(rule), .reasons = verdict_lines(v)};
  if (v.outcome == PolicyOutcome::audit_fail) {
    d.verdict = gate::Verdict::audit;
    d.reasons.insert(d.reasons.begin(), fmt::format("note: rule \"{}\" is mode audit: allowed, though not met", v.rule));
  } else if (v.outcome == PolicyOutcome::fail) {
    d.verdict = gate::Verdict::fail;
  }
  return d;
}

gate::ImageDecider decider_from_policy(registry::Client& client, std::shared_ptr<const verify::PreparedPolicy> policy)
{
  return gate::ImageDecider{
    .rule_for = [policy](const oci::Reference& image) { return policy_rule_label(*policy, image.name()); },
    .decide = [&client, policy](const oci::Reference& by_digest) -> Result<gate::ImageDecision> {
      const auto verdict = verify::evaluate_image(client, *policy, by_digest);
      return policy_decision(verdict, policy_rule_label(*policy, by_digest.name()));
    },
  };
}

} // namespace sigil::cli
