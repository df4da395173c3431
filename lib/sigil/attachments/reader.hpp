// sigil::attachments reader: the one place that reads what is attached to an image in a
// registry — cosign's `sha256-<hex>.sig` / `.att` / `.sbom` tags and OCI 1.1 referrers (from
// the referrers API or its `sha256-<hex>` fallback tag). It returns typed candidates, each
// with where it came from; nothing here fetches a layer's blob or verifies anything: verify,
// download, clean and tree decide what a candidate is worth.
//
// Bounded: a manifest holds at most oci::k_max_descriptors entries (the parser's limit), the
// referrers listing is bounded by the client, and read_bundle_referrers stops one candidate
// past ReferrerLimits::max_candidates.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/manifest.hpp"
#include "sigil/registry/client.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::attachments {

// The cosign tags next to an image.
enum class TagKind { signatures, attestations, sboms };

// Where a candidate was found.
enum class Source { tag, referrers_api, referrers_fallback };

// The tag's suffix ("sig", "att", "sbom") and its kind's name ("signatures", ...).
[[nodiscard]] std::string_view tag_suffix(TagKind kind);
[[nodiscard]] std::string_view tag_kind_name(TagKind kind);

// One thing attached to the image: a layer of a cosign tag's manifest, or the one bundle
// layer of a referrer manifest.
struct Candidate {
  Source source = Source::tag;
  std::string where;     // for reports: "sha256-<hex>.sig layer 2" or "referrer sha256:<hex>"
  oci::Digest manifest;  // the manifest that holds the layer
  oci::Descriptor layer; // the layer (its blob is not fetched here)
  std::map<std::string, std::string> manifest_annotations; // unsigned: the manifest's own
};

// A cosign tag as found. `unreadable` is set when its bytes are not an image manifest
// (then there are no candidates); callers that care about an index check `manifest.kind`
// first.
struct LegacyTag {
  std::string tag; // sha256-<hex>.sig
  registry::FetchedManifest manifest;
  std::optional<Error> unreadable;
  std::vector<Candidate> candidates; // one per layer, in the manifest's order
};

// The image's tag of this kind in `repo`; nullopt when there is no such tag. Registry
// failures are errors; an unreadable manifest is not (see LegacyTag::unreadable).
[[nodiscard]] Result<std::optional<LegacyTag>>
read_legacy_tag(registry::Client& client, const registry::Repository& repo, const oci::Digest& image, TagKind kind);

// The referrers of the image, as listed (manifest descriptors, unverified), and where the
// listing came from.
struct ReferrerListing {
  std::vector<oci::Descriptor> manifests;
  Source source = Source::referrers_api;
};

[[nodiscard]] Result<ReferrerListing> read_referrers(registry::Client& client, const registry::Repository& repo,
                                                     const oci::Digest& image);

// The media type prefix of a Sigstore bundle layer.
inline constexpr std::string_view k_bundle_media_type_prefix = "application/vnd.dev.sigstore.bundle";

// The one bundle layer of a referrer manifest (an image manifest with exactly one Sigstore
// bundle layer), or nullopt when it is not a bundle referrer.
[[nodiscard]] std::optional<oci::Descriptor> bundle_layer(const registry::FetchedManifest& found);

struct ReferrerLimits {
  // Candidates kept past this many: one, so that the caller can tell there were more.
  std::size_t max_candidates = oci::k_max_descriptors;
  // When set, a candidate it rejects is dropped before it counts.
  std::function<bool(const Candidate&)> keep;
};

// Bundle referrers: each listed referrer's manifest read (referrer descriptors are not trusted
// for their artifactType, sigstore/cosign#4422); those that are not bundle referrers, or are
// gone, are left out. In listing order.
[[nodiscard]] Result<std::vector<Candidate>> read_bundle_referrers(registry::Client& client,
                                                                   const registry::Repository& repo,
                                                                   const oci::Digest& image,
                                                                   const ReferrerLimits& limits = {});

} // namespace sigil::attachments
