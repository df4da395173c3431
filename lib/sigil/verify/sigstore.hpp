// sigil::verify Sigstore verification: a signature with its certificate (keyless) or key hint,
// transparency-log entries and RFC 3161 timestamps, checked against a trusted root.
//
// The order is sigstore-go's (pkg/verify): the signature over the exact bytes; every log entry
// is about exactly this signature, certificate and artifact, from a log of the trusted root,
// with its SET (Rekor v1) and/or inclusion proof + signed checkpoint (required from bundle v0.2
// on, and for Rekor v2); every RFC 3161 timestamp verified against a TSA of the root; then the
// certificate chains to a CA of the root at EACH verified time (never "now"), its embedded SCT
// verifies against a CT log of the root, and its identity matches the policy. At least one
// verified time is required. Every failure names the check that failed (for --explain).
#pragma once

#include "sigil/bundle/bundle.hpp"
#include "sigil/core/result.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/keyless/identity.hpp"
#include "sigil/tlog/entry.hpp"
#include "sigil/trust/trusted_root.hpp"
#include "sigil/verify/trust.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sigil::verify {

// What was signed: a message (blob or simple-signing payload; digest of the signed bytes) or a
// DSSE envelope (the signature covers its PAE).
struct MessageContent {
  crypto::HashAlgorithm algorithm = crypto::HashAlgorithm::sha256;
  util::Bytes digest;    // digest of the signed bytes (the artifact's)
  util::Bytes signature; // the signature as carried
};

// Everything a Sigstore signature carries, whatever container it came in (bundle v0.1-v0.3,
// cosign's legacy blob bundle, cosign's `.sig`/`.att` layer annotations).
struct SignedMaterial {
  std::string format;                    // "sigstore-bundle v0.3", "cosign-bundle", "cosign .sig layer"
  int bundle_minor_version = 0;          // 1..3 for Sigstore bundles, 0 otherwise
  std::vector<util::Bytes> certificates; // DER, leaf first; empty for key-signed material
  std::optional<std::string> key_hint;
  std::vector<tlog::Entry> entries;
  std::vector<util::Bytes> timestamps; // RFC 3161 responses or tokens (DER)
  std::optional<util::Bytes> timestamped; // what they cover when not the signature (a .att layer's bytes)
  std::variant<MessageContent, dsse::Envelope> content;
};

[[nodiscard]] Result<SignedMaterial> material_from_bundle(const bundle::Bundle& bundle);
// cosign's pre-v3 blob bundle: the digest is the artifact's (computed by the caller).
[[nodiscard]] Result<SignedMaterial> material_from_legacy_bundle(const bundle::LegacyBundle& legacy,
                                                                 crypto::HashAlgorithm alg, util::Bytes artifact_digest);

// The artifact a message signature or an in-toto statement must be about.
struct ArtifactDigest {
  crypto::HashAlgorithm algorithm = crypto::HashAlgorithm::sha256;
  util::Bytes digest;
};

struct SigstorePolicy {
  const trust::TrustedRoot* root = nullptr; // required for certificates and log entries
  keyless::IdentityPolicy identity;         // required (complete) for certificates
  std::vector<TrustedKey> keys;             // for key-signed material
  bool ignore_tlog = false;                 // --insecure-ignore-tlog
  bool ignore_sct = false;                  // --insecure-ignore-sct
  std::size_t tlog_threshold = 1;
  std::size_t timestamp_threshold = 0;      // RFC 3161 timestamps required
  std::int64_t now = 0;                     // for "integrated time in the future"; 0 = the clock
};

struct TimeSource {
  std::string kind; // "transparency log (SET)" or "timestamp authority"
  std::int64_t time = 0;
  std::string by;   // log base URL or TSA subject
};

struct SigstoreVerified {
  std::optional<keyless::CertificateIdentity> identity; // keyless
  std::optional<std::size_t> matched_key;               // key-signed: index into policy.keys
  std::vector<TimeSource> times;
  std::vector<std::uint64_t> log_indexes;
  std::string certificate_authority;
  std::vector<std::string> notes;
};

// Checks material against the policy. For a message, `artifact` is required (its digest must be
// the signed one); for DSSE it is optional (an in-toto subject, or the payload's digest for other
// payload types, must match it when given).
[[nodiscard]] Result<SigstoreVerified> verify_sigstore(const SignedMaterial& material,
                                                       const std::optional<ArtifactDigest>& artifact,
                                                       const SigstorePolicy& policy);

} // namespace sigil::verify
