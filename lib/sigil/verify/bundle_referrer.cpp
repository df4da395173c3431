#include "sigil/verify/bundle_referrer.hpp"

#include "sigil/attachments/reader.hpp"
#include "sigil/bundle/bundle.hpp"
#include "sigil/verify/keyless_envelope.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/verify/envelope.hpp"
#include "sigil/verify/payload_budget.hpp"

#include <fmt/format.h>

namespace sigil::verify {

namespace {

// The referrer's unsigned annotation may only narrow what `verify` reads (an attestation is
// not a signature, whatever it says); it never decides what an attestation is.
std::optional<std::string> annotated_type(const attachments::Candidate& c)
{
  const auto it = c.manifest_annotations.find(std::string(oci::annotation::bundle_predicate_type));
  return it == c.manifest_annotations.end() ? std::nullopt : std::optional(it->second);
}

// A keyless bundle: the Sigstore checks, then the statement checks with the certificate's key.
void check_keyless_bundle(const BundleReferrersRequest& r, const bundle::Bundle& parsed, SignatureReport& report)
{
  auto material = material_from_bundle(parsed);
  if (!material) {
    report.reason = material.error().message;
    return;
  }
  static const std::vector<TrustedKey> no_keys;
  auto result = check_keyless_envelope(*material,
                                       {.envelope = std::get<dsse::Envelope>(parsed.content),
                                        .keys = no_keys,
                                        .subject_algorithm = std::string(oci::algorithm_name(r.image.digest()->algorithm)),
                                        .subject_hex = r.image.digest()->hex,
                                        .predicate_type = required_type(r.predicate_type),
                                        .annotations = &r.annotations,
                                        .check_claims = r.check_claims},
                                       *r.sigstore);
  report.verified = result.check.verified;
  report.reason = std::move(result.check.reason);
  if (result.check.statement) {
    report.signed_predicate_type = result.check.statement->predicate_type;
    report.statement = std::move(result.check.statement);
  }
  report.keyless = std::move(result.keyless);
}

SignatureReport check_bundle(const BundleReferrersRequest& r, const std::string& json, std::string source)
{
  SignatureReport report{std::move(source), SignatureFormat::bundle, false, {}, std::nullopt, {}, {}};
  auto parsed = bundle::parse_bundle(json);
  if (!parsed) {
    report.reason = parsed.error().message;
    return report;
  }
  const auto* envelope = std::get_if<dsse::Envelope>(&parsed->content);
  if (envelope == nullptr) {
    report.reason = "the bundle holds a message signature, not a DSSE envelope";
    return report;
  }
  report.payload = std::string(util::as_chars(envelope->payload));
  if (parsed->has_certificate && r.sigstore != nullptr && r.sigstore->identity.complete()) {
    check_keyless_bundle(r, *parsed, report);
    return report;
  }
  auto check = check_envelope({.envelope = *envelope,
                               .keys = r.keys,
                               .subject_algorithm = std::string(oci::algorithm_name(r.image.digest()->algorithm)),
                               .subject_hex = r.image.digest()->hex,
                               .predicate_type = required_type(r.predicate_type),
                               .annotations = &r.annotations,
                               .check_claims = r.check_claims});
  record_check(std::move(check), report);
  return report;
}

} // namespace

Result<void> collect_bundle_referrers(const BundleReferrersRequest& r, std::vector<SignatureReport>& out)
{
  const auto keep = [&](const attachments::Candidate& c) {
    const auto type = annotated_type(c);
    return !(r.skip_other_types && type && *type != r.predicate_type);
  };
  SIGIL_TRY_ASSIGN(const auto candidates,
                   attachments::read_bundle_referrers(r.client, r.target, *r.image.digest(),
                                                      {.max_candidates = r.max_entries, .keep = keep}));
  std::size_t considered = 0;
  PayloadBudget budget(r.max_blob_bytes);
  for (const auto& candidate : candidates) {
    if (++considered > r.max_entries) {
      out.push_back(SignatureReport{candidate.where, SignatureFormat::bundle, false,
                                    fmt::format("more than {} bundles; the rest were not considered (--max-signatures)",
                                                r.max_entries),
                                    std::nullopt, {}, {}});
      return {};
    }
    if (auto spent = budget.refuse(candidate.layer.size)) {
      out.push_back(SignatureReport{candidate.where, SignatureFormat::bundle, false, std::move(*spent), std::nullopt, {}, {}});
      continue;
    }
    auto blob = r.client.get_blob(r.target, candidate.layer, r.max_blob_bytes);
    if (!blob) {
      if (blob.error().code != ErrorCode::bad_input) {
        return fail(blob.error());
      }
      out.push_back(
        SignatureReport{candidate.where, SignatureFormat::bundle, false, blob.error().message, std::nullopt, {}, {}});
      continue;
    }
    auto report = check_bundle(r, *blob, candidate.where);
    // An unannotated bundle of another signed type is an attestation: not ours to report.
    // One whose annotation claimed our type is reported (rejected): it is mislabelled.
    const bool annotated_as_requested = annotated_type(candidate) == r.predicate_type;
    if (r.skip_other_types && !annotated_as_requested && !report.signed_predicate_type.empty() &&
        report.signed_predicate_type != r.predicate_type) {
      continue;
    }
    budget.settle(report); // a payload that did not verify is not held
    out.push_back(std::move(report));
  }
  return {};
}

} // namespace sigil::verify
