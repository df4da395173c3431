// sigil::attachments what is attached to an image, as raw records: for `sigil download` and
// `sigil clean`. Nothing here verifies anything.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"

#include <string>
#include <vector>

namespace sigil::attachments {

enum class AttachmentKind { signature, attestation };

// One JSON line per attachment: for .sig/.att layers cosign's SignedPayload shape
// ({"Base64Signature","Payload","Cert","Chain","Bundle","RFC3161Timestamp"}, Payload as
// base64), for bundle referrers the bundle JSON itself. At most max_entries.
[[nodiscard]] Result<std::vector<std::string>> download(registry::Client& client, const oci::Reference& image_by_digest,
                                                        const registry::Repository& target, AttachmentKind kind,
                                                        std::size_t max_entries);

enum class CleanScope { signatures, attestations, referrers, all };

struct CleanItem {
  std::string name; // "repo:tag" or "repo@digest", for the user
  oci::Digest digest;
};

// What clean would delete, and what it will not touch. Every object to delete is the image's:
// a .sig/.att tag only when all of its manifest provably is (an image manifest, not an index;
// no subject but the image; at least one layer; every layer a simple-signing payload naming the
// image, for .att a DSSE envelope whose statement has the image among its subjects; a layer
// that cannot be read keeps it), referrers by their `subject`, the referrers fallback index when everything it
// lists is the image's. Anyone who can push a tag can list any manifest in a fallback index, or
// copy another image's .sig or index under this image's tag (same digest, so a delete by digest
// would take the other image's tag too): those are skipped, one line each
// ("skipped repo@sha256:...: its subject is sha256:..., not this image").
struct CleanPlan {
  std::vector<CleanItem> to_delete;
  std::vector<std::string> skipped;
  std::size_t platforms = 0;      // platform manifests of an index whose attachments the plan holds
  std::size_t platforms_kept = 0; // platform manifests of an index left alone (not recursive)
};

struct CleanResult {
  std::vector<std::string> deleted; // the names of the plan's items (absent ones too)
};

// Reads what is attached to the digest and checks whose each object is. Deletes nothing.
[[nodiscard]] Result<CleanPlan> plan_clean(registry::Client& client, const oci::Reference& image_by_digest,
                                           const registry::Repository& target, CleanScope scope);

// plan_clean for the image and, when it is an index and `recursive`, for every platform manifest
// it lists (what `sign --recursive` signed), each checked as above; an object is listed once.
// Not recursive: platforms_kept says how many platform manifests an index has.
[[nodiscard]] Result<CleanPlan> plan_clean_index(registry::Client& client, const oci::Reference& image_by_digest,
                                                 const registry::Repository& target, CleanScope scope, bool recursive);

// Deletes the plan's items by digest (what was checked is what goes; an item already gone
// counts as deleted).
[[nodiscard]] Result<CleanResult> clean(registry::Client& client, const registry::Repository& target,
                                        const CleanPlan& plan);

} // namespace sigil::attachments
