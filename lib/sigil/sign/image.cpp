#include "sigil/sign/image.hpp"

#include "sigil/crypto/signature.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/payload/simple_signing.hpp"
#include "sigil/sign/referrer.hpp"
#include "sigil/signature/attach.hpp"
#include "sigil/signature/manifest.hpp"
#include "sigil/util/encoding.hpp"

#include <fmt/format.h>

namespace sigil::sign {

namespace {

// cosign's dedupe: an existing layer with the same payload whose signature verifies with
// our key makes a new one redundant (ECDSA signatures differ on every run).
std::function<bool(const oci::Descriptor&)> duplicate_of(const oci::Descriptor& ours, const crypto::PublicKey& key,
                                                         const std::string& payload)
{
  return [&ours, key, payload](const oci::Descriptor& existing) {
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
  };
}

Result<SignedDigest> sign_legacy(registry::Client& client, const SignImageRequest& r, const oci::Reference& by_digest,
                                 const registry::Repository& target)
{
  SignedDigest out{by_digest, {}, {}, false, std::nullopt};
  out.payload = payload::build_simple_signing(by_digest.name(), by_digest.digest()->str(), r.annotations);
  // The payload blob needs no key: uploading it first overlaps the connection, the token and
  // the upload with the key's decryption. If the key then fails, an unreferenced blob is all
  // that was written (no tag, no manifest; registries collect such blobs).
  if (r.upload) {
    const auto blob = signature::make_layer(oci::media_type::cosign_simple_signing, util::as_bytes(out.payload), {});
    if (auto ok = client.put_blob(target, blob.digest, util::as_bytes(out.payload)); !ok) {
      return fail(ok.error());
    }
  }
  auto key = r.key.get();
  if (!key) {
    return fail(key.error());
  }
  const crypto::PrivateKey& private_key = **key;
  auto sig = crypto::sign_message(private_key, util::as_bytes(out.payload), crypto::oci_signing_hash(private_key.algorithm()));
  if (!sig) {
    return fail(sig.error());
  }
  out.signature = std::move(*sig);
  if (!r.upload) {
    return out;
  }
  const auto layer = signature::make_layer(oci::media_type::cosign_simple_signing, util::as_bytes(out.payload),
                                           {{std::string(oci::annotation::cosign_signature), util::base64_encode(out.signature)}});
  const auto pub = private_key.public_key();
  auto attached = signature::attach_layer(
    client, {.repo = target, .tag = oci::signature_tag(*by_digest.digest(), "sig"), .layer = layer,
             .is_duplicate = duplicate_of(layer, pub, out.payload)});
  if (!attached) {
    return fail(attached.error());
  }
  out.already_signed = attached->already_present;
  return out;
}

Result<std::vector<oci::Reference>> digests_to_sign(registry::Client& client, const SignImageRequest& r,
                                                    const oci::Reference& by_digest)
{
  std::vector<oci::Reference> out{by_digest};
  if (!r.recursive) {
    return out;
  }
  auto manifest = client.get_manifest(by_digest);
  if (!manifest) {
    return fail(manifest.error());
  }
  if (manifest->kind != oci::ManifestKind::index) {
    return out;
  }
  auto index = oci::parse_index(manifest->bytes);
  if (!index) {
    return fail(index.error());
  }
  for (const auto& child : index->manifests) {
    out.push_back(by_digest.with_digest(child.digest));
  }
  return out;
}

} // namespace

Result<SignImageResult> sign_image(registry::Client& client, const SignImageRequest& r)
{
  SignImageResult result;
  result.tag_given = !r.image.digest().has_value();
  // By digest, a legacy signature needs nothing from the registry about the image (cosign
  // signs an unknown digest too); recursion and referrer subjects need the manifest.
  std::optional<registry::ResolvedDescriptor> resolved;
  if (result.tag_given || r.recursive || r.format != Format::legacy) {
    auto found = client.resolve(r.image);
    if (!found) {
      return fail(found.error());
    }
    resolved = std::move(*found);
  }
  const oci::Reference by_digest = resolved ? r.image.with_digest(resolved->digest) : r.image;
  const registry::Repository target = r.signature_repo.value_or(registry::Repository::of(r.image));
  auto targets = digests_to_sign(client, r, by_digest);
  if (!targets) {
    return fail(targets.error());
  }
  for (const auto& image : *targets) {
    SignedDigest done{image, {}, {}, false, std::nullopt};
    if (r.format == Format::legacy || r.format == Format::both) {
      auto legacy = sign_legacy(client, r, image, target);
      if (!legacy) {
        return fail(legacy.error().context(fmt::format("signing {}", image.str())));
      }
      done = std::move(*legacy);
    }
    if (r.format == Format::bundle || r.format == Format::both) {
      const auto descriptor = image.digest() == by_digest.digest() ? resolved : std::nullopt;
      auto key = r.key.get();
      if (!key) {
        return fail(key.error());
      }
      auto referrer = push_signature_bundle(client, {.image = image, .subject = descriptor, .target = target,
                                                     .key = **key, .annotations = r.annotations, .upload = r.upload});
      if (!referrer) {
        return fail(referrer.error().context(fmt::format("signing {}", image.str())));
      }
      done.referrer = referrer->manifest_digest;
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
