#include "sigil/attachments/tree.hpp"

#include "sigil/attachments/reader.hpp"

#include <array>

namespace sigil::attachments {

Result<ImageTree> collect_tree(registry::Client& client, const oci::Reference& image,
                               const registry::Repository& attachments)
{
  SIGIL_TRY_ASSIGN(const auto manifest, client.get_manifest(image));
  const oci::Digest digest = image.digest().value_or(manifest.digest);
  ImageTree tree{image.with_digest(digest), manifest.media_type, {}, {}, false, {}};
  if (manifest.kind == oci::ManifestKind::index) {
    SIGIL_TRY_ASSIGN(auto index, oci::parse_index(manifest.bytes));
    tree.platforms = std::move(index.manifests);
  }
  constexpr std::array k_kinds{TagKind::signatures, TagKind::attestations, TagKind::sboms};
  for (const auto kind : k_kinds) {
    SIGIL_TRY_ASSIGN(auto found, read_legacy_tag(client, attachments, digest, kind));
    if (!found) {
      continue;
    }
    if (found->unreadable) {
      return fail(found->unreadable->context(found->tag));
    }
    std::vector<oci::Descriptor> layers;
    for (auto& candidate : found->candidates) {
      layers.push_back(std::move(candidate.layer));
    }
    tree.tags.push_back(AttachedTag{std::string(tag_kind_name(kind)), std::move(found->tag), std::move(layers)});
  }
  SIGIL_TRY_ASSIGN(auto listing, read_referrers(client, attachments, digest));
  tree.referrers = std::move(listing.manifests);
  tree.referrers_api = listing.source == Source::referrers_api;
  return tree;
}

} // namespace sigil::attachments
