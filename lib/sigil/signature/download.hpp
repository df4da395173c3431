// sigil::signature what is attached to an image, as raw records: for `sigil download` and
// `sigil clean`. Nothing here verifies anything.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"

#include <string>
#include <vector>

namespace sigil::signature {

enum class AttachmentKind { signature, attestation };

// One JSON line per attachment: for .sig/.att layers cosign's SignedPayload shape
// ({"Base64Signature","Payload","Cert","Chain","Bundle","RFC3161Timestamp"}, Payload as
// base64), for bundle referrers the bundle JSON itself. At most max_entries.
[[nodiscard]] Result<std::vector<std::string>> download(registry::Client& client, const oci::Reference& image_by_digest,
                                                        const registry::Repository& target, AttachmentKind kind,
                                                        std::size_t max_entries);

enum class CleanScope { signatures, attestations, referrers, all };

struct CleanResult {
  std::vector<std::string> deleted; // "repo:tag" or "repo@digest"
};

// Deletes the .sig / .att tags' manifests, the bundle referrers of the digest and the
// referrers fallback index. What is absent is skipped.
[[nodiscard]] Result<CleanResult> clean(registry::Client& client, const oci::Reference& image_by_digest,
                                        const registry::Repository& target, CleanScope scope);

} // namespace sigil::signature
