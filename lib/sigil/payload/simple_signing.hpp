// sigil::payload the simple-signing payload of a legacy (cosign .sig) image signature.
//
// Written byte for byte as cosign writes it (Go json.Marshal of its struct):
//   {"critical":{"identity":{"docker-reference":"<repo>"},"image":{"docker-manifest-digest":
//   "sha256:<hex>"},"type":"cosign container image signature"},"optional":null}
// with "optional" an object of the -a pairs (sorted keys, string values) when there are any.
// docker-reference is the repository without tag (cosign's choice; skopeo adds the tag).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/json.hpp"

#include <map>
#include <string>
#include <string_view>

namespace sigil::payload {

constexpr std::string_view k_signature_type = "cosign container image signature";
constexpr std::size_t k_max_payload_bytes = std::size_t{1} << 20;

[[nodiscard]] std::string build_simple_signing(std::string_view docker_reference, std::string_view manifest_digest,
                                               const std::map<std::string, std::string>& annotations);

struct SimpleSigning {
  std::string docker_reference;
  std::string manifest_digest;
  std::string type;
  util::Json optional; // null or an object (values need not be strings: skopeo writes a number)
  util::Json document; // the whole parsed payload
};

// Parses the (already verified) payload bytes. Duplicate keys are refused: two parsers must
// never see two different digests in one signed payload.
[[nodiscard]] Result<SimpleSigning> parse_simple_signing(std::string_view bytes);

} // namespace sigil::payload
