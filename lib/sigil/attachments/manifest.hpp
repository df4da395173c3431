// sigil::attachments the manifests cosign keeps next to an image: `sha256-<hex>.sig` (one
// simple-signing layer per signature) and `sha256-<hex>.att` (one DSSE layer per
// attestation), with the go-containerregistry config blob cosign writes.
#pragma once

#include "sigil/oci/manifest.hpp"
#include "sigil/util/bytes.hpp"

#include <map>
#include <string>
#include <vector>

namespace sigil::attachments {

// Config blob: rootfs.diff_ids = the layer digests, zero "created" times, as cosign writes.
[[nodiscard]] std::string build_config(const std::vector<oci::Descriptor>& layers);

struct SignatureManifest {
  std::string config; // config blob bytes
  oci::Descriptor config_descriptor;
  std::string manifest; // manifest bytes
};

[[nodiscard]] SignatureManifest build_signature_manifest(const std::vector<oci::Descriptor>& layers);

// A layer descriptor for a blob with its annotations.
[[nodiscard]] oci::Descriptor make_layer(std::string_view media_type, util::ByteView blob,
                                         std::map<std::string, std::string> annotations);

// Same layer for dedupe and presence checks: digest, media type and all annotations.
[[nodiscard]] bool same_layer(const oci::Descriptor& a, const oci::Descriptor& b);

} // namespace sigil::attachments
