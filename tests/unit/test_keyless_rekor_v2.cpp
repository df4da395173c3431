// Tests for Rekor v2 signing (sigil::keyless rekor_v2, sign::rekor_v2_logged and the v2 log
// entry check): the hashedrekord 0.0.2 body sigil expects is byte for byte the body upstream's
// Rekor v2 logged (sigstore-conformance rekor2-happy-path, rekor2-dsse-happy-path: a message
// signature and a DSSE envelope logged over its PAE); the request's exact JSON; the answer
// parsed without SET; and the signer's check accepts upstream's real entry and refuses it for
// other bytes or with a broken proof.
#include "keyless_fixtures.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/keyless/rekor_v2.hpp"
#include "sigil/sign/keyless_checks.hpp"
#include "sigil/trust/trusted_root.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace {

using namespace sigil;

util::Bytes b64(const std::string& text)
{
  auto bytes = util::base64_decode(text);
  REQUIRE(bytes.has_value());
  return *bytes;
}

struct Case {
  util::Json bundle;
  util::Bytes certificate;
  util::Bytes signature;
  util::Bytes digest;        // what is logged
  util::Bytes artifact;      // the message's digest, or the payload's
  std::string envelope_json; // DSSE only
  util::Bytes logged_body;   // canonicalizedBody
};

Case load(const std::string& name)
{
  Case c;
  c.bundle = test::conformance_json(test::bundle_case(name));
  const auto& material = c.bundle.at("verificationMaterial");
  c.certificate = b64(material.at("certificate").at("rawBytes").get<std::string>());
  c.logged_body = b64(material.at("tlogEntries").at(0).at("canonicalizedBody").get<std::string>());
  if (c.bundle.contains("dsseEnvelope")) {
    auto env = dsse::envelope_from_json(c.bundle.at("dsseEnvelope"), dsse::k_unbounded_payload);
    REQUIRE(env.has_value());
    c.signature = env->signatures.at(0).sig;
    c.digest = crypto::sha256(dsse::pae(env->payload_type, env->payload));
    c.artifact = crypto::sha256(env->payload);
    c.envelope_json = dsse::serialize(*env);
  } else {
    const auto& ms = c.bundle.at("messageSignature");
    c.signature = b64(ms.at("signature").get<std::string>());
    c.digest = b64(ms.at("messageDigest").at("digest").get<std::string>());
    c.artifact = c.digest;
  }
  return c;
}

sign::Witnessed witnessed(const Case& c)
{
  return sign::Witnessed{.signature = c.signature,
                         .artifact_sha256 = c.artifact,
                         .dsse_envelope = c.envelope_json,
                         .timestamped = {}};
}

keyless::CertificateChain chain_of(const Case& c)
{
  keyless::CertificateChain chain;
  chain.der.push_back(c.certificate);
  return chain;
}

} // namespace

TEST_CASE("rekor v2: the hashedrekord 0.0.2 body is byte for byte what upstream's Rekor v2 logged")
{
  if (!test::have_conformance()) {
    return;
  }
  for (const std::string name : {"rekor2-happy-path", "rekor2-dsse-happy-path"}) {
    CAPTURE(name);
    const Case c = load(name);
    // The digest the signer logs: the message's, or SHA-256 of the DSSE PAE.
    auto logged = sign::rekor_v2_logged(witnessed(c), chain_of(c));
    REQUIRE_MESSAGE(logged.has_value(), (logged ? "" : logged.error().message));
    CHECK(logged->digest == c.digest);
    CHECK(logged->key_algorithm == crypto::KeyAlgorithm::ecdsa_p256);
    auto body = keyless::hashedrekord_v002_body(
      {.digest = logged->digest, .signature = c.signature, .certificate_der = c.certificate,
       .key_algorithm = logged->key_algorithm});
    REQUIRE(body.has_value());
    CHECK(util::as_chars(*body) == util::as_chars(c.logged_body));
  }
}

TEST_CASE("rekor v2: the CreateEntryRequest JSON, and what cannot be logged as hashedrekord 0.0.2")
{
  const util::Bytes digest(32, 0xab);
  const util::Bytes sig{0x30, 0x02, 0x01, 0x00};
  const util::Bytes cert{0x30, 0x03, 0x02, 0x01, 0x07};
  auto request = keyless::hashedrekord_v002_request({.digest = digest, .signature = sig, .certificate_der = cert});
  REQUIRE(request.has_value());
  CHECK(*request == R"({"hashedRekordRequestV002":{"digest":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",)"
                    R"("signature":{"content":"MAIBAA==","verifier":{"x509Certificate":{"rawBytes":"MAMCAQc="},)"
                    R"("keyDetails":"PKIX_ECDSA_P256_SHA_256"}}}})");
  auto body = keyless::hashedrekord_v002_body({.digest = digest, .signature = sig, .certificate_der = cert});
  REQUIRE(body.has_value());
  CHECK(util::as_chars(*body) ==
        R"({"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256",)"
        R"("digest":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="},"signature":{"content":"MAIBAA==","verifier":)"
        R"({"keyDetails":"PKIX_ECDSA_P256_SHA_256","x509Certificate":{"rawBytes":"MAMCAQc="}}}}}})");
  const util::Bytes digest384(48, 1);
  auto p384 = keyless::hashedrekord_v002_body(
    {.digest = digest384, .signature = sig, .certificate_der = cert, .key_algorithm = crypto::KeyAlgorithm::ecdsa_p384});
  REQUIRE(p384.has_value());
  CHECK(util::as_chars(*p384).find(R"("algorithm":"SHA2_384")") != std::string_view::npos);
  CHECK(util::as_chars(*p384).find(R"("keyDetails":"PKIX_ECDSA_P384_SHA_384")") != std::string_view::npos);
  // A digest of the wrong size for the key's hash, and keys rekor-tiles refuses.
  auto short_digest = keyless::hashedrekord_v002_request({.digest = digest384, .signature = sig, .certificate_der = cert});
  REQUIRE_FALSE(short_digest.has_value());
  CHECK(short_digest.error().message == "Rekor v2: a digest of 48 bytes for PKIX_ECDSA_P256_SHA_256 (expected 32)");
  auto ed = keyless::hashedrekord_v002_request(
    {.digest = digest, .signature = sig, .certificate_der = cert, .key_algorithm = crypto::KeyAlgorithm::ed25519});
  REQUIRE_FALSE(ed.has_value());
  CHECK(ed.error().code == ErrorCode::usage);
}

TEST_CASE("rekor v2: the answer is a TransparencyLogEntry without SET or integrated time")
{
  if (!test::have_conformance()) {
    return;
  }
  const Case c = load("rekor2-happy-path");
  util::Json entry = c.bundle.at("verificationMaterial").at("tlogEntries").at(0);
  auto parsed = keyless::parse_v2_answer(util::dump_json(entry));
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().message));
  CHECK(parsed->kind == "hashedrekord");
  CHECK(parsed->api_version == "0.0.2");
  CHECK(parsed->body == c.logged_body);
  CHECK(parsed->signed_entry_timestamp.empty());
  REQUIRE(parsed->inclusion_proof.has_value());
  CHECK(parsed->inclusion_proof->checkpoint.starts_with("log2025-alpha1.rekor.sigstage.dev\n"));
  // What goes into the bundle: no integratedTime, no inclusionPromise.
  const auto out = keyless::bundle_entry_json(*parsed);
  CHECK_FALSE(out.contains("integratedTime"));
  CHECK_FALSE(out.contains("inclusionPromise"));
  CHECK(out.at("inclusionProof").at("checkpoint").at("envelope") == entry.at("inclusionProof").at("checkpoint").at("envelope"));

  util::Json with_time = entry;
  with_time["integratedTime"] = "1700000000";
  auto refused = keyless::parse_v2_answer(util::dump_json(with_time));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message ==
        "rekor: unusable answer: a Rekor v2 entry with an integratedTime or inclusionPromise");
  util::Json other_kind = entry;
  other_kind["kindVersion"]["version"] = "0.0.1";
  auto mismatch = keyless::parse_v2_answer(util::dump_json(other_kind));
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().message.find("is not the body's hashedrekord/0.0.2") != std::string::npos);
}

TEST_CASE("rekor v2: the signer's check accepts upstream's entry and refuses it for other bytes or a bad proof")
{
  if (!test::have_conformance()) {
    return;
  }
  for (const std::string name : {"rekor2-happy-path", "rekor2-dsse-happy-path"}) {
    CAPTURE(name);
    const Case c = load(name);
    auto root = trust::parse_trusted_root(test::read_conformance(test::bundle_case(name, "trusted_root.json")));
    REQUIRE(root.has_value());
    const auto checks = sign::checks_from_trusted_root(std::make_shared<const trust::TrustedRoot>(std::move(*root)));
    const auto entry_json = c.bundle.at("verificationMaterial").at("tlogEntries").at(0);
    auto entry = keyless::parse_v2_answer(util::dump_json(entry_json));
    REQUIRE(entry.has_value());
    auto ok = checks.log_entry(*entry, witnessed(c), chain_of(c));
    CHECK_MESSAGE(ok.has_value(), (ok ? "" : ok.error().message));

    // The same entry for another signature: the body is not the one these bytes make.
    Case other = c;
    other.signature.back() ^= 1;
    if (!other.envelope_json.empty()) {
      auto env = dsse::parse(other.envelope_json, dsse::k_unbounded_payload);
      REQUIRE(env.has_value());
      env->signatures.at(0).sig = other.signature;
      other.envelope_json = dsse::serialize(*env);
    }
    auto wrong = checks.log_entry(*entry, witnessed(other), chain_of(other));
    REQUIRE_FALSE(wrong.has_value());
    CHECK(wrong.error().message ==
          "the entry is not the hashedrekord 0.0.2 of this signature, digest and certificate");

    // A proof hash with a flipped bit does not lead to the checkpoint's root.
    keyless::LogEntry broken = *entry;
    REQUIRE_FALSE(broken.inclusion_proof->hashes.empty());
    broken.inclusion_proof->hashes.front().front() ^= 1;
    auto bad = checks.log_entry(broken, witnessed(c), chain_of(c));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("root hash") != std::string::npos);
  }
}
