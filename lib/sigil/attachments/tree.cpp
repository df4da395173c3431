#include "sigil/attachments/tree.hpp"

#include <array>

namespace sigil::attachments {

Result<ImageTree> collect_tree(registry::Client& client, const oci::Reference& image,
                                           const registry::Repository& attachments)
{
  auto manifest = client.get_manifest(image);
  if (!manifest) {
    return fail(manifest.error());
  }
  const oci::Digest digest = image.digest().value_or(manifest->digest);
  ImageTree tree{image.with_digest(digest), manifest->media_type, {}, {}, false, {}};
  if (manifest->kind == oci::ManifestKind::index) {
    auto index = oci::parse_index(manifest->bytes);
    if (!index) {
      return fail(index.error());
    }
    tree.platforms = std::move(index->manifests);
  }
  constexpr std::array<std::pair<std::string_view, std::string_view>, 3> k_kinds{
    {{"signatures", "sig"}, {"attestations", "att"}, {"sboms", "sbom"}}};
  for (const auto& [kind, suffix] : k_kinds) {
    const std::string tag = oci::signature_tag(digest, suffix);
    auto found = client.find_manifest(attachments, tag);
    if (!found) {
      return fail(found.error());
    }
    if (!*found) {
      continue;
    }
    auto parsed = oci::parse_manifest((*found)->bytes);
    if (!parsed) {
      return fail(parsed.error().context(tag));
    }
    tree.tags.push_back(AttachedTag{std::string(kind), tag, std::move(parsed->layers)});
  }
  auto refs = client.referrers(attachments, digest);
  if (!refs) {
    return fail(refs.error());
  }
  tree.referrers = std::move(refs->index.manifests);
  tree.referrers_api = refs->api;
  return tree;
}

} // namespace sigil::attachments
