#include "sigil/verify/image.hpp"

#include "sigil/attachments/reader.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/payload/simple_signing.hpp"
#include "sigil/registry/signature_repository.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/verify/bundle_referrer.hpp"
#include "sigil/verify/cosign_layer.hpp"
#include "sigil/verify/payload_budget.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::verify {

namespace {

struct Context {
  registry::Client& client;
  const VerifyImageRequest& request;
  const oci::Reference& image; // by digest
  const registry::Repository& target;
};

std::string value_text(const util::Json& v)
{
  return v.is_string() ? fmt::format("\"{}\"", v.get<std::string>()) : util::dump_json(v);
}

// The -a annotations and the optional docker-reference check, on a verified payload.
std::optional<std::string> claim_problem(const SimpleSigningCheck& c, const payload::SimpleSigning& p)
{
  if (p.manifest_digest != c.expected_digest) {
    return fmt::format("payload digest {} does not match image {}: the signature is for another image",
                       p.manifest_digest, c.expected_digest);
  }
  for (const auto& [key, want] : c.annotations) {
    if (!p.optional.is_object() || !p.optional.contains(key)) {
      return fmt::format("annotation {}: not in the signed payload (want \"{}\")", key, want);
    }
    const auto& found = p.optional[key];
    if (!found.is_string() || found.get<std::string>() != want) {
      return fmt::format("annotation {}: want \"{}\", signed value is {}", key, want, value_text(found));
    }
  }
  if (c.docker_repository) {
    auto named = oci::Reference::parse(p.docker_reference);
    if (!named || named->name() != *c.docker_repository) {
      return fmt::format("docker-reference \"{}\" does not name repository {}", p.docker_reference, *c.docker_repository);
    }
  }
  return std::nullopt;
}

// A layer with a Fulcio certificate, when identities were given: keyless (keys, if also given,
// still verify key-signed layers: either may satisfy).
bool keyless_applies(const VerifyImageRequest& request, const oci::Descriptor& layer)
{
  return request.sigstore.identity.complete() && has_cosign_certificate(layer.annotations);
}

void check_keyless_layer(const Context& ctx, const oci::Descriptor& layer, std::string_view signature_b64,
                         SignatureReport& report)
{
  auto sig = util::base64_decode(signature_b64);
  if (!sig) {
    report.reason = "the signature annotation is not base64";
    return;
  }
  const auto payload = util::as_bytes(report.payload);
  auto material = material_from_cosign_layer(layer.annotations, payload, std::move(*sig));
  if (!material) {
    report.reason = material.error().message;
    return;
  }
  auto verified =
    verify_sigstore(*material, ArtifactDigest{crypto::HashAlgorithm::sha256, crypto::sha256(payload)}, ctx.request.sigstore);
  if (!verified) {
    report.reason = verified.error().message;
    return;
  }
  if (ctx.request.check_claims) {
    static const std::vector<TrustedKey> no_keys;
    const SimpleSigningCheck check{.payload = report.payload,
                                   .signature_b64 = signature_b64,
                                   .keys = no_keys,
                                   .expected_digest = ctx.image.digest()->str(),
                                   .annotations = ctx.request.annotations,
                                   .check_claims = true,
                                   .docker_repository = ctx.request.check_docker_reference
                                                          ? std::optional(ctx.image.name())
                                                          : std::nullopt};
    auto parsed = payload::parse_simple_signing(report.payload);
    if (!parsed) {
      report.reason = parsed.error().message;
      return;
    }
    if (auto problem = claim_problem(check, *parsed)) {
      report.reason = *problem;
      return;
    }
  }
  report.verified = true;
  report.reason = fmt::format("verified keyless: identity {}, issuer {}", verified->identity->subject,
                              verified->identity->issuer);
  report.keyless = std::move(*verified);
}

// One layer of the .sig manifest. Registry failures propagate; everything else is a reason.
Result<SignatureReport> check_layer(const Context& ctx, PayloadBudget& budget, const oci::Descriptor& layer,
                                    std::string source)
{
  SignatureReport report{std::move(source), SignatureFormat::legacy, false, {}, std::nullopt, {}, {}};
  const auto reject = [&](std::string reason) {
    report.reason = std::move(reason);
    return report;
  };
  if (layer.media_type != oci::media_type::cosign_simple_signing) {
    return reject(fmt::format("media type {} is not a simple-signing signature", layer.media_type));
  }
  const std::string sig_key(oci::annotation::cosign_signature);
  if (std::ranges::find(layer.non_string_annotations, sig_key) != layer.non_string_annotations.end()) {
    return reject("the signature annotation is not a string");
  }
  const auto sig_text = layer.annotations.find(sig_key);
  if (sig_text == layer.annotations.end() || sig_text->second.empty()) {
    return reject("no signature annotation");
  }
  if (layer.size < 0) {
    return reject(fmt::format("payload blob declares a negative size ({})", layer.size));
  }
  if (static_cast<std::uint64_t>(layer.size) > ctx.request.max_payload_bytes) {
    return reject(fmt::format("payload blob is {} bytes, over the limit of {}", layer.size, ctx.request.max_payload_bytes));
  }
  if (auto spent = budget.refuse(layer.size)) {
    return reject(std::move(*spent));
  }
  auto blob = ctx.client.get_blob(ctx.target, layer, ctx.request.max_payload_bytes);
  if (!blob) {
    if (blob.error().code == ErrorCode::bad_input) {
      return reject(blob.error().message);
    }
    return fail(blob.error());
  }
  report.payload = std::move(*blob);
  if (keyless_applies(ctx.request, layer)) {
    check_keyless_layer(ctx, layer, sig_text->second, report);
    budget.settle(report);
    return report;
  }
  const auto outcome = check_simple_signing(
    {.payload = report.payload,
     .signature_b64 = sig_text->second,
     .keys = ctx.request.keys,
     .expected_digest = ctx.image.digest()->str(),
     .annotations = ctx.request.annotations,
     .check_claims = ctx.request.check_claims,
     .docker_repository = ctx.request.check_docker_reference ? std::optional(ctx.image.name()) : std::nullopt});
  report.verified = outcome.verified;
  report.key_index = outcome.key_index;
  report.reason = outcome.reason;
  if (outcome.verified && !ctx.request.sigstore.identity.empty()) {
    report.reason += " (no certificate: the identity options did not apply)";
  }
  budget.settle(report); // a payload that did not verify is not held
  return report;
}

} // namespace

CheckOutcome check_simple_signing(const SimpleSigningCheck& c)
{
  CheckOutcome out;
  if (c.keys.empty()) {
    out.reason = "the signature has no certificate, so no identity can match: it was made with a key (pass --key)";
    return out;
  }
  auto sig = util::base64_decode(c.signature_b64);
  if (!sig) {
    out.reason = "the signature annotation is not base64";
    return out;
  }
  for (std::size_t k = 0; k < c.keys.size() && !out.key_index; ++k) {
    // verify_message also accepts SHA-256 for P-384/P-521 keys, as cosign 2.x and
    // containers/image sign them.
    if (crypto::verify_message(c.keys[k].key, util::as_bytes(c.payload), *sig)) {
      out.key_index = k;
    }
  }
  if (!out.key_index) {
    out.reason = fmt::format("signature does not verify with {}", c.keys.size() == 1 ? "the trusted key" : "any trusted key");
    return out;
  }
  if (c.check_claims) {
    auto parsed = payload::parse_simple_signing(c.payload);
    if (!parsed) {
      out.reason = parsed.error().message;
      return out;
    }
    if (auto problem = claim_problem(c, *parsed)) {
      out.reason = *problem;
      return out;
    }
  }
  out.verified = true;
  out.reason = fmt::format("verified with key {}", c.keys[*out.key_index].name);
  return out;
}

namespace {

// Signatures in the `.sig` tag. Returns false when there is no such tag.
Result<bool> collect_legacy(const Context& ctx, std::vector<SignatureReport>& out)
{
  SIGIL_TRY_ASSIGN(auto found, attachments::read_legacy_tag(ctx.client, ctx.target, *ctx.image.digest(),
                                                            attachments::TagKind::signatures));
  if (!found) {
    return false;
  }
  const auto whole = [&](std::string reason) {
    out.push_back(SignatureReport{found->tag, SignatureFormat::legacy, false, std::move(reason), std::nullopt, {}, {}});
    return true;
  };
  if (found->manifest.kind != oci::ManifestKind::image) {
    return whole("the signature tag points to an index, not a signature manifest");
  }
  if (found->unreadable) {
    return whole(fmt::format("invalid signature manifest: {}", found->unreadable->message));
  }
  if (found->candidates.size() > ctx.request.max_signatures) {
    return whole(fmt::format("{} signatures, more than the limit of {} (--max-signatures)", found->candidates.size(),
                             ctx.request.max_signatures));
  }
  PayloadBudget budget(ctx.request.max_payload_bytes);
  for (const auto& candidate : found->candidates) {
    SIGIL_TRY_ASSIGN(auto report, check_layer(ctx, budget, candidate.layer, candidate.where));
    out.push_back(std::move(report));
  }
  return true;
}

} // namespace

std::size_t VerifyImageResult::verified_count() const
{
  return static_cast<std::size_t>(std::ranges::count_if(signatures, [](const auto& s) { return s.verified; }));
}

Result<VerifyImageResult> verify_image(registry::Client& client, const VerifyImageRequest& request)
{
  if (request.keys.empty() && !request.sigstore.identity.complete()) {
    return fail(ErrorCode::usage, "no trusted key: pass --key PUBLIC_KEY, or --certificate-identity and "
                                  "--certificate-oidc-issuer for keyless signatures");
  }
  SIGIL_TRY_ASSIGN(const registry::Repository target, registry::target_repository(request.image, request.signature_repo));
  VerifyImageResult result{request.image, !request.image.digest().has_value(), {}};
  if (result.tag_given) {
    SIGIL_TRY_ASSIGN(auto resolved, client.resolve(request.image));
    result.image = request.image.with_digest(resolved.digest);
  }
  const Context ctx{client, request, result.image, target};
  SIGIL_TRY(collect_legacy(ctx, result.signatures));
  // A verified legacy signature settles it (unless every signature is to be reported);
  // otherwise look for Sigstore bundle referrers.
  if (result.verified_count() == 0 || request.every_format) {
    SIGIL_TRY(collect_bundle_referrers(
      {.client = client, .image = result.image, .target = target, .keys = request.keys,
       .annotations = request.annotations, .check_claims = request.check_claims,
       .predicate_type = std::string(intoto::k_cosign_sign_predicate_type), .skip_other_types = true,
       .max_entries = request.max_signatures,
       .max_blob_bytes = request.max_payload_bytes, .sigstore = &request.sigstore},
      result.signatures));
  }
  if (result.signatures.empty() && !result.tag_given) {
    // Tell "no signatures" from "no such image" (the digest was never resolved).
    SIGIL_TRY(client.resolve(result.image));
  }
  return result;
}

} // namespace sigil::verify
