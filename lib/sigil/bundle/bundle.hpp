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
#include "sigil/util/json.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sigil::bundle {

constexpr std::string_view k_media_type_v03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

struct MessageSignature {
  crypto::HashAlgorithm digest_algorithm = crypto::HashAlgorithm::sha256;
  util::Bytes digest; // empty when the bundle has no messageDigest (optional in protobuf-specs)
  util::Bytes signature;
};

// The DSSE envelope a bundle holds is sigil::dsse's (one type for bundles and `.att` layers).
using DsseSignature = dsse::Signature;
using DsseEnvelope = dsse::Envelope;

struct Bundle {
  std::string media_type{k_media_type_v03};
  int minor_version = 3; // 0.1, 0.2 or 0.3 (from the media type)
  std::optional<std::string> public_key_hint;
  bool has_certificate = false; // certificate or x509CertificateChain present
  bool certificate_chain_form = false; // x509CertificateChain (v0.1/v0.2) rather than certificate (v0.3)
  std::vector<util::Bytes> certificates; // DER, leaf first, exactly as the bundle lists them
  std::size_t tlog_entries = 0;
  // The transparency-log entries as the bundle holds them (protobuf JSON), parsed by sigil::tlog
  // where they are verified; kept raw here so this format layer does not depend on the log's.
  std::vector<util::Json> tlog_entry_json;
  std::vector<util::Bytes> rfc3161_timestamps; // signedTimestamp DER, as listed
  std::variant<MessageSignature, DsseEnvelope> content;
};

// v0.3: the leaf of `certificates` as verificationMaterial.certificate (else the public key
// hint), tlog_entry_json in protobuf field order, rfc3161_timestamps as
// timestampVerificationData; every field in protobuf field order, as cosign writes them.
[[nodiscard]] std::string write_bundle(const Bundle& bundle);
[[nodiscard]] Result<Bundle> parse_bundle(std::string_view json);
// The same, for a document already parsed (util::parse_json), so that a caller that also asks
// detect_bundle_kind parses the JSON once.
[[nodiscard]] Result<Bundle> parse_bundle_doc(const util::Json& doc);

// cosign's pre-v3 blob bundle.
struct LegacyBundle {
  util::Bytes signature;
  std::optional<std::string> cert; // base64 of a PEM certificate or public key, as written
  bool has_rekor_bundle = false;
  std::optional<std::string> rekor_bundle; // the rekorBundle object's JSON text, as sigil::tlog reads it
};

[[nodiscard]] Result<LegacyBundle> parse_legacy_bundle(std::string_view json);

enum class BundleKind { sigstore, cosign_legacy };
// Which of the two formats the JSON text is; error when it is neither (or not JSON).
[[nodiscard]] Result<BundleKind> detect_bundle_kind(std::string_view json);
[[nodiscard]] Result<BundleKind> detect_bundle_kind_doc(const util::Json& doc);

} // namespace sigil::bundle
