// Log entry bodies: for each kind the conformance bundles log (hashedrekord 0.0.1 and 0.0.2,
// dsse 0.0.1, intoto 0.0.2, and Rekor v2's hashedrekord over a DSSE PAE) the claims equal the
// bundle's own signature, certificate and digest; for the *-mismatch cases they differ; and
// malformed or unknown bodies are refused.
#include "sigil/tlog/body.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/pem.hpp"

#include "tlog_support.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using sigil::tlog::BodyClaims;
using sigil::tlog::parse_body;
using sigil::util::Bytes;
using sigil::util::Json;

bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

Bytes b64(const Json& value)
{
  auto bytes = sigil::util::base64_decode(value.get<std::string>());
  REQUIRE(bytes.has_value());
  return *bytes;
}

// What a bundle itself says: its leaf certificate and its signature content.
struct BundleFacts {
  Bytes certificate;
  Json doc;
};

BundleFacts bundle_facts(std::string_view name)
{
  BundleFacts facts{{}, sigil::test::read_fixture_json(sigil::test::bundle_path(name))};
  const Json& vm = facts.doc.at("verificationMaterial");
  if (vm.contains("certificate")) {
    facts.certificate = b64(vm.at("certificate").at("rawBytes"));
  } else if (vm.contains("x509CertificateChain")) {
    facts.certificate = b64(vm.at("x509CertificateChain").at("certificates").at(0).at("rawBytes"));
  }
  return facts;
}

BodyClaims claims_of(std::string_view name)
{
  auto claims = parse_body(sigil::test::bundle_entry(name).canonicalized_body);
  REQUIRE_MESSAGE(claims.has_value(), name << ": " << sigil::test::error_of(claims));
  return *claims;
}

// True when the hashedrekord claims are the bundle's message signature, digest and certificate.
bool message_claims_match(std::string_view name)
{
  const BundleFacts facts = bundle_facts(name);
  const BodyClaims claims = claims_of(name);
  const Json& sig = facts.doc.at("messageSignature");
  REQUIRE(claims.artifact_digest.has_value());
  return claims.signature == b64(sig.at("signature")) && claims.verifier_der == facts.certificate &&
         claims.verifier_is_certificate && claims.artifact_digest->first == sigil::crypto::HashAlgorithm::sha256 &&
         claims.artifact_digest->second == b64(sig.at("messageDigest").at("digest"));
}

sigil::dsse::Envelope bundle_envelope(const BundleFacts& facts)
{
  auto env = sigil::dsse::envelope_from_json(facts.doc.at("dsseEnvelope"), sigil::dsse::k_unbounded_payload);
  REQUIRE(env.has_value());
  return *env;
}

// True when the DSSE claims are the bundle's envelope: payload hash and first signature.
bool envelope_claims_match(std::string_view name)
{
  const BundleFacts facts = bundle_facts(name);
  const auto env = bundle_envelope(facts);
  const BodyClaims claims = claims_of(name);
  REQUIRE_FALSE(claims.dsse_signatures.empty());
  return claims.payload_hash == sigil::crypto::sha256(env.payload) &&
         claims.dsse_signatures[0].first == env.signatures.at(0).sig &&
         claims.dsse_signatures[0].second == facts.certificate;
}

// Rekor v2 logs a DSSE envelope as hashedrekord 0.0.2 over SHA-256 of its PAE.
bool pae_claims_match(std::string_view name)
{
  const BundleFacts facts = bundle_facts(name);
  const auto env = bundle_envelope(facts);
  const BodyClaims claims = claims_of(name);
  REQUIRE(claims.artifact_digest.has_value());
  return claims.artifact_digest->second == sigil::crypto::sha256(sigil::dsse::pae(env.payload_type, env.payload)) &&
         claims.signature == env.signatures.at(0).sig && claims.verifier_der == facts.certificate;
}

Bytes body(std::string_view json)
{
  return sigil::util::to_bytes(json);
}

} // namespace

TEST_CASE("tlog body: hashedrekord 0.0.1 and 0.0.2 name the bundle's signature, certificate and digest")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  for (const char* name : {"happy-path-v0.1", "happy-path-v0.3", "rekor2-happy-path", "managed-key-happy-path"}) {
    INFO(name);
    const BodyClaims claims = claims_of(name);
    CHECK(claims.kind == "hashedrekord");
    if (std::string_view(name) != "managed-key-happy-path") {
      CHECK(message_claims_match(name));
    } else {
      CHECK_FALSE(claims.verifier_is_certificate); // logged with a public key
      auto key = sigil::crypto::PublicKey::from_der(claims.verifier_der.value());
      CHECK(key.has_value());
    }
  }
  CHECK(claims_of("rekor2-happy-path").version == "0.0.2");
  for (const char* name :
       {"wrong-hashedrekord-artifact_fail", "wrong-hashedrekord-cert-and-sig_fail", "wrong-hashedrekord-entry_fail"}) {
    INFO(name);
    CHECK_FALSE(message_claims_match(name));
  }
}

TEST_CASE("tlog body: cosign's rekor bundle covers the certificate, the signature and the payload digest")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  auto entry =
      sigil::tlog::parse_cosign_rekor_bundle(sigil::test::read_fixture("containers-image/rekor-set-case/rekor-set"));
  REQUIRE(entry.has_value());
  auto claims = parse_body(entry->canonicalized_body);
  REQUIRE(claims.has_value());
  auto pem = sigil::util::parse_pem(sigil::test::read_fixture("containers-image/rekor-set-case/rekor-cert"));
  REQUIRE(pem.has_value());
  const auto cert = pem->front().der.view();
  CHECK(claims->verifier_der == Bytes(cert.begin(), cert.end()));
  CHECK(claims->verifier_is_certificate);
  std::string sig_text = sigil::test::read_fixture("containers-image/rekor-set-case/rekor-sig");
  while (!sig_text.empty() && sig_text.back() == '\n') {
    sig_text.pop_back();
  }
  CHECK(claims->signature == sigil::util::base64_decode(sig_text).value());
  const std::string payload = sigil::test::read_fixture("containers-image/rekor-set-case/rekor-payload");
  REQUIRE(claims->artifact_digest.has_value());
  CHECK(claims->artifact_digest->second == sigil::crypto::sha256(sigil::util::as_bytes(payload)));
}

TEST_CASE("tlog body: dsse 0.0.1, intoto 0.0.2 and Rekor v2's DSSE name the bundle's envelope")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const BodyClaims dsse = claims_of("happy-path-intoto-in-dsse-v3");
  CHECK(dsse.kind == "dsse");
  CHECK(dsse.envelope_hash.has_value());
  CHECK(dsse.dsse_signatures.size() == 1);
  CHECK(envelope_claims_match("happy-path-intoto-in-dsse-v3"));

  const BodyClaims intoto = claims_of("intoto-with-custom-trust-root");
  CHECK(intoto.kind == "intoto");
  CHECK(intoto.envelope_hash.has_value());
  CHECK(envelope_claims_match("intoto-with-custom-trust-root")); // the signature decoded twice

  CHECK(pae_claims_match("rekor2-dsse-happy-path"));

  // The intoto entry of intoto-log-entry-mismatch_fail logs the signature base64-encoded once,
  // not twice as rekor's intoto 0.0.2 does: the body is refused (sigstore-go reads no signature).
  auto once = parse_body(sigil::test::bundle_entry("intoto-log-entry-mismatch_fail").canonicalized_body);
  REQUIRE_FALSE(once.has_value());
  CHECK(contains(once.error().message, "field \"sig\" (inner base64)"));
  for (const char* name : {"dsse-mismatch-envelope_fail", "dsse-mismatch-sig_fail"}) {
    INFO(name);
    CHECK_FALSE(envelope_claims_match(name));
  }
  for (const char* name : {"rekor2-dsse-mismatch-envelope_fail", "rekor2-dsse-mismatch-sig_fail"}) {
    INFO(name);
    CHECK_FALSE(pae_claims_match(name));
  }
}

TEST_CASE("tlog body: dsse 0.0.2 (protobuf-JSON) and a public key verifier")
{
  const std::string key = sigil::util::base64_encode(Bytes(44, 3));
  const std::string digest = sigil::util::base64_encode(Bytes(32, 5));
  const std::string text =
      R"({"apiVersion":"0.0.2","kind":"dsse","spec":{"dsseV002":{"payloadHash":{"algorithm":"SHA2_256","digest":")" +
      digest +
      R"("},"signatures":[{"content":"AQID","verifier":{"keyDetails":"PKIX_ED25519","publicKey":{"rawBytes":")" + key +
      R"("}}}]}}})";
  auto claims = parse_body(body(text));
  REQUIRE_MESSAGE(claims.has_value(), sigil::test::error_of(claims));
  CHECK(claims->payload_hash == Bytes(32, 5));
  CHECK_FALSE(claims->envelope_hash.has_value());
  REQUIRE(claims->dsse_signatures.size() == 1);
  CHECK(claims->dsse_signatures[0].first == Bytes{1, 2, 3});
  CHECK(claims->dsse_signatures[0].second == Bytes(44, 3));
}

TEST_CASE("tlog body: malformed, oversized and unknown bodies are refused with the reason")
{
  const std::string hash = R"("data":{"hash":{"algorithm":"sha256","value":")" + std::string(64, 'a') + R"("}})";
  const std::string pem_key =
      sigil::util::base64_encode(sigil::util::as_bytes(sigil::util::encode_pem("PUBLIC KEY", Bytes(44, 1))));
  const std::string good = R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{)" + hash +
                           R"(,"signature":{"content":"AQID","publicKey":{"content":")" + pem_key + R"("}}}})";
  auto claims = parse_body(body(good));
  REQUIRE_MESSAGE(claims.has_value(), sigil::test::error_of(claims));
  CHECK_FALSE(claims->verifier_is_certificate);

  const std::string private_pem =
      sigil::util::base64_encode(sigil::util::as_bytes(sigil::util::encode_pem("PRIVATE KEY", Bytes(40, 1))));
  const std::string v2 =
      R"({"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":{"content":"AQID","verifier":{"publicKey":{"rawBytes":"AQID"}}}}}})";
  const std::vector<std::pair<std::string, std::string_view>> bad = {
      {R"({"apiVersion":"0.0.1","kind":"rekord","spec":{}})", "unsupported log entry kind rekord 0.0.1"},
      {R"({"apiVersion":"0.0.3","kind":"hashedrekord","spec":{}})", "unsupported log entry kind hashedrekord 0.0.3"},
      {R"({"apiVersion":"0.0.1","kind":"hashedrekord"})", "spec"},
      {R"({"apiVersion":"0.0.1","kind":"hashedrekord","kind":"dsse","spec":{}})", "duplicate"},
      {R"([1])", "not a JSON object"},
      {"{", ""},
      {R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"md5","value":"00"}},"signature":{"content":"AQID","publicKey":{"content":")" +
           pem_key + R"("}}}})",
       "unknown hash algorithm \"md5\""},
      {R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"00"}},"signature":{"content":"AQID","publicKey":{"content":")" +
           pem_key + R"("}}}})",
       "a sha256 digest of 1 bytes"},
      {R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{)" + hash +
           R"(,"signature":{"content":"AQID","publicKey":{"content":")" + private_pem + R"("}}}})",
       "not a certificate or public key"},
      {R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{)" + hash +
           R"(,"signature":{"content":"AQID","publicKey":{"content":"AQID"}}}})",
       "spec.signature.publicKey"},
      {v2, "a SHA2_256 digest of 3 bytes"},
      {R"({"apiVersion":"0.0.1","kind":"dsse","spec":{"envelopeHash":{"algorithm":"sha512","value":")" +
           std::string(128, 'a') + R"("}}})",
       "not a SHA-256 hash"},
      {R"({"apiVersion":"0.0.2","kind":"dsse","spec":{"dsseV002":{"payloadHash":{"algorithm":"SHA2_256","digest":")" +
           sigil::util::base64_encode(Bytes(32, 5)) + R"("},"signatures":[]}}})",
       "0 signatures (1 to 32 allowed)"},
  };
  for (const auto& [text, reason] : bad) {
    INFO(text);
    auto r = parse_body(body(text));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.starts_with("log entry body: "));
    CHECK(contains(r.error().message, reason));
  }
  std::string both = v2;
  both.replace(both.find("AAAA"), 4, sigil::util::base64_encode(Bytes(32, 5)));
  REQUIRE(parse_body(body(both)).has_value());
  both.replace(both.find(R"("publicKey")"), 0, R"("x509Certificate":{"rawBytes":"AQID"},)");
  CHECK(contains(parse_body(body(both)).error().message, "exactly one of x509Certificate and publicKey"));
  CHECK(contains(parse_body(Bytes(sigil::tlog::k_max_body_bytes + 1, ' ')).error().message, "more than the limit"));
}
