// sigil::gate the decider made from the trust flags of `sigil verify`.
#include "sigil/gate/verify_decider.hpp"

#include "sigil/verify/image_report.hpp"

#include <fmt/format.h>

#include <memory>

namespace sigil::gate {

namespace {

std::string accepted_line(const verify::SignatureReport& s)
{
  if (s.keyless) {
    return fmt::format("verified {}: keyless, {}", s.source, s.reason);
  }
  if (s.key_index) {
    return fmt::format("verified {}: key {}", s.source, *s.key_index + 1);
  }
  return fmt::format("verified {}: {}", s.source, s.reason);
}

ImageDecision decision_of(const verify::VerifyImageResult& result, const std::string& rule)
{
  ImageDecision d{.verdict = Verdict::fail, .rule = rule, .reasons = {}};
  const auto verdict = verify::decide(result);
  if (verdict.ok) {
    d.verdict = Verdict::pass;
    for (const auto& s : result.signatures) {
      if (s.verified) {
        d.reasons.push_back(accepted_line(s));
      }
    }
    return d;
  }
  if (verdict.code == ErrorCode::no_signatures) {
    d.reasons.emplace_back("no signatures found");
    return d;
  }
  d.reasons.push_back(
    fmt::format("no matching signatures: {} considered, none verified", result.signatures.size()));
  for (const auto& s : result.signatures) {
    d.reasons.push_back(fmt::format("rejected {}: {}", s.source, s.reason));
  }
  return d;
}

} // namespace

ImageDecider decider_from_verify(registry::Client& client, VerifyTrust trust, std::string rule)
{
  auto shared = std::make_shared<const VerifyTrust>(std::move(trust));
  return {
    .rule_for = [rule](const oci::Reference&) { return rule; },
    .decide = [&client, shared, rule](const oci::Reference& by_digest) -> Result<ImageDecision> {
      const auto& t = *shared;
      const verify::VerifyImageRequest request{
        .image = by_digest, .signature_repo = std::nullopt, .keys = t.keys, .annotations = t.annotations,
        .check_claims = t.check_claims, .check_docker_reference = t.check_docker_reference,
        .max_signatures = t.max_signatures, .max_payload_bytes = t.max_payload_bytes, .sigstore = t.sigstore};
      SIGIL_TRY_ASSIGN(const auto result, verify::verify_image(client, request));
      return decision_of(result, rule);
    },
  };
}

} // namespace sigil::gate
