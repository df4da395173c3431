#include "sigil/sign/image.hpp"

#include "sigil/attachments/attach.hpp"
#include "sigil/attachments/manifest.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/payload/simple_signing.hpp"
#include "sigil/registry/signature_repository.hpp"
#include "sigil/sign/keyless_output.hpp"
#include "sigil/sign/referrer.hpp"
#include "sigil/util/encoding.hpp"

#include <fmt/format.h>

#include <future>

namespace sigil::sign {

namespace {

// cosign's dedupe: an existing layer with the same payload whose signature verifies with
// our key makes a new one redundant (ECDSA signatures differ on every run).
bool duplicates(const oci::Descriptor& existing, const oci::Descriptor& ours, const crypto::PublicKey& key,
                const std::string& payload)
{
  if (!(existing.digest == ours.digest) || existing.media_type != ours.media_type) {
    return false;
  }
  for (const auto& [k, v] : ours.annotations) {
    if (k != oci::annotation::cosign_signature && (!existing.annotations.contains(k) || existing.annotations.at(k) != v)) {
      return false;
    }
  }
  const auto it = existing.annotations.find(std::string(oci::annotation::cosign_signature));
  if (it == existing.annotations.end()) {
    return false;
  }
  auto sig = util::base64_decode(it->second);
  return sig && crypto::verify_message(key, util::as_bytes(payload), *sig);
}

struct PayloadSigned {
  util::Bytes signature;
  crypto::PublicKey pub;
  std::optional<KeylessMaterial> keyless;
};

// The signature over the payload and, keyless, its verified log entry (and timestamp).
Result<PayloadSigned> sign_and_log(const Signer& signer, const std::string& payload, bool log)
{
  SIGIL_TRY_ASSIGN(auto key, signer.key());
  SIGIL_TRY_ASSIGN(auto sig,
                   crypto::sign_message(*key, util::as_bytes(payload), crypto::oci_signing_hash(key->algorithm())));
  PayloadSigned out{std::move(sig), key->public_key(), std::nullopt};
  if (log) {
    const auto payload_digest = crypto::sha256(util::as_bytes(payload));
    SIGIL_TRY_ASSIGN(
        out.keyless,
        signer.witness({.signature = out.signature, .artifact_sha256 = payload_digest, .dsse_envelope = {}}));
  }
  return out;
}

Result<SignedDigest> sign_legacy(registry::Client& client, const SignImageRequest& r, const oci::Reference& by_digest,
                                 const registry::Repository& target)
{
  SignedDigest out{by_digest, {}, {}, false, std::nullopt, std::nullopt};
  out.payload = payload::build_simple_signing(by_digest.name(), by_digest.digest()->str(), r.annotations);
  if (!r.upload) {
    SIGIL_TRY_ASSIGN(auto s, sign_and_log(r.signer, out.payload, false));
    out.signature = std::move(s.signature);
    return out;
  }
  // Everything that needs no key comes first, so that it overlaps the key's decryption (or
  // Fulcio's certificate) on the CLI's other thread: connection and token, the payload blob.
  // Once the registry took that blob, signing and, keyless, logging the signature in Rekor run
  // on a thread of their own while the first read of the .sig manifest and the config blob go
  // on (attach_layer calls complete_layer after those, which waits for them). If the key or the
  // log entry then fails, unreferenced blobs are all that was written (no tag, no manifest).
  const auto media_type = oci::media_type::cosign_simple_signing;
  const auto blob = attachments::make_layer(media_type, util::as_bytes(out.payload), {});
  SIGIL_TRY(client.put_blob(target, blob.digest, util::as_bytes(out.payload)));
  auto signing = std::async(
      std::launch::async, [&signer = r.signer, &payload = out.payload] { return sign_and_log(signer, payload, true); });
  std::optional<crypto::PublicKey> pub; // set (on this thread) once complete_layer has the signature
  oci::Descriptor layer = blob;
  SIGIL_TRY_ASSIGN(auto attached, attachments::attach_layer(
                                      client, {.repo = target,
                                               .tag = oci::signature_tag(*by_digest.digest(), "sig"),
                                               .layer = blob,
                                               .is_duplicate =
                                                   [&](const oci::Descriptor& existing) {
                                                     return pub && duplicates(existing, layer, *pub, out.payload);
                                                   },
                                               .complete_layer = [&]() -> Result<oci::Descriptor> {
                                                 SIGIL_TRY_ASSIGN(auto s, signing.get());
                                                 out.signature = std::move(s.signature);
                                                 pub = std::move(s.pub);
                                                 layer.annotations[std::string(oci::annotation::cosign_signature)] =
                                                     util::base64_encode(out.signature);
                                                 // Logged (and verified) before the manifest that references it is
                                                 // written.
                                                 if (s.keyless) {
                                                   add_cosign_keyless_annotations(layer.annotations, *s.keyless);
                                                   out.keyless = std::move(s.keyless);
                                                 }
                                                 return layer;
                                               }}));
  out.already_signed = attached.already_present;
  return out;
}

Result<std::vector<oci::Reference>> digests_to_sign(registry::Client& client, const SignImageRequest& r,
                                                    const oci::Reference& by_digest)
{
  std::vector<oci::Reference> out{by_digest};
  if (!r.recursive) {
    return out;
  }
  SIGIL_TRY_ASSIGN(auto manifest, client.get_manifest(by_digest));
  if (manifest.kind != oci::ManifestKind::index) {
    return out;
  }
  SIGIL_TRY_ASSIGN(auto index, oci::parse_index(manifest.bytes));
  for (const auto& child : index.manifests) {
    out.push_back(by_digest.with_digest(child.digest));
  }
  return out;
}

} // namespace

Result<SignImageResult> sign_image(registry::Client& client, const SignImageRequest& r)
{
  if (r.format != Format::bundle && !r.signer.gives_signed_entry_timestamp()) {
    return fail(ErrorCode::usage, std::string(k_legacy_needs_set));
  }
  SIGIL_TRY_ASSIGN(const registry::Repository target, registry::target_repository(r.image, r.signature_repo));
  SignImageResult result;
  result.tag_given = !r.image.digest().has_value();
  // By digest, a legacy signature needs nothing from the registry about the image (cosign
  // signs an unknown digest too); recursion and referrer subjects need the manifest.
  std::optional<registry::ResolvedDescriptor> resolved;
  if (result.tag_given || r.recursive || r.format != Format::legacy) {
    SIGIL_TRY_ASSIGN(auto found, client.resolve(r.image));
    resolved = std::move(found);
  }
  const oci::Reference by_digest = resolved ? r.image.with_digest(resolved->digest) : r.image;
  SIGIL_TRY_ASSIGN(auto targets, digests_to_sign(client, r, by_digest));
  for (const auto& image : targets) {
    SignedDigest done{image, {}, {}, false, std::nullopt, std::nullopt};
    if (r.format == Format::legacy || r.format == Format::both) {
      auto legacy = sign_legacy(client, r, image, target);
      if (!legacy) {
        return fail(legacy.error().context(fmt::format("signing {}", image.str())));
      }
      done = std::move(*legacy);
    }
    if (r.format == Format::bundle || r.format == Format::both) {
      const auto descriptor = image.digest() == by_digest.digest() ? resolved : std::nullopt;
      auto referrer = push_signature_bundle(client, {.image = image, .subject = descriptor, .target = target,
                                                     .signer = r.signer, .annotations = r.annotations,
                                                     .upload = r.upload});
      if (!referrer) {
        return fail(referrer.error().context(fmt::format("signing {}", image.str())));
      }
      done.referrer = referrer->manifest_digest;
      if (!done.keyless) {
        done.keyless = std::move(referrer->keyless);
      }
      if (r.format == Format::bundle) {
        done.payload = std::move(referrer->statement);
        done.signature = std::move(referrer->signature);
      }
    }
    result.signed_digests.push_back(std::move(done));
  }
  return result;
}

} // namespace sigil::sign
