// Tests for sigil::keyless request bodies (byte for byte what cosign 2.5 posts, captured from
// cosign against tests/integration/sigstore) and the parsers of the services' answers.
#include "sigil/keyless/fulcio.hpp"
#include "sigil/keyless/rekor.hpp"
#include "sigil/keyless/service.hpp"

#include "sigil/crypto/timestamp_request.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

namespace keyless = sigil::keyless;
using sigil::util::as_bytes;

std::string data(std::string_view name)
{
  auto text = sigil::util::read_file(std::string(SIGIL_UNIT_DATA_DIR) + "/keyless/" + std::string(name));
  REQUIRE(text);
  return *text;
}

std::string b64_field(const sigil::util::Json& j, std::string_view pointer)
{
  return j.at(sigil::util::Json::json_pointer(std::string(pointer))).get<std::string>();
}

} // namespace

TEST_CASE("rekor: the hashedrekord 0.0.1 body is byte for byte what cosign 2.5 posts")
{
  const auto captured = data("cosign25-rekor-hashedrekord.request");
  const auto j = sigil::util::parse_json(captured);
  REQUIRE(j);
  const auto sig = sigil::util::base64_decode(b64_field(*j, "/spec/signature/content"));
  const auto pem = sigil::util::base64_decode(b64_field(*j, "/spec/signature/publicKey/content"));
  const auto digest = sigil::util::hex_decode(b64_field(*j, "/spec/data/hash/value"));
  REQUIRE((sig && pem && digest));
  const auto body = keyless::hashedrekord_body(
    {.signature = *sig, .certificate_pem = sigil::util::as_chars(*pem), .sha256 = *digest});
  CHECK(body == captured);
}

TEST_CASE("rekor: the dsse 0.0.1 body is byte for byte what cosign 2.5 posts")
{
  const auto captured = data("cosign25-rekor-dsse.request");
  const auto j = sigil::util::parse_json(captured);
  REQUIRE(j);
  const auto envelope = b64_field(*j, "/spec/proposedContent/envelope");
  const auto pem = sigil::util::base64_decode(b64_field(*j, "/spec/proposedContent/verifiers/0"));
  REQUIRE(pem);
  CHECK(keyless::dsse_body({.envelope_json = envelope, .certificate_pem = sigil::util::as_chars(*pem)}) == captured);
}

TEST_CASE("fulcio: the v1 body is byte for byte what cosign 2.5 posts; v2 carries the token in credentials")
{
  const auto captured = data("cosign25-fulcio-v1.request");
  const auto j = sigil::util::parse_json(captured);
  REQUIRE(j);
  const auto pem = sigil::util::base64_decode(b64_field(*j, "/publicKey/content"));
  const auto proof = sigil::util::base64_decode(b64_field(*j, "/signedEmailAddress"));
  REQUIRE((pem && proof));
  CHECK(keyless::fulcio_v1_body(sigil::util::as_chars(*pem), *proof) == captured);

  const sigil::util::Bytes sig{1, 2, 3};
  CHECK(keyless::fulcio_v2_body("a.b.c", "-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n", sig) ==
        R"({"credentials":{"oidcIdentityToken":"a.b.c"},"publicKeyRequest":{"publicKey":{"algorithm":"ECDSA",)"
        R"("content":"-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n"},"proofOfPossession":"AQID"}})");
}

TEST_CASE("rekor: an answer of the stand-in parses into the entry with SET, proof and checkpoint")
{
  const auto entry = keyless::parse_log_entry_answer(data("standin-rekor-hashedrekord.response"));
  REQUIRE(entry);
  CHECK(entry->kind == "hashedrekord");
  CHECK(entry->api_version == "0.0.1");
  CHECK(entry->log_index == 20);
  CHECK(entry->log_id.size() == 32);
  CHECK(!entry->signed_entry_timestamp.empty());
  REQUIRE(entry->inclusion_proof);
  CHECK(entry->inclusion_proof->tree_size == 21);
  CHECK(entry->inclusion_proof->hashes.size() == 2);
  CHECK(entry->inclusion_proof->checkpoint.find("\n21\n") != std::string::npos);
}

TEST_CASE("rekor: malformed answers are refused, never thrown")
{
  for (const char* bad : {"", "[]", "{}", R"({"a":1})", R"({"a":{},"b":{}})", R"({"u":{"body":"!!"}})",
                          R"({"u":{"body":"e30=","integratedTime":1,"logIndex":-1,"logID":"00","verification":{}}})"}) {
    CAPTURE(bad);
    const auto entry = keyless::parse_log_entry_answer(bad);
    REQUIRE(!entry);
    CHECK(entry.error().message.starts_with("rekor: unusable answer"));
  }
}

TEST_CASE("fulcio: v2 answers (embedded and detached SCT) and a PEM chain parse; garbage does not")
{
  const auto pem = data("cosign25-fulcio-v1.request"); // no certificate: refused
  CHECK(!keyless::parse_pem_chain(pem));
  CHECK(!keyless::parse_fulcio_v2_answer(R"({"signedCertificateEmbeddedSct":{"chain":{"certificates":[7]}}})"));
  CHECK(!keyless::parse_fulcio_v2_answer(R"({"other":{}})"));
  const auto cert = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";
  const auto embedded = keyless::parse_fulcio_v2_answer(
    std::string(R"({"signedCertificateEmbeddedSct":{"chain":{"certificates":[")") + "-----BEGIN CERTIFICATE-----\\nAQID\\n-----END CERTIFICATE-----\\n" + R"("]}}})");
  REQUIRE(embedded);
  CHECK(embedded->der.size() == 1);
  CHECK(!embedded->detached_sct);
  const auto chain = keyless::parse_pem_chain(std::string(cert) + cert);
  REQUIRE(chain);
  CHECK(chain->pem.size() == 2);
}

TEST_CASE("service: URLs are https, or http to a loopback host only")
{
  CHECK(keyless::service_url("https://fulcio.sigstore.dev", "--fulcio-url"));
  CHECK(keyless::service_url("http://127.0.0.1:8080", "--fulcio-url"));
  CHECK(keyless::service_url("http://localhost:8080/prefix", "--fulcio-url"));
  const auto plain = keyless::service_url("http://fulcio.example", "--fulcio-url");
  REQUIRE(!plain);
  CHECK(plain.error().message.find("use https") != std::string::npos);
  CHECK(!keyless::service_url("ftp://x", "--fulcio-url"));
  CHECK(!keyless::service_url("https://user:pw@x", "--fulcio-url"));
  const auto base = keyless::service_url("https://h.example/prefix/", "--rekor-url");
  REQUIRE(base);
  CHECK(keyless::endpoint(*base, "/api/v1/log/entries").str() == "https://h.example/prefix/api/v1/log/entries");
}

TEST_CASE("service: a refusal is one escaped line naming the service and its message")
{
  sigil::http::Response r;
  r.status = 400;
  r.body = "{\"code\":3,\"message\":\"proof of possession\\n\\u001b[31mforged line\"}";
  const auto m = keyless::refusal_message("fulcio", r);
  CHECK(m.starts_with("fulcio: refused with HTTP 400: proof of possession"));
  CHECK(m.find('\n') == std::string::npos);
  CHECK(m.find('\x1b') == std::string::npos);
}

TEST_CASE("timestamp request: DER with a SHA-256 imprint and a 160-bit nonce; an answer for another request fails")
{
  const auto req = sigil::crypto::make_timestamp_request(as_bytes("signature"));
  REQUIRE(req);
  CHECK(req->nonce.size() == 20);
  CHECK(req->der.size() > 60);
  const auto other = sigil::crypto::make_timestamp_request(as_bytes("signature"));
  REQUIRE(other);
  CHECK(req->nonce != other->nonce);
  CHECK(!sigil::crypto::check_timestamp_response(req->der, *req)); // a request is not a response
}
