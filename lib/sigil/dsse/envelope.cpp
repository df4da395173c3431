#include "sigil/dsse/envelope.hpp"

#include "sigil/crypto/signature.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json_strict.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace sigil::dsse {

namespace {

// A base64 string member, decoded with either alphabet; errors name the field.
Result<util::Bytes> decode_member(const util::Json& node, std::string_view key)
{
  return util::json_base64(node, key, util::Base64Alphabet::any);
}

Result<Signature> parse_signature(const util::Json& node, std::size_t index)
{
  if (!node.is_object()) {
    return fail(ErrorCode::bad_input, fmt::format("dsse signature {} is not a JSON object", index));
  }
  auto sig = decode_member(node, "sig");
  if (!sig) {
    // "dsse signature: field "sig": <cause>" names the field first, then which signature.
    return fail(ErrorCode::bad_input, fmt::format("dsse signature: {} (signature {})", sig.error().message, index));
  }
  std::string keyid;
  if (const auto it = node.find("keyid"); it != node.end() && it->is_string()) {
    keyid = it->get<std::string>();
  }
  return Signature{std::move(*sig), std::move(keyid)};
}

Result<std::vector<Signature>> parse_signatures(const util::Json& node)
{
  SIGIL_TRY_ASSIGN(auto sigs, util::json_array(node, "signatures"));
  const std::size_t count = sigs->size();
  if (count == 0 || count > k_max_signatures) {
    return fail(ErrorCode::bad_input,
                fmt::format("dsse envelope has {} signatures (1 to {} allowed)", count, k_max_signatures));
  }
  std::vector<Signature> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    SIGIL_TRY_ASSIGN(auto sig, parse_signature((*sigs)[i], i));
    out.push_back(std::move(sig));
  }
  return out;
}

} // namespace

util::Bytes pae(std::string_view payload_type, util::ByteView payload)
{
  // fmt formats integers without locale: plain ASCII decimal, no leading zeros.
  const std::string head = fmt::format("DSSEv1 {} {} {} ", payload_type.size(), payload_type, payload.size());
  util::Bytes out;
  out.reserve(head.size() + payload.size());
  const auto head_bytes = util::as_bytes(head);
  out.insert(out.end(), head_bytes.begin(), head_bytes.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<Envelope> sign(const crypto::PrivateKey& key, std::string_view payload_type, util::ByteView payload)
{
  Envelope envelope{std::string(payload_type), util::Bytes(payload.begin(), payload.end()), {}};
  SIGIL_TRY(add_signature(envelope, key));
  return envelope;
}

Result<void> add_signature(Envelope& envelope, const crypto::PrivateKey& key)
{
  // DSSE attestations are verified by cosign 2.x with SHA-256 for every ECDSA curve.
  auto sig = crypto::sign_message(key, pae(envelope.payload_type, envelope.payload),
                                  crypto::oci_signing_hash(key.algorithm()));
  if (!sig) {
    return fail(sig.error().context("signing dsse envelope"));
  }
  envelope.signatures.push_back(Signature{std::move(*sig), {}});
  return {};
}

util::OrderedJson envelope_to_json(const Envelope& envelope)
{
  util::OrderedJson node;
  node["payload"] = util::base64_encode(envelope.payload);
  node["payloadType"] = envelope.payload_type;
  util::OrderedJson sigs = util::OrderedJson::array();
  for (const auto& s : envelope.signatures) {
    util::OrderedJson sig;
    sig["sig"] = util::base64_encode(s.sig);
    if (!s.keyid.empty()) {
      sig["keyid"] = s.keyid;
    }
    sigs.push_back(std::move(sig));
  }
  node["signatures"] = std::move(sigs);
  return node;
}

std::string serialize(const Envelope& envelope)
{
  return util::dump_json(envelope_to_json(envelope));
}

Result<Envelope> envelope_from_json(const util::Json& node, std::size_t max_payload_bytes)
{
  if (!node.is_object()) {
    return fail(ErrorCode::bad_input, "dsse envelope is not a JSON object");
  }
  SIGIL_TRY_ASSIGN(auto payload_type, util::json_string(node, "payloadType"));
  SIGIL_TRY_ASSIGN(auto payload, decode_member(node, "payload"));
  if (payload.size() > max_payload_bytes) {
    return fail(ErrorCode::bad_input, fmt::format("dsse payload has {} bytes, more than the limit of {} bytes",
                                                  payload.size(), max_payload_bytes));
  }
  SIGIL_TRY_ASSIGN(auto signatures, parse_signatures(node));
  return Envelope{std::move(payload_type), std::move(payload), std::move(signatures)};
}

Result<Envelope> parse(std::string_view json, std::size_t max_payload_bytes)
{
  auto doc = util::parse_json_strict(json);
  if (!doc) {
    return fail(doc.error().context("malformed dsse envelope"));
  }
  auto envelope = envelope_from_json(*doc, max_payload_bytes);
  if (!envelope) {
    return fail(envelope.error().context("malformed dsse envelope"));
  }
  return envelope;
}

std::vector<SignatureCheck> verify(const Envelope& envelope, const crypto::PublicKey& key)
{
  // The PAE of the payload bytes exactly as they were decoded from the envelope.
  const util::Bytes message = pae(envelope.payload_type, envelope.payload);
  std::vector<SignatureCheck> checks;
  checks.reserve(envelope.signatures.size());
  for (std::size_t i = 0; i < envelope.signatures.size(); ++i) {
    const auto& sig = envelope.signatures[i].sig;
    SignatureCheck check{i, false, {}};
    if (sig.empty()) {
      check.reason = "signature is empty";
    } else if (crypto::verify_message(key, message, sig)) {
      check.verified = true;
      check.reason = fmt::format("signature verified with {} key {}", crypto::key_algorithm_name(key.algorithm()),
                                 key.fingerprint());
    } else {
      check.reason = fmt::format("signature does not verify with {} key {} over the payload and payloadType",
                                 crypto::key_algorithm_name(key.algorithm()), key.fingerprint());
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

bool any_verified(const std::vector<SignatureCheck>& checks)
{
  return std::ranges::any_of(checks, [](const SignatureCheck& c) { return c.verified; });
}

} // namespace sigil::dsse
