// sigil::attachments pushing an OCI 1.1 referrer: its blobs, then its manifest (by digest),
// then, on a registry without the referrers API, the image's `sha256-<hex>` fallback index
// through the attach writer (read-merge-write with its settle, so that concurrent pushers
// keep each other's entries). The referrer's artifactType and annotations are carried up
// into its index entry (cosign#4641).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/manifest.hpp"
#include "sigil/registry/client.hpp"

#include <string_view>
#include <utility>
#include <vector>

namespace sigil::attachments {

struct ReferrerPushRequest {
  registry::Repository repo;
  oci::Digest subject;           // the image the referrer is about (its manifest's subject)
  const oci::Manifest& manifest; // serialised here; its digest is the referrer's
  // (digest, bytes) of each blob the manifest names, uploaded before the manifest.
  std::vector<std::pair<oci::Digest, std::string_view>> blobs;
};

// After a referrer's manifest is in `repo`: nothing more when the registry has the referrers
// API (it indexes the subject itself), else `entry` (the referrer's descriptor, with its
// artifactType and annotations) merged into the subject's `sha256-<hex>` fallback index.
// Returns true when the registry has the API.
[[nodiscard]] Result<bool> link_referrer(registry::Client& client, const registry::Repository& repo,
                                         const oci::Digest& subject, const oci::Descriptor& entry);

// Returns the referrer manifest's digest.
[[nodiscard]] Result<oci::Digest> push_referrer(registry::Client& client, const ReferrerPushRequest& request);

} // namespace sigil::attachments
