// sigil::dsse — Dead Simple Signing Envelopes (secure-systems-lab/dsse, protocol v1).
//
//   pae(type, body)   "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//                     (SP = 0x20, LEN = ASCII decimal byte count, no leading zeros)
//   sign(key, type, body)    one signature over the PAE, keyid empty
//   serialize(env)    the bytes cosign writes as a legacy `.att` layer (Go json.Marshal of
//                     the protobuf Envelope): {"payload":"<b64>","payloadType":"...",
//                     "signatures":[{"sig":"<b64>"}]} — keyid only when non-empty, no spaces
//   parse(json)       the reverse, bounded; payload and sig in standard or URL-safe base64
//   verify(env, key)  one SignatureCheck per signature, each over the PAE of the payload
//                     bytes exactly as decoded (never re-serialised)
//
// verify() checks signatures only. Whether the payloadType is acceptable (cosign requires
// application/vnd.in-toto+json) and what the payload says are the caller's decisions, made
// after a signature verified (DSSE protocol: verify, then check type, then parse).
//
// keyid is an unauthenticated hint (DSSE: "MUST NOT be used for security decisions"): it is
// kept when it is a string and otherwise ignored, and verify() tries the key regardless.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/json.hpp"

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::dsse {

// Media type of a legacy `.att` layer holding serialize()'s bytes.
constexpr std::string_view k_envelope_media_type = "application/vnd.dsse.envelope.v1+json";
// At most this many signatures per envelope (as sigil's Sigstore bundle reader).
constexpr std::size_t k_max_signatures = 32;
// Default cap on the decoded payload: DESIGN.md §3 rule 5 (signature payloads ≤ 1 MiB
// unless raised by option). Callers pass the raised value through parse()'s parameter.
constexpr std::size_t k_default_max_payload_bytes = std::size_t{1} << 20;
// For envelopes already bounded by other means (a local file the user named).
constexpr std::size_t k_unbounded_payload = std::numeric_limits<std::size_t>::max();

struct Signature {
  util::Bytes sig;
  std::string keyid; // empty when absent
};

struct Envelope {
  std::string payload_type;
  util::Bytes payload; // decoded: the SERIALIZED_BODY that was signed
  std::vector<Signature> signatures;
};

// Pre-Authentication Encoding: the bytes every DSSE signature covers.
[[nodiscard]] util::Bytes pae(std::string_view payload_type, util::ByteView payload);

// An envelope with one signature by key over pae(payload_type, payload).
[[nodiscard]] Result<Envelope> sign(const crypto::PrivateKey& key, std::string_view payload_type,
                                    util::ByteView payload);
// Appends a signature by key over the envelope's own payload and type.
[[nodiscard]] Result<void> add_signature(Envelope& envelope, const crypto::PrivateKey& key);

// Compact JSON, fields in the order above, standard base64 with padding.
[[nodiscard]] std::string serialize(const Envelope& envelope);
// The same object as a JSON node (the Sigstore bundle embeds it as "dsseEnvelope").
[[nodiscard]] util::OrderedJson envelope_to_json(const Envelope& envelope);

// Parses serialize()'s format. Errors are bad_input and name the field: invalid or
// duplicate-key JSON, payload/payloadType/signatures missing or mistyped, base64 that
// decodes in neither alphabet, a decoded payload over max_payload_bytes, or a signature
// count outside 1..k_max_signatures.
[[nodiscard]] Result<Envelope> parse(std::string_view json,
                                     std::size_t max_payload_bytes = k_default_max_payload_bytes);
// Same, from an already parsed JSON object (e.g. a bundle's "dsseEnvelope" member).
[[nodiscard]] Result<Envelope> envelope_from_json(const util::Json& node, std::size_t max_payload_bytes);

struct SignatureCheck {
  std::size_t index = 0; // position in Envelope::signatures
  bool verified = false;
  std::string reason; // why it was accepted or rejected, for the verification report
};

// One check per signature, in order. An envelope without signatures gives an empty vector.
[[nodiscard]] std::vector<SignatureCheck> verify(const Envelope& envelope, const crypto::PublicKey& key);
// True when at least one check verified.
[[nodiscard]] bool any_verified(const std::vector<SignatureCheck>& checks);

} // namespace sigil::dsse
