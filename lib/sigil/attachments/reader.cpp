#include "sigil/attachments/reader.hpp"

#include "sigil/oci/reference.hpp"

#include <fmt/format.h>

namespace sigil::attachments {

std::string_view tag_suffix(TagKind kind)
{
  switch (kind) {
  case TagKind::signatures: return "sig";
  case TagKind::attestations: return "att";
  case TagKind::sboms: return "sbom";
  }
  return "sig";
}

std::string_view tag_kind_name(TagKind kind)
{
  switch (kind) {
  case TagKind::signatures: return "signatures";
  case TagKind::attestations: return "attestations";
  case TagKind::sboms: return "sboms";
  }
  return "signatures";
}

Result<std::optional<LegacyTag>> read_legacy_tag(registry::Client& client, const registry::Repository& repo,
                                                 const oci::Digest& image, TagKind kind)
{
  LegacyTag out{.tag = oci::signature_tag(image, tag_suffix(kind)), .manifest = {}, .unreadable = {}, .candidates = {}};
  SIGIL_TRY_ASSIGN(auto found, client.find_manifest(repo, out.tag));
  if (!found) {
    return std::optional<LegacyTag>{};
  }
  out.manifest = std::move(*found);
  auto parsed = registry::image_manifest(out.manifest);
  if (!parsed) {
    out.unreadable = parsed.error();
    return std::optional(std::move(out));
  }
  for (std::size_t i = 0; i < parsed->layers.size(); ++i) {
    out.candidates.push_back(Candidate{.source = Source::tag,
                                       .where = fmt::format("{} layer {}", out.tag, i + 1),
                                       .manifest = out.manifest.digest,
                                       .layer = std::move(parsed->layers[i]),
                                       .manifest_annotations = parsed->annotations});
  }
  return std::optional(std::move(out));
}

Result<ReferrerListing> read_referrers(registry::Client& client, const registry::Repository& repo,
                                       const oci::Digest& image)
{
  SIGIL_TRY_ASSIGN(auto refs, client.referrers(repo, image));
  return ReferrerListing{.manifests = std::move(refs.index.manifests),
                         .source = refs.api ? Source::referrers_api : Source::referrers_fallback};
}

std::optional<oci::Descriptor> bundle_layer(const registry::FetchedManifest& found)
{
  if (found.kind != oci::ManifestKind::image) {
    return std::nullopt;
  }
  auto m = registry::image_manifest(found);
  if (m && m->layers.size() == 1 && m->layers[0].media_type.starts_with(k_bundle_media_type_prefix)) {
    return m->layers[0];
  }
  return std::nullopt;
}

namespace {

// The bundle candidate of one listed referrer, or nullopt when it is gone or no bundle referrer.
Result<std::optional<Candidate>> bundle_candidate(registry::Client& client, const registry::Repository& repo,
                                                  const oci::Descriptor& referrer, Source source)
{
  SIGIL_TRY_ASSIGN(auto found, client.find_manifest(repo, referrer.digest.str()));
  if (!found || found->kind != oci::ManifestKind::image) {
    return std::optional<Candidate>{};
  }
  auto manifest = registry::image_manifest(*found);
  if (!manifest || manifest->layers.size() != 1 ||
      !manifest->layers[0].media_type.starts_with(k_bundle_media_type_prefix)) {
    return std::optional<Candidate>{};
  }
  return std::optional(Candidate{.source = source,
                                 .where = fmt::format("referrer {}", referrer.digest.str()),
                                 .manifest = referrer.digest,
                                 .layer = std::move(manifest->layers[0]),
                                 .manifest_annotations = std::move(manifest->annotations)});
}

} // namespace

Result<std::vector<Candidate>> read_bundle_referrers(registry::Client& client, const registry::Repository& repo,
                                                     const oci::Digest& image, const ReferrerLimits& limits)
{
  SIGIL_TRY_ASSIGN(auto listing, read_referrers(client, repo, image));
  std::vector<Candidate> out;
  for (const auto& referrer : listing.manifests) {
    SIGIL_TRY_ASSIGN(auto candidate, bundle_candidate(client, repo, referrer, listing.source));
    if (!candidate || (limits.keep && !limits.keep(*candidate))) {
      continue;
    }
    out.push_back(std::move(*candidate));
    if (out.size() > limits.max_candidates) {
      break;
    }
  }
  return out;
}

} // namespace sigil::attachments
