// sigil::attachments supply-chain tree: what is attached to an image — cosign's .sig/.att/.sbom
// tags and OCI referrers (API or fallback tag).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sigil::attachments {

struct AttachedTag {
  std::string kind; // "signatures", "attestations", "sboms"
  std::string tag;  // sha256-<hex>.sig
  std::vector<oci::Descriptor> layers;
};

struct ImageTree {
  oci::Reference image;          // by digest
  std::string media_type;
  std::vector<AttachedTag> tags; // only those that exist
  std::vector<oci::Descriptor> referrers;
  bool referrers_api = false;
  std::vector<oci::Descriptor> platforms; // child manifests when the image is an index
};

[[nodiscard]] Result<ImageTree> collect_tree(registry::Client& client, const oci::Reference& image,
                                           const registry::Repository& attachments);

} // namespace sigil::attachments
