#include "sigil/signature/download.hpp"

#include "sigil/oci/media_types.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

namespace sigil::signature {

namespace {

constexpr std::uint64_t k_max_blob = std::uint64_t{1} << 20;
constexpr std::string_view k_bundle_prefix = "application/vnd.dev.sigstore.bundle";

std::string annotation_or_empty(const oci::Descriptor& d, std::string_view key)
{
  const auto it = d.annotations.find(std::string(key));
  return it == d.annotations.end() ? std::string{} : it->second;
}

Result<void> download_tag(registry::Client& client, const registry::Repository& target, const std::string& tag,
                          std::size_t max_entries, std::vector<std::string>& out)
{
  auto found = client.find_manifest(target, tag);
  if (!found) {
    return fail(found.error());
  }
  if (!*found) {
    return {};
  }
  auto manifest = oci::parse_manifest((*found)->bytes);
  if (!manifest) {
    return fail(manifest.error().context(tag));
  }
  for (const auto& layer : manifest->layers) {
    if (out.size() >= max_entries) {
      return fail(ErrorCode::registry, fmt::format("{} holds more than {} entries", tag, max_entries));
    }
    auto blob = client.get_blob(target, layer, k_max_blob);
    if (!blob) {
      return fail(blob.error());
    }
    util::OrderedJson j;
    j["Base64Signature"] = annotation_or_empty(layer, oci::annotation::cosign_signature);
    j["Payload"] = util::base64_encode(util::as_bytes(*blob));
    j["Cert"] = annotation_or_empty(layer, oci::annotation::cosign_certificate);
    j["Chain"] = annotation_or_empty(layer, oci::annotation::cosign_chain);
    j["Bundle"] = nullptr;
    if (auto rekor = util::parse_json(annotation_or_empty(layer, oci::annotation::cosign_bundle)); rekor) {
      j["Bundle"] = *rekor;
    }
    j["RFC3161Timestamp"] = nullptr;
    out.push_back(util::dump_json(j));
  }
  return {};
}

// Bundle referrers: (referrer manifest digest, its bundle layer) pairs.
Result<std::vector<std::pair<oci::Digest, oci::Descriptor>>> bundle_referrers(registry::Client& client,
                                                                              const oci::Reference& image,
                                                                              const registry::Repository& target)
{
  std::vector<std::pair<oci::Digest, oci::Descriptor>> out;
  auto refs = client.referrers(target, *image.digest());
  if (!refs) {
    return fail(refs.error());
  }
  for (const auto& r : refs->index.manifests) {
    auto found = client.find_manifest(target, r.digest.str());
    if (!found) {
      return fail(found.error());
    }
    if (!*found || (*found)->kind != oci::ManifestKind::image) {
      continue;
    }
    auto m = oci::parse_manifest((*found)->bytes);
    if (m && m->layers.size() == 1 && m->layers[0].media_type.starts_with(k_bundle_prefix)) {
      out.emplace_back(r.digest, m->layers[0]);
    }
  }
  return out;
}

} // namespace

Result<std::vector<std::string>> download(registry::Client& client, const oci::Reference& image,
                                          const registry::Repository& target, AttachmentKind kind,
                                          std::size_t max_entries)
{
  std::vector<std::string> out;
  const auto suffix = kind == AttachmentKind::signature ? "sig" : "att";
  if (auto ok = download_tag(client, target, oci::signature_tag(*image.digest(), suffix), max_entries, out); !ok) {
    return fail(ok.error());
  }
  auto bundles = bundle_referrers(client, image, target);
  if (!bundles) {
    return fail(bundles.error());
  }
  for (const auto& [digest, layer] : *bundles) {
    if (out.size() >= max_entries) {
      return fail(ErrorCode::registry, fmt::format("more than {} attachments", max_entries));
    }
    auto blob = client.get_blob(target, layer, k_max_blob);
    if (!blob) {
      return fail(blob.error());
    }
    auto doc = util::parse_json(*blob);
    out.push_back(doc ? util::dump_json(*doc) : *blob);
  }
  return out;
}

Result<CleanResult> clean(registry::Client& client, const oci::Reference& image, const registry::Repository& target,
                          CleanScope scope)
{
  CleanResult result;
  std::vector<std::string> tags;
  if (scope == CleanScope::signatures || scope == CleanScope::all) {
    tags.push_back(oci::signature_tag(*image.digest(), "sig"));
  }
  if (scope == CleanScope::attestations || scope == CleanScope::all) {
    tags.push_back(oci::signature_tag(*image.digest(), "att"));
  }
  if (scope == CleanScope::referrers || scope == CleanScope::all) {
    auto bundles = bundle_referrers(client, image, target);
    if (!bundles) {
      return fail(bundles.error());
    }
    for (const auto& [digest, layer] : *bundles) {
      if (auto ok = client.delete_manifest(target, digest); !ok && ok.error().code != ErrorCode::not_found) {
        return fail(ok.error());
      }
      result.deleted.push_back(fmt::format("{}@{}", target.name(), digest.str()));
    }
    tags.push_back(oci::signature_tag(*image.digest(), ""));
  }
  for (const auto& tag : tags) {
    auto found = client.find_manifest(target, tag);
    if (!found) {
      return fail(found.error());
    }
    if (!*found) {
      continue;
    }
    if (auto ok = client.delete_manifest(target, (*found)->digest); !ok && ok.error().code != ErrorCode::not_found) {
      return fail(ok.error());
    }
    result.deleted.push_back(fmt::format("{}:{}", target.name(), tag));
  }
  return result;
}

} // namespace sigil::signature
