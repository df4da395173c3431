// sigil::verify keyless material of cosign's `.sig` and `.att` layers.
//
// cosign writes a keyless signature into the layer's annotations: the Fulcio leaf
// (dev.sigstore.cosign/certificate, PEM), its chain (dev.sigstore.cosign/chain, PEM), the Rekor
// entry with its SET (dev.sigstore.cosign/bundle: {"SignedEntryTimestamp","Payload":{...}}) and
// optionally an RFC 3161 timestamp (dev.sigstore.cosign/rfc3161timestamp:
// {"SignedRFC3161Timestamp":"<b64 DER>"}). The signature covers the layer's payload blob
// (simple signing) or, for `.att`, the DSSE envelope's PAE.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/verify/sigstore.hpp"

#include <map>
#include <string>

namespace sigil::verify {

inline constexpr std::string_view k_cosign_timestamp_annotation = "dev.sigstore.cosign/rfc3161timestamp";

[[nodiscard]] bool has_cosign_certificate(const std::map<std::string, std::string>& annotations);

// A simple-signing layer: `payload` is the blob, `signature` the decoded signature annotation.
[[nodiscard]] Result<SignedMaterial> material_from_cosign_layer(const std::map<std::string, std::string>& annotations,
                                                                util::ByteView payload, util::Bytes signature);
// An attestation layer: the envelope is the blob (`layer`, its bytes as stored: what cosign's
// RFC 3161 timestamp of a .att layer covers, rather than the DSSE signature).
[[nodiscard]] Result<SignedMaterial> material_from_cosign_att_layer(
  const std::map<std::string, std::string>& annotations, dsse::Envelope envelope, util::ByteView layer);

} // namespace sigil::verify
