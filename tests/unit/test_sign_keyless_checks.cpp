// Tests for sigil::sign keyless checks: a Rekor answer is accepted only when its body is about
// exactly what was signed — for a DSSE envelope, the envelope's hash (of the bytes posted), the
// payload's hash and this signature — before the log itself is looked at.
#include "sigil/crypto/digest.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/sign/keyless_checks.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace {

using namespace sigil;

struct Signed {
  crypto::PrivateKey key;
  std::string payload;
  dsse::Envelope envelope;
  std::string envelope_json;
};

Signed sign_statement(std::string payload)
{
  auto key = crypto::PrivateKey::generate(crypto::KeyKind::ecdsa_p256);
  REQUIRE(key);
  auto envelope = dsse::sign(*key, "application/vnd.in-toto+json", util::as_bytes(payload));
  REQUIRE(envelope);
  auto json = dsse::serialize(*envelope);
  return Signed{std::move(*key), std::move(payload), std::move(*envelope), std::move(json)};
}

// A dsse 0.0.1 entry as Rekor stores it.
keyless::LogEntry dsse_entry(const Signed& s, std::string_view logged_envelope)
{
  util::Json body;
  body["apiVersion"] = "0.0.1";
  body["kind"] = "dsse";
  body["spec"]["envelopeHash"] = {{"algorithm", "sha256"},
                                  {"value", util::hex_encode(crypto::sha256(util::as_bytes(logged_envelope)))}};
  body["spec"]["payloadHash"] = {{"algorithm", "sha256"},
                                 {"value", util::hex_encode(crypto::sha256(util::as_bytes(s.payload)))}};
  body["spec"]["signatures"] = util::Json::array(
    {{{"signature", util::base64_encode(s.envelope.signatures.front().sig)},
      {"verifier", util::base64_encode(util::as_bytes(s.key.public_key().pem()))}}});
  keyless::LogEntry e;
  e.kind = "dsse";
  e.api_version = "0.0.1";
  const auto text = util::dump_json(body);
  e.body = util::Bytes(text.begin(), text.end());
  return e;
}

std::string check(const keyless::LogEntry& entry, const Signed& s)
{
  const auto checks = sign::checks_from_trusted_root(std::make_shared<const trust::TrustedRoot>());
  const auto payload_sha256 = crypto::sha256(util::as_bytes(s.payload));
  const sign::Witnessed w{.signature = s.envelope.signatures.front().sig,
                          .artifact_sha256 = payload_sha256,
                          .dsse_envelope = s.envelope_json,
                          .timestamped = {}};
  auto r = checks.log_entry(entry, w, keyless::CertificateChain{});
  REQUIRE_FALSE(r); // the root has no log: the entry never passes here
  return r.error().message;
}

} // namespace

TEST_CASE("keyless checks: a dsse entry about this envelope goes on to the log checks")
{
  const auto s = sign_statement(R"({"_type":"https://in-toto.io/Statement/v1"})");
  CHECK(check(dsse_entry(s, s.envelope_json), s).find("not in the trusted root") != std::string::npos);
}

TEST_CASE("keyless checks: a dsse entry about other bytes is refused before anything else")
{
  const auto s = sign_statement(R"({"_type":"https://in-toto.io/Statement/v1"})");
  const auto other = sign_statement(R"({"_type":"https://in-toto.io/Statement/v1","x":1})");
  const std::string_view why = "not about this signature and envelope";
  // another envelope was logged (Rekor answered the previous entry)
  CHECK(check(dsse_entry(other, other.envelope_json), s).find(why) != std::string::npos);
  // the same payload and signature, but the envelope hash is of other bytes
  CHECK(check(dsse_entry(s, s.envelope_json + " "), s).find(why) != std::string::npos);
  // the same envelope bytes, but another signature listed
  auto resigned = s;
  resigned.envelope.signatures.front().sig = other.envelope.signatures.front().sig;
  CHECK(check(dsse_entry(resigned, s.envelope_json), s).find(why) != std::string::npos);
}
