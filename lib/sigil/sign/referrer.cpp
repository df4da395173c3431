#include "sigil/sign/referrer.hpp"

#include "sigil/attachments/referrer_push.hpp"
#include "sigil/bundle/bundle.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/sign/keyless_output.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <chrono>

namespace sigil::sign {

namespace {

constexpr std::string_view k_empty_config = "{}";

oci::Manifest referrer_manifest(const ReferrerPush& p, const registry::ResolvedDescriptor& subject)
{
  const std::string bundle_type(oci::media_type::sigstore_bundle_v03);
  oci::Manifest m;
  m.media_type = std::string(oci::media_type::oci_manifest);
  m.artifact_type = bundle_type;
  m.config = oci::Descriptor{std::string(oci::media_type::oci_empty), oci::sha256_digest(k_empty_config), 2, {}, {}, bundle_type,
                             std::nullopt};
  m.layers.push_back(oci::Descriptor{bundle_type, oci::sha256_digest(p.bundle_json),
                                     static_cast<std::int64_t>(p.bundle_json.size()), {}, {}, std::nullopt,
                                     std::nullopt});
  m.subject = oci::Descriptor{subject.media_type, subject.digest, subject.size, {}, {}, std::nullopt, std::nullopt};
  m.annotations = {{std::string(oci::annotation::created), util::now_rfc3339_utc()},
                   {std::string(oci::annotation::bundle_content), "dsse-envelope"},
                   {std::string(oci::annotation::bundle_predicate_type), p.predicate_type}};
  return m;
}

} // namespace

Result<oci::Digest> push_bundle_referrer(registry::Client& client, const ReferrerPush& p)
{
  registry::ResolvedDescriptor subject;
  if (p.subject) {
    subject = *p.subject;
  } else {
    SIGIL_TRY_ASSIGN(auto resolved, client.resolve(p.image));
    subject = resolved;
  }
  const oci::Manifest m = referrer_manifest(p, subject);
  return attachments::push_referrer(client, {.repo = p.target,
                                             .subject = subject.digest,
                                             .manifest = m,
                                             .blobs = {{m.config.digest, std::string_view(k_empty_config)},
                                                       {m.layers.front().digest, std::string_view(p.bundle_json)}}});
}

Result<DsseBundle> dsse_bundle(const Signer& signer, std::string_view statement)
{
  SIGIL_TRY_ASSIGN(const crypto::PrivateKey* key, signer.key());
  SIGIL_TRY_ASSIGN(auto envelope, dsse::sign(*key, intoto::k_payload_type, util::as_bytes(statement)));
  DsseBundle out;
  out.signature = envelope.signatures.front().sig;
  const std::string logged = dsse::serialize(envelope);
  const auto payload_sha256 = crypto::sha256(util::as_bytes(statement));
  SIGIL_TRY_ASSIGN(out.keyless, signer.witness({.signature = out.signature,
                                                .artifact_sha256 = payload_sha256,
                                                .dsse_envelope = logged,
                                                .timestamped = {}}));
  bundle::Bundle b;
  add_bundle_material(b, key->public_key(), out.keyless);
  b.content = std::move(envelope);
  out.bundle_json = bundle::write_bundle(b);
  return out;
}

Result<SignatureBundle> push_signature_bundle(registry::Client& client, const SignatureBundleRequest& r)
{
  SignatureBundle out;
  out.statement = intoto::cosign_sign_statement(*r.image.digest(), r.annotations);
  SIGIL_TRY_ASSIGN(auto signed_bundle, dsse_bundle(r.signer, out.statement));
  out.bundle_json = std::move(signed_bundle.bundle_json);
  out.signature = std::move(signed_bundle.signature);
  out.keyless = std::move(signed_bundle.keyless);
  if (!r.upload) {
    return out;
  }
  SIGIL_TRY_ASSIGN(auto digest,
                   push_bundle_referrer(client, {.image = r.image,
                                                 .subject = r.subject,
                                                 .target = r.target,
                                                 .bundle_json = out.bundle_json,
                                                 .predicate_type = std::string(intoto::k_cosign_sign_predicate_type)}));
  out.manifest_digest = digest;
  return out;
}

} // namespace sigil::sign
