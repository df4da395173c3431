// sigil::bundle Sigstore bundles (protobuf-JSON, v0.1 to v0.3) and cosign's older
// blob bundle JSON ({"base64Signature","cert","rekorBundle"}).
//
// The writer emits v0.3 with fields in protobuf field order and no whitespace; the readers
// keep the decoded bytes and never re-serialise what was signed.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/util/bytes.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sigil::bundle {

constexpr std::string_view k_media_type_v03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

struct MessageSignature {
  crypto::HashAlgorithm digest_algorithm = crypto::HashAlgorithm::sha256;
  util::Bytes digest;
  util::Bytes signature;
};

// The DSSE envelope a bundle holds is sigil::dsse's (one type for bundles and `.att` layers).
using DsseSignature = dsse::Signature;
using DsseEnvelope = dsse::Envelope;

struct Bundle {
  std::string media_type{k_media_type_v03};
  std::optional<std::string> public_key_hint;
  bool has_certificate = false; // certificate or x509CertificateChain present
  std::size_t tlog_entries = 0;
  std::variant<MessageSignature, DsseEnvelope> content;
};

[[nodiscard]] std::string write_bundle(const Bundle& bundle);
[[nodiscard]] Result<Bundle> parse_bundle(std::string_view json);

// cosign's pre-v3 blob bundle.
struct LegacyBundle {
  util::Bytes signature;
  std::optional<std::string> cert; // base64 of a PEM certificate or public key, as written
  bool has_rekor_bundle = false;
};

[[nodiscard]] Result<LegacyBundle> parse_legacy_bundle(std::string_view json);

enum class BundleKind { sigstore, cosign_legacy };
// Which of the two formats the JSON text is; error when it is neither (or not JSON).
[[nodiscard]] Result<BundleKind> detect_bundle_kind(std::string_view json);

} // namespace sigil::bundle
