// sigil::verify DSSE envelopes carrying in-toto statements (image attestations, bundle
// signatures, blob attestations), checked in the order DESIGN.md §3 demands: signature over
// PAE of the exact payload bytes first, then the statement parsed from those bytes, its
// subject bound to the digest under verification, its predicate type read from the signed
// statement only.
#pragma once

#include "sigil/dsse/envelope.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/verify/blob.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sigil::verify {

struct EnvelopeCheckRequest {
  const dsse::Envelope& envelope;
  const std::vector<TrustedKey>& keys;
  std::string subject_algorithm; // "sha256"
  std::string subject_hex;
  std::optional<std::string> predicate_type;               // required type, when set
  const std::map<std::string, std::string>* annotations{}; // must be on the matching subject
  bool check_claims = true;
  intoto::ParseLimits limits{};
};

struct EnvelopeCheck {
  bool verified = false;
  std::optional<std::size_t> key_index;
  std::string reason;
  std::optional<intoto::Statement> statement; // when the signature verified and it parsed
};

[[nodiscard]] EnvelopeCheck check_envelope(const EnvelopeCheckRequest& request);

struct SignatureReport; // verify/image.hpp

// Puts a check's outcome into the report of its signature: verified, which key, the reason,
// and the signed statement with its predicate type (when it verified and parsed).
void record_check(EnvelopeCheck check, SignatureReport& report);

// The type an envelope check requires: none for "" (a request that keeps every verified
// attestation, whatever its type: verify/policy_eval decides per required type afterwards).
[[nodiscard]] inline std::optional<std::string> required_type(const std::string& predicate_type)
{
  return predicate_type.empty() ? std::nullopt : std::optional<std::string>{predicate_type};
}

} // namespace sigil::verify
