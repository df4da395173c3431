#include "sigil/sign/attest.hpp"

#include "sigil/attachments/attach.hpp"
#include "sigil/attachments/manifest.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/registry/signature_repository.hpp"
#include "sigil/sign/keyless_output.hpp"
#include "sigil/sign/referrer.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/time.hpp"
#include "sigil/util/stream.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>

namespace sigil::sign {

namespace {

// cosign's legacy .att layer. Keyless, the envelope (the layer's bytes) is logged as a dsse
// entry and timestamped, and both verified, before the layer is uploaded or attached; the layer
// then carries cosign's keyless annotations, as a .sig layer does.
Result<std::optional<KeylessMaterial>> push_legacy(registry::Client& client, const registry::Repository& target,
                                                   const oci::Digest& digest, const Signer& signer,
                                                   const std::string& statement, const std::string& predicate_type)
{
  SIGIL_TRY_ASSIGN(const crypto::PrivateKey* key, signer.key());
  SIGIL_TRY_ASSIGN(auto envelope, dsse::sign(*key, intoto::k_payload_type, util::as_bytes(statement)));
  const std::string layer_bytes = dsse::serialize(envelope);
  const auto payload_sha256 = crypto::sha256(util::as_bytes(statement));
  SIGIL_TRY_ASSIGN(auto material, signer.witness({.signature = envelope.signatures.front().sig,
                                                  .artifact_sha256 = payload_sha256,
                                                  .dsse_envelope = layer_bytes,
                                                  .timestamped = util::as_bytes(layer_bytes)}));
  // cosign writes the predicate type and an empty signature annotation on .att layers.
  std::map<std::string, std::string> annotations{{std::string(oci::annotation::predicate_type), predicate_type},
                                                 {std::string(oci::annotation::cosign_signature), ""}};
  if (material) {
    add_cosign_keyless_annotations(annotations, *material);
  }
  const auto layer = attachments::make_layer(oci::media_type::dsse_envelope, util::as_bytes(layer_bytes), annotations);
  SIGIL_TRY(client.put_blob(target, layer.digest, util::as_bytes(layer_bytes)));
  SIGIL_TRY(
    attachments::attach_layer(client, {.repo = target, .tag = oci::signature_tag(digest, "att"), .layer = layer}));
  return material;
}

} // namespace

Result<std::string> build_attestation_statement(const PredicateInput& p, const std::vector<intoto::Subject>& subjects)
{
  SIGIL_TRY_ASSIGN(auto uri, intoto::predicate_type_uri(p.type));
  std::string predicate = p.content;
  if (uri == intoto::k_custom_predicate_type) {
    predicate = intoto::custom_predicate(p.content, util::now_rfc3339_utc());
  }
  auto statement = intoto::build_statement({.type = p.statement_type.empty() ? std::string(intoto::k_statement_v1)
                                                                             : p.statement_type,
                                            .subjects = subjects,
                                            .predicate_type = uri,
                                            .predicate_json = predicate});
  if (!statement) {
    return fail(Error{ErrorCode::bad_input, statement.error().message}.context("invalid predicate"));
  }
  return statement;
}

Result<AttestImageResult> attest_image(registry::Client& client, const AttestImageRequest& r)
{
  if (r.format != Format::bundle && !r.signer.gives_signed_entry_timestamp()) {
    return fail(ErrorCode::usage, std::string(k_legacy_needs_set));
  }
  SIGIL_TRY_ASSIGN(const registry::Repository target, registry::target_repository(r.image, r.signature_repo));
  SIGIL_TRY_ASSIGN(auto resolved, client.resolve(r.image));
  AttestImageResult result{r.image.with_digest(resolved.digest), !r.image.digest().has_value(), {}, std::nullopt,
                          std::nullopt};
  const auto& digest = *result.image.digest();
  intoto::Subject subject;
  subject.name = result.image.name();
  subject.digest[std::string(oci::algorithm_name(digest.algorithm))] = digest.hex;
  SIGIL_TRY_ASSIGN(auto statement, build_attestation_statement(r.predicate, {subject}));
  result.statement = std::move(statement);
  auto uri = intoto::predicate_type_uri(r.predicate.type);
  if (r.format == Format::legacy || r.format == Format::both) {
    auto material = push_legacy(client, target, digest, r.signer, result.statement, *uri);
    if (!material) {
      return fail(material.error().context(fmt::format("attesting {}", result.image.str())));
    }
    result.keyless = std::move(*material);
  }
  if (r.format == Format::bundle || r.format == Format::both) {
    auto signed_bundle = dsse_bundle(r.signer, result.statement);
    if (!signed_bundle) {
      return fail(signed_bundle.error().context(fmt::format("attesting {}", result.image.str())));
    }
    auto referrer = push_bundle_referrer(client, {.image = result.image,
                                                  .subject = resolved,
                                                  .target = target,
                                                  .bundle_json = signed_bundle->bundle_json,
                                                  .predicate_type = *uri});
    if (!referrer) {
      return fail(referrer.error().context(fmt::format("attesting {}", result.image.str())));
    }
    result.referrer = *referrer;
    if (!result.keyless) {
      result.keyless = std::move(signed_bundle->keyless);
    }
  }
  return result;
}

Result<AttestBlobResult> attest_blob(const AttestBlobRequest& r)
{
  crypto::Hasher hasher(crypto::HashAlgorithm::sha256);
  SIGIL_TRY(util::stream_input(r.input, [&](util::ByteView chunk) { hasher.update(chunk); }));
  intoto::Subject subject;
  subject.name = !r.subject_name.empty()                ? r.subject_name
                 : r.input == "-"                       ? std::string("stdin")
                                                        : std::filesystem::path(r.input).filename().string();
  subject.digest["sha256"] = util::hex_encode(hasher.finish());
  SIGIL_TRY_ASSIGN(auto statement, build_attestation_statement(r.predicate, {subject}));
  SIGIL_TRY_ASSIGN(auto signed_bundle, dsse_bundle(r.signer, statement));
  return AttestBlobResult{std::move(statement), std::move(signed_bundle.bundle_json), std::move(signed_bundle.keyless)};
}

} // namespace sigil::sign
