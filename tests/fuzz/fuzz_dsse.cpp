// Fuzz target: DSSE envelopes (sigil::dsse::parse, serialize, verify).
//
// Invariants:
//   * bounds: 1..k_max_signatures signatures, payload within the default limit;
//   * parse(serialize(parse(x))) gives the same envelope, and serialising is stable;
//   * base64 is read only in canonical form: payload and sig decode to bytes that encode back
//     to the same text (CR/LF aside) in the standard or URL alphabet, the latter maybe unpadded;
//   * the PAE has the layout of the spec ("DSSEv1 <len> <type> <len> <payload>");
//   * verify gives one check per signature, with a reason; the corpus holds envelopes signed
//     with the fuzz test key, and an envelope that verifies must stop verifying when one
//     payload byte or the payloadType changes (the signature covers exactly those bytes);
//   * errors are bad_input.
#include "fuzz.hpp"

#include "sigil/dsse/envelope.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace {

using sigil::dsse::Envelope;

bool same(const Envelope& a, const Envelope& b)
{
  return a.payload_type == b.payload_type && a.payload == b.payload &&
         std::ranges::equal(a.signatures, b.signatures, [](const auto& x, const auto& y) {
           return x.sig == y.sig && x.keyid == y.keyid;
         });
}

bool canonical_base64(std::string text, sigil::util::ByteView decoded)
{
  std::erase(text, '\r');
  std::erase(text, '\n');
  const std::string standard = sigil::util::base64_encode(decoded);
  std::string url = standard;
  std::ranges::replace(url, '+', '-');
  std::ranges::replace(url, '/', '_');
  const std::string unpadded = url.substr(0, url.find('='));
  return text == standard || text == url || text == unpadded;
}

// The envelope's base64 members as written, next to what parse() decoded from them.
void check_base64(std::string_view json, const Envelope& env)
{
  auto doc = sigil::util::parse_json(json);
  SIGIL_FUZZ_CHECK(doc.has_value());
  SIGIL_FUZZ_CHECK(canonical_base64((*doc)["payload"].get<std::string>(), env.payload));
  for (std::size_t i = 0; i < env.signatures.size(); ++i) {
    SIGIL_FUZZ_CHECK(canonical_base64((*doc)["signatures"][i]["sig"].get<std::string>(), env.signatures[i].sig));
  }
}

void check_pae(const Envelope& env)
{
  const auto pae = sigil::dsse::pae(env.payload_type, env.payload);
  const std::string head = fmt::format("DSSEv1 {} {} {} ", env.payload_type.size(), env.payload_type,
                                       env.payload.size());
  SIGIL_FUZZ_CHECK(pae.size() == head.size() + env.payload.size());
  SIGIL_FUZZ_CHECK(sigil::util::as_chars(pae).starts_with(head));
  SIGIL_FUZZ_CHECK(std::equal(env.payload.begin(), env.payload.end(), pae.begin() + static_cast<long>(head.size())));
}

void check_verify(const Envelope& env)
{
  const auto& key = sigil::fuzz::test_public_key();
  const auto checks = sigil::dsse::verify(env, key);
  SIGIL_FUZZ_CHECK(checks.size() == env.signatures.size());
  for (std::size_t i = 0; i < checks.size(); ++i) {
    SIGIL_FUZZ_CHECK(checks[i].index == i && !checks[i].reason.empty());
  }
  if (!sigil::dsse::any_verified(checks)) {
    return;
  }
  Envelope other_payload = env;
  other_payload.payload = sigil::fuzz::altered(env.payload);
  SIGIL_FUZZ_CHECK(!sigil::dsse::any_verified(sigil::dsse::verify(other_payload, key)));
  Envelope other_type = env;
  other_type.payload_type += "x";
  SIGIL_FUZZ_CHECK(!sigil::dsse::any_verified(sigil::dsse::verify(other_type, key)));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view json = sigil::fuzz::as_text(data, size);
  auto env = sigil::dsse::parse(json);
  if (!env) {
    SIGIL_FUZZ_CHECK(env.error().code == sigil::ErrorCode::bad_input);
    SIGIL_FUZZ_CHECK(env.error().message.starts_with("malformed dsse envelope: "));
    return 0;
  }
  SIGIL_FUZZ_CHECK(!env->signatures.empty() && env->signatures.size() <= sigil::dsse::k_max_signatures);
  SIGIL_FUZZ_CHECK(env->payload.size() <= sigil::dsse::k_default_max_payload_bytes);
  const std::string written = sigil::dsse::serialize(*env);
  auto again = sigil::dsse::parse(written);
  SIGIL_FUZZ_CHECK(again.has_value() && same(*again, *env));
  SIGIL_FUZZ_CHECK(sigil::dsse::serialize(*again) == written);
  check_base64(json, *env);
  check_pae(*env);
  check_verify(*env);
  return 0;
}
