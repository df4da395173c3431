#include "sigil/verify/attestation.hpp"

#include "sigil/attachments/reader.hpp"
#include "sigil/bundle/bundle.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/registry/signature_repository.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json_strict.hpp"
#include "sigil/util/stream.hpp"
#include "sigil/verify/bundle_referrer.hpp"
#include "sigil/verify/cosign_layer.hpp"
#include "sigil/verify/envelope.hpp"
#include "sigil/verify/keyless_envelope.hpp"
#include "sigil/verify/payload_budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>

namespace sigil::verify {

namespace {

const std::map<std::string, std::string> k_no_annotations;

SignatureReport report_envelope(const dsse::Envelope& env, std::string source, SignatureFormat format,
                                const std::vector<TrustedKey>& keys, const std::string& alg, const std::string& hex,
                                const std::string& predicate_type, bool check_claims)
{
  SignatureReport report{std::move(source), format, false, {}, std::nullopt, std::string(util::as_chars(env.payload)), {}};
  auto check = check_envelope({.envelope = env,
                               .keys = keys,
                               .subject_algorithm = alg,
                               .subject_hex = hex,
                               .predicate_type = required_type(predicate_type),
                               .annotations = &k_no_annotations,
                               .check_claims = check_claims});
  record_check(std::move(check), report);
  return report;
}

bool keyless_applies(const SigstorePolicy& policy, const std::map<std::string, std::string>& annotations)
{
  return policy.identity.complete() && has_cosign_certificate(annotations);
}

SignatureReport keyless_report(std::string source, SignatureFormat format, KeylessEnvelopeCheck result,
                               const dsse::Envelope& env)
{
  SignatureReport report{std::move(source), format, result.check.verified, std::move(result.check.reason),
                         std::nullopt, std::string(util::as_chars(env.payload)), {}};
  if (result.check.statement) {
    report.signed_predicate_type = result.check.statement->predicate_type;
    report.statement = std::move(result.check.statement);
  }
  report.keyless = std::move(result.keyless);
  return report;
}

EnvelopeCheckRequest keyless_request(const dsse::Envelope& env, const std::string& alg, const std::string& hex,
                                     const std::string& predicate_type, bool check_claims)
{
  static const std::vector<TrustedKey> no_keys;
  return {.envelope = env,
          .keys = no_keys,
          .subject_algorithm = alg,
          .subject_hex = hex,
          .predicate_type = required_type(predicate_type),
          .annotations = &k_no_annotations,
          .check_claims = check_claims};
}

// A keyless `.att` layer (cosign attest with a Fulcio certificate in the annotations).
SignatureReport report_keyless_att(const dsse::Envelope& env, std::string source,
                                   const std::map<std::string, std::string>& annotations,
                                   const VerifyAttestationRequest& r, const std::string& alg, const std::string& hex,
                                   std::string_view layer)
{
  auto material = material_from_cosign_att_layer(annotations, env, util::as_bytes(layer));
  if (!material) {
    return SignatureReport{std::move(source), SignatureFormat::legacy, false, material.error().message, std::nullopt,
                           {}, {}};
  }
  auto result =
    check_keyless_envelope(*material, keyless_request(env, alg, hex, r.predicate_type, r.check_claims), r.sigstore);
  return keyless_report(std::move(source), SignatureFormat::legacy, std::move(result), env);
}

// One layer of the `.att` manifest: a DSSE envelope. Registry failures propagate; everything
// else is a reason.
Result<SignatureReport> check_att_layer(registry::Client& client, const VerifyAttestationRequest& r,
                                        const oci::Reference& image, const registry::Repository& target,
                                        const attachments::Candidate& candidate, PayloadBudget& budget)
{
  const auto reject = [&](std::string reason) {
    return SignatureReport{candidate.where, SignatureFormat::legacy, false, std::move(reason), std::nullopt, {}, {}};
  };
  const auto& layer = candidate.layer;
  if (layer.media_type != oci::media_type::dsse_envelope) {
    return reject(fmt::format("media type {} is not a DSSE envelope", layer.media_type));
  }
  if (auto spent = budget.refuse(layer.size)) {
    return reject(std::move(*spent));
  }
  auto blob = client.get_blob(target, layer, r.max_payload_bytes);
  if (!blob) {
    if (blob.error().code != ErrorCode::bad_input) {
      return fail(blob.error());
    }
    return reject(blob.error().message);
  }
  auto env = dsse::parse(*blob, static_cast<std::size_t>(r.max_payload_bytes));
  if (!env) {
    return reject(env.error().message);
  }
  const std::string alg(oci::algorithm_name(image.digest()->algorithm));
  auto report = keyless_applies(r.sigstore, layer.annotations)
                  ? report_keyless_att(*env, candidate.where, layer.annotations, r, alg, image.digest()->hex, *blob)
                  : report_envelope(*env, candidate.where, SignatureFormat::legacy, r.keys, alg, image.digest()->hex,
                                    r.predicate_type, r.check_claims);
  budget.settle(report); // a statement that did not verify is not held
  return report;
}

// The `.att` tag's layers, each a DSSE envelope.
Result<void> collect_att(registry::Client& client, const VerifyAttestationRequest& r, const oci::Reference& image,
                         const registry::Repository& target, std::vector<SignatureReport>& out)
{
  SIGIL_TRY_ASSIGN(auto found,
                   attachments::read_legacy_tag(client, target, *image.digest(), attachments::TagKind::attestations));
  if (!found) {
    return {};
  }
  const auto whole = [&](std::string reason) {
    out.push_back(SignatureReport{found->tag, SignatureFormat::legacy, false, std::move(reason), std::nullopt, {}, {}});
  };
  if (found->manifest.kind != oci::ManifestKind::image) {
    whole("invalid attestation manifest: the tag points to an index");
    return {};
  }
  if (found->unreadable) {
    whole(fmt::format("invalid attestation manifest: {}", found->unreadable->message));
    return {};
  }
  if (found->candidates.size() > r.max_attestations) {
    whole(fmt::format("{} attestations, more than the limit of {}", found->candidates.size(), r.max_attestations));
    return {};
  }
  PayloadBudget budget(r.max_payload_bytes);
  for (const auto& candidate : found->candidates) {
    SIGIL_TRY_ASSIGN(auto report, check_att_layer(client, r, image, target, candidate, budget));
    out.push_back(std::move(report));
  }
  return {};
}

// A DSSE envelope from whatever a blob attestation was written as.
Result<dsse::Envelope> envelope_of(std::string_view json)
{
  auto kind = bundle::detect_bundle_kind(json);
  if (kind && *kind == bundle::BundleKind::sigstore) {
    SIGIL_TRY_ASSIGN(auto b, bundle::parse_bundle(json));
    if (auto* env = std::get_if<dsse::Envelope>(&b.content)) {
      return std::move(*env);
    }
    return fail(ErrorCode::bad_input, "the bundle holds a message signature, not an attestation; use verify-blob");
  }
  if (kind && *kind == bundle::BundleKind::cosign_legacy) {
    // cosign 2's attest-blob --bundle: base64Signature is the base64 of the envelope JSON.
    SIGIL_TRY_ASSIGN(auto legacy, bundle::parse_legacy_bundle(json));
    return dsse::parse(util::as_chars(legacy.signature));
  }
  return dsse::parse(json); // a bare envelope (what cosign 2 attest-blob prints on stdout)
}

// The artifact's SHA-256: its file, or "sha256:HEX" when no such file exists (the
// sigstore-conformance way of naming an artifact by digest).
Result<std::string> artifact_sha256_hex(const std::string& input)
{
  std::error_code ec;
  if (auto named = parse_artifact_digest(input);
      named && named->algorithm == crypto::HashAlgorithm::sha256 && !std::filesystem::exists(input, ec)) {
    return util::hex_encode(named->digest);
  }
  crypto::Hasher hasher(crypto::HashAlgorithm::sha256);
  SIGIL_TRY(util::stream_input(input, [&](util::ByteView chunk) { hasher.update(chunk); }));
  return util::hex_encode(hasher.finish());
}

// cosign 2's keyless attest-blob --bundle (legacy format): base64Signature is the envelope JSON,
// cert the base64 of the Fulcio certificate's PEM, rekorBundle its intoto/dsse log entry.
Result<std::optional<SignedMaterial>> keyless_legacy_material(const VerifyBlobAttestationRequest& r)
{
  SIGIL_TRY_ASSIGN(auto legacy, bundle::parse_legacy_bundle(r.bundle_json));
  if (!legacy.cert || !r.sigstore.identity.complete()) {
    return std::optional<SignedMaterial>{};
  }
  auto pem = util::base64_decode(*legacy.cert);
  if (!pem || util::as_chars(*pem).find("BEGIN CERTIFICATE") == std::string_view::npos) {
    return std::optional<SignedMaterial>{}; // a public key: verified with --key
  }
  SIGIL_TRY_ASSIGN(auto env, dsse::parse(util::as_chars(legacy.signature)));
  SIGIL_TRY_ASSIGN(auto m, material_from_legacy_bundle(legacy, crypto::HashAlgorithm::sha256, {}));
  m.content = std::move(env);
  return std::optional<SignedMaterial>{std::move(m)};
}

// A Sigstore bundle verified as Sigstore material: keyless (a certificate, with identities
// given), or key-signed with a trusted root (its log entries are then checked too).
Result<std::optional<SignedMaterial>> keyless_blob_material(const VerifyBlobAttestationRequest& r)
{
  auto kind = bundle::detect_bundle_kind(r.bundle_json);
  if (kind && *kind == bundle::BundleKind::cosign_legacy) {
    return keyless_legacy_material(r);
  }
  if (!kind || *kind != bundle::BundleKind::sigstore) {
    return std::optional<SignedMaterial>{};
  }
  SIGIL_TRY_ASSIGN(auto b, bundle::parse_bundle(r.bundle_json));
  const bool keyless = b.has_certificate && r.sigstore.identity.complete();
  const bool logged_key = !b.has_certificate && r.sigstore.root != nullptr && !r.keys.empty();
  if (!std::holds_alternative<dsse::Envelope>(b.content) || (!keyless && !logged_key)) {
    return std::optional<SignedMaterial>{};
  }
  SIGIL_TRY_ASSIGN(auto m, material_from_bundle(b));
  return std::optional<SignedMaterial>{std::move(m)};
}

} // namespace

Result<VerifyAttestationResult> verify_image_attestations(registry::Client& client, const VerifyAttestationRequest& r)
{
  if (r.keys.empty() && !r.sigstore.identity.complete()) {
    return fail(ErrorCode::usage, "no trusted key: pass --key PUBLIC_KEY, or --certificate-identity and "
                                  "--certificate-oidc-issuer for keyless attestations");
  }
  SIGIL_TRY_ASSIGN(const registry::Repository target, registry::target_repository(r.image, r.signature_repo));
  VerifyAttestationResult result{r.image, !r.image.digest().has_value(), {}};
  if (result.tag_given) {
    SIGIL_TRY_ASSIGN(auto resolved, client.resolve(r.image));
    result.image = r.image.with_digest(resolved.digest);
  }
  SIGIL_TRY(collect_att(client, r, result.image, target, result.attestations));
  SIGIL_TRY(collect_bundle_referrers({.client = client,
                                      .image = result.image,
                                      .target = target,
                                      .keys = r.keys,
                                      .annotations = k_no_annotations,
                                      .check_claims = r.check_claims,
                                      .predicate_type = r.predicate_type,
                                      .max_entries = r.max_attestations,
                                      .max_blob_bytes = r.max_payload_bytes,
                                      .sigstore = &r.sigstore},
                                     result.attestations));
  if (result.attestations.empty() && !result.tag_given) {
    SIGIL_TRY(client.resolve(result.image));
  }
  result.decision = decide(result.attestations, r.predicate_type, r.policy);
  return result;
}

Result<VerifyBlobAttestationResult> verify_blob_attestation(const VerifyBlobAttestationRequest& r)
{
  SIGIL_TRY_ASSIGN(auto keyless, keyless_blob_material(r));
  if (r.keys.empty() && !keyless) {
    return fail(ErrorCode::usage, "no trusted key: pass --key PUBLIC_KEY, or --certificate-identity and "
                                  "--certificate-oidc-issuer for a keyless bundle");
  }
  auto env = envelope_of(r.bundle_json);
  if (!env) {
    return fail(env.error().context("reading the attestation bundle"));
  }
  SIGIL_TRY_ASSIGN(const std::string hex, artifact_sha256_hex(r.input));
  VerifyBlobAttestationResult result;
  if (keyless) {
    auto policy = r.sigstore;
    policy.keys = r.keys;
    auto check = check_keyless_envelope(*keyless, keyless_request(*env, "sha256", hex, r.predicate_type, r.check_claims),
                                        policy);
    result.attestations.push_back(keyless_report("bundle", SignatureFormat::bundle, std::move(check), *env));
  } else {
    result.attestations.push_back(
      report_envelope(*env, "bundle", SignatureFormat::bundle, r.keys, "sha256", hex, r.predicate_type, r.check_claims));
  }
  result.decision = decide(result.attestations, r.predicate_type, r.policy);
  return result;
}

namespace {

// The policy applied to one verified statement: its first failure, or what it checked.
struct PolicyOutcome {
  std::optional<policy::ConditionFailure> failure;
  std::vector<std::string> checks;
  std::vector<std::string> warnings;
};

PolicyOutcome apply_policy(const util::Json& statement, const AttestationPolicy& policy)
{
  auto provenance = policy::check_provenance(statement, policy.provenance);
  PolicyOutcome out{provenance.failure, std::move(provenance.checks), std::move(provenance.warnings)};
  for (const auto& c : policy.conditions) {
    if (!out.failure) {
      out.failure = policy::evaluate(c, statement);
    }
  }
  if (!out.failure) {
    for (const auto& c : policy.conditions) {
      out.checks.push_back(fmt::format("{} {} \"{}\"", c.pointer,
                                       c.match == policy::Match::regexp ? "matches" : "equals", c.expected));
    }
  }
  return out;
}

// Why no attestation passed (exit 15, 14 or 12); first_failure is the policy's first failure
// on a verified one, if any.
AttestationDecision refusal(const std::vector<SignatureReport>& reports, const std::string& predicate_type,
                            const std::optional<policy::ConditionFailure>& first_failure)
{
  AttestationDecision d;
  if (first_failure) {
    d.code = ErrorCode::policy_failed;
    d.message = fmt::format("attestation of type {} verified, but the policy failed: {}: want {}, found {}",
                            predicate_type, first_failure->pointer, first_failure->expected, first_failure->found);
    return d;
  }
  // Signed by a trusted key or a trusted keyless identity, of another type. A keyless report has
  // no key index: the signed predicate type itself says the signer was trusted, as it is only
  // read from a statement whose signature verified (record_check, keyless_report).
  std::set<std::string> other_types;
  for (const auto& r : reports) {
    if (!r.signed_predicate_type.empty() && r.signed_predicate_type != predicate_type) {
      other_types.insert(r.signed_predicate_type);
    }
  }
  const bool any_of_type = std::ranges::any_of(reports, [&](const SignatureReport& r) {
    return r.signed_predicate_type.empty() || r.signed_predicate_type == predicate_type;
  });
  if (reports.empty() || (!any_of_type && !other_types.empty())) {
    d.code = ErrorCode::no_attestation;
    std::string found;
    for (const auto& t : other_types) {
      found += (found.empty() ? "" : ", ") + t;
    }
    d.message = other_types.empty() ? fmt::format("no attestations found (want type {})", predicate_type)
                                    : fmt::format("no verified attestation of type {}; found only: {}", predicate_type, found);
    return d;
  }
  d.code = ErrorCode::none_verified;
  d.message = fmt::format("{} attestation(s) considered, none of type {} verified", reports.size(), predicate_type);
  return d;
}

} // namespace

AttestationDecision decide(const std::vector<SignatureReport>& reports, const std::string& predicate_type,
                           const AttestationPolicy& policy)
{
  AttestationDecision d;
  std::optional<policy::ConditionFailure> first_failure;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    if (!r.verified || !r.statement) {
      continue; // a verified attestation's statement always parsed
    }
    if (!predicate_type.empty() && r.statement->predicate_type != predicate_type) {
      continue; // verified, but of another type: it says nothing about this one
    }
    auto outcome = apply_policy(r.statement->raw, policy);
    if (outcome.failure) {
      first_failure = first_failure.value_or(*outcome.failure);
      continue;
    }
    std::ranges::move(outcome.checks, std::back_inserter(d.checks));
    std::ranges::move(outcome.warnings, std::back_inserter(d.warnings));
    d.passed.push_back(i);
  }
  if (d.passed.empty()) {
    return refusal(reports, predicate_type, first_failure);
  }
  d.ok = true;
  return d;
}

} // namespace sigil::verify
