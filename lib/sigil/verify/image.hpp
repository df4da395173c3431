// sigil::verify image verification (DESIGN.md §3): every signature sigil can find for the
// digest — the `.sig` tag, and Sigstore bundles among the referrers (API or fallback tag) —
// is checked and reported with the reason it was accepted or rejected.
//
// A signature is accepted when: its layer is a simple-signing payload (or a DSSE bundle with
// the cosign sign predicate), the signature verifies over the exact payload bytes with one
// of the trusted keys, the signed digest equals the digest under verification, and every
// -a annotation is present with the same string value. Hostile registries are bounded:
// at most max_signatures considered, payload blobs capped, manifests capped (client).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/verify/blob.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sigil::verify {

struct VerifyImageRequest {
  oci::Reference image;
  std::optional<registry::Repository> signature_repo; // default: registry::signature_repository
  std::vector<TrustedKey> keys;
  std::map<std::string, std::string> annotations; // -a key=value: must match
  bool check_claims = true;            // false: signature only (digest binding not checked!)
  bool check_docker_reference = false; // the payload's docker-reference must name the repository
  std::size_t max_signatures = 100;
  std::uint64_t max_payload_bytes = std::uint64_t{1} << 20;
  // Keyless: signatures with a certificate are checked against the trusted root and identity
  // (when sigstore.identity is complete); keys and identities may be given together, and
  // either may satisfy.
  SigstorePolicy sigstore;
  // false: a verified `.sig` signature settles it and the bundle referrers are not read (one
  // round trip less). true (--explain): both formats are read and every signature reported.
  bool every_format = false;
};

enum class SignatureFormat { legacy, bundle };

struct SignatureReport {
  std::string source; // "sha256-<hex>.sig layer 2", "referrer sha256:..."
  SignatureFormat format = SignatureFormat::legacy;
  bool verified = false;
  std::string reason;                   // why rejected, or what was checked
  std::optional<std::size_t> key_index; // which trusted key verified it
  std::string payload;                  // the signed bytes (simple-signing or in-toto statement), kept only
                                        // when verified (verify/payload_budget.hpp)
  // In-toto only: the predicate type read from the signed statement, once the signature
  // verified and the statement parsed (empty otherwise).
  std::string signed_predicate_type;
  // In-toto only: the signed statement, parsed once, when the signature verified and it
  // parsed (policies and reports read it from here, never from the bytes again).
  std::optional<intoto::Statement> statement;
  std::optional<SigstoreVerified> keyless; // verified keyless: identity, log indexes, times
};

struct VerifyImageResult {
  oci::Reference image; // by digest
  bool tag_given = false;
  std::vector<SignatureReport> signatures;

  [[nodiscard]] std::size_t verified_count() const;
};

// The registry-free core of a legacy signature check, for signatures that are already at
// hand (fixtures, offline copies): the signature over the exact payload bytes, then the
// claims. `expected_digest` is "sha256:<hex>".
struct SimpleSigningCheck {
  std::string_view payload;
  std::string_view signature_b64;
  const std::vector<TrustedKey>& keys;
  std::string expected_digest; // owned: callers pass a temporary (Reference::str())
  const std::map<std::string, std::string>& annotations;
  bool check_claims = true;
  std::optional<std::string> docker_repository; // when set, docker-reference must name it
};

struct CheckOutcome {
  bool verified = false;
  std::optional<std::size_t> key_index;
  std::string reason;
};

[[nodiscard]] CheckOutcome check_simple_signing(const SimpleSigningCheck& check);

// Registry failures are errors (exit 20/21, never "no signatures"); a missing image is
// ErrorCode::not_found. Otherwise the result reports every signature considered; decide()
// (image_report.hpp) says what it amounts to: none at all -> no_signatures, none verified ->
// none_verified.
[[nodiscard]] Result<VerifyImageResult> verify_image(registry::Client& client, const VerifyImageRequest& request);

} // namespace sigil::verify
