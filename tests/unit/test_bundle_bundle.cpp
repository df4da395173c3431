// Tests for sigil::bundle: the Sigstore bundle writer (exact bytes), the v0.1-v0.3 reader, the
// cosign legacy blob bundle reader and format detection.
#include "sigil/bundle/bundle.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::bundle::Bundle;
using sigil::bundle::BundleKind;
using sigil::bundle::DsseEnvelope;
using sigil::bundle::MessageSignature;
using sigil::bundle::parse_bundle;
using sigil::crypto::HashAlgorithm;
using sigil::util::Bytes;
using sigil::util::Json;
using sigil::util::to_bytes;

// sha256("") and its base64.
const Bytes k_empty_sha256 = [] {
  auto r = sigil::util::hex_decode("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  return r.value_or(Bytes{});
}();
constexpr std::string_view k_empty_sha256_b64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
constexpr std::string_view k_v03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

// A minimal valid bundle around a messageSignature; pieces are replaced per case.
struct Parts {
  std::string media_type{k_v03};
  std::string verification_material = R"({"publicKey":{"hint":"aGludA=="}})";
  std::string content = R"("messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":")" +
                        std::string(k_empty_sha256_b64) + R"("},"signature":"YWJj"})";

  [[nodiscard]] std::string json() const
  {
    return R"({"mediaType":")" + media_type + R"(","verificationMaterial":)" + verification_material +
           (content.empty() ? "" : "," + content) + "}";
  }
};

std::string tlog_entries(std::size_t count)
{
  std::string out = R"({"publicKey":{"hint":"x"},"tlogEntries":[)";
  for (std::size_t i = 0; i < count; ++i) {
    out += i == 0 ? "{}" : ",{}";
  }
  return out + "]}";
}

std::string dsse_content(std::size_t signatures)
{
  std::string out =
      R"("dsseEnvelope":{"payload":"eyJhIjoxfQ==","payloadType":"application/vnd.in-toto+json","signatures":[)";
  for (std::size_t i = 0; i < signatures; ++i) {
    out += i == 0 ? R"({"sig":"c2ln","keyid":""})" : R"(,{"sig":"c2ln"})";
  }
  return out + "]}";
}

} // namespace

TEST_CASE("write_bundle: exact bytes for a message signature")
{
  Bundle b;
  b.public_key_hint = "v8sTX+IO0GWN1u27UvTdsPEn8uZb/y0wWO/WeLlzRV4=";
  b.content = MessageSignature{HashAlgorithm::sha256, k_empty_sha256, to_bytes("abc")};
  const std::string expected =
      R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",)"
      R"("verificationMaterial":{"publicKey":{"hint":"v8sTX+IO0GWN1u27UvTdsPEn8uZb/y0wWO/WeLlzRV4="}},)"
      R"("messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},)"
      R"("signature":"YWJj"}})";
  CHECK(sigil::bundle::write_bundle(b) == expected);

  // And it reads back to the same values.
  const auto parsed = parse_bundle(expected);
  REQUIRE(parsed.has_value());
  CHECK(parsed->media_type == k_v03);
  CHECK(parsed->public_key_hint == b.public_key_hint);
  const auto* ms = std::get_if<MessageSignature>(&parsed->content);
  REQUIRE(ms != nullptr);
  CHECK(ms->digest_algorithm == HashAlgorithm::sha256);
  CHECK(ms->digest == k_empty_sha256);
  CHECK(ms->signature == to_bytes("abc"));
}

TEST_CASE("write_bundle: SHA2_384/512 names, no hint, DSSE field order")
{
  SUBCASE("sha384 and no public key hint")
  {
    Bundle b;
    b.content = MessageSignature{HashAlgorithm::sha384, Bytes(48, 0), to_bytes("s")};
    const std::string out = sigil::bundle::write_bundle(b);
    CHECK(
        out.starts_with(R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},)"));
    CHECK(out.find(R"("algorithm":"SHA2_384")") != std::string::npos);
    const auto parsed = parse_bundle(out);
    REQUIRE(parsed.has_value());
    CHECK_FALSE(parsed->public_key_hint.has_value());
  }
  SUBCASE("DSSE envelope")
  {
    Bundle b;
    b.public_key_hint = "h";
    b.content = DsseEnvelope{
        "application/vnd.in-toto+json", to_bytes("{\"a\":1}"), {{to_bytes("sig"), "k1"}, {to_bytes("s2"), ""}}};
    const std::string expected =
        R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"h"}},)"
        R"("dsseEnvelope":{"payload":"eyJhIjoxfQ==","payloadType":"application/vnd.in-toto+json",)"
        R"("signatures":[{"sig":"c2ln","keyid":"k1"},{"sig":"czI="}]}})";
    CHECK(sigil::bundle::write_bundle(b) == expected);
  }
}

TEST_CASE("parse_bundle: media types")
{
  struct Case {
    std::string media_type;
    bool accepted;
  };
  const Case cases[] = {
      {"application/vnd.dev.sigstore.bundle.v0.3+json", true},
      {"application/vnd.dev.sigstore.bundle+json;version=0.3", true},
      {"application/vnd.dev.sigstore.bundle+json;version=0.2", true},
      {"application/vnd.dev.sigstore.bundle+json;version=0.1", true},
      {"application/vnd.dev.sigstore.bundle+json;version=0.4", false},
      {"application/vnd.dev.sigstore.bundle.v0.4+json", false},
      {"application/vnd.dev.sigstore.bundle.v0.3+JSON", false},
      {"application/vnd.dev.sigstore.bundle+json", false},
      {"this is completely wrong", false},
      {"", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.media_type);
    Parts parts;
    parts.media_type = c.media_type;
    const auto r = parse_bundle(parts.json());
    CHECK(r.has_value() == c.accepted);
    if (r) {
      CHECK(r->media_type == c.media_type);
    } else {
      CHECK(r.error().code == ErrorCode::bad_input);
      CHECK(r.error().message.find("unsupported mediaType") != std::string::npos);
    }
  }
  const auto not_string = parse_bundle(R"({"mediaType":3,"verificationMaterial":{},"messageSignature":{}})");
  REQUIRE_FALSE(not_string.has_value());
  CHECK(not_string.error().message.find("\"mediaType\"") != std::string::npos);
}

TEST_CASE("parse_bundle: malformed bundles are refused")
{
  struct Case {
    std::string name;
    std::string json;
    std::string message;
  };
  auto with = [](auto edit) {
    Parts p;
    edit(p);
    return p.json();
  };
  const std::string both = Parts{}.content + "," + dsse_content(1);
  const std::vector<Case> cases = {
      {"not JSON", "{", "malformed bundle: invalid JSON"},
      {"not an object", "[]", "malformed bundle"},
      {"both contents", with([&](Parts& p) { p.content = both; }), "exactly one of messageSignature and dsseEnvelope"},
      {"no content", with([](Parts& p) { p.content.clear(); }), "exactly one of messageSignature and dsseEnvelope"},
      {"no verification material",
       R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{}})",
       "missing field \"verificationMaterial\""},
      {"publicKey not an object", with([](Parts& p) { p.verification_material = R"({"publicKey":"x"})"; }),
       "field \"publicKey\" is not an object"},
      {"digest too short", with([](Parts& p) {
         p.content =
             R"("messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":"YWJj"})";
       }),
       "message digest has 3 bytes, SHA2_256 wants 32"},
      {"sha256 digest labelled SHA2_384", with([](Parts& p) {
         p.content = R"("messageSignature":{"messageDigest":{"algorithm":"SHA2_384","digest":")" +
                     std::string(k_empty_sha256_b64) + R"("},"signature":"YWJj"})";
       }),
       "message digest has 32 bytes, SHA2_384 wants 48"},
      {"unknown digest algorithm", with([](Parts& p) {
         p.content =
             R"("messageSignature":{"messageDigest":{"algorithm":"SHA3_256","digest":"AAAA"},"signature":"YWJj"})";
       }),
       "unsupported message digest algorithm SHA3_256"},
      {"digest not base64", with([](Parts& p) {
         p.content =
             R"("messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"!!"},"signature":"YWJj"})";
       }),
       "field \"digest\""},
      {"signature missing", with([](Parts& p) {
         p.content = R"("messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":")" +
                     std::string(k_empty_sha256_b64) + R"("}})";
       }),
       "missing field \"signature\""},
      {"33 tlog entries", with([](Parts& p) { p.verification_material = tlog_entries(33); }),
       "bundle has 33 transparency log entries (at most 32)"},
      {"tlogEntries not an array", with([](Parts& p) { p.verification_material = R"({"tlogEntries":{}})"; }),
       "field \"tlogEntries\" is not an array"},
      {"DSSE without signatures", with([](Parts& p) { p.content = dsse_content(0); }),
       "dsse envelope has 0 signatures"},
      {"DSSE with 33 signatures", with([](Parts& p) { p.content = dsse_content(33); }),
       "dsse envelope has 33 signatures"},
      {"DSSE signature not base64", with([](Parts& p) {
         p.content = R"("dsseEnvelope":{"payload":"","payloadType":"t","signatures":[{"sig":"*"}]})";
       }),
       "dsse signature: field \"sig\""},
      {"DSSE payloadType missing",
       with([](Parts& p) { p.content = R"("dsseEnvelope":{"payload":"","signatures":[{"sig":"c2ln"}]})"; }),
       "missing field \"payloadType\""},
      {"too deep",
       R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","x":)" + std::string(70, '[') +
           std::string(70, ']') + "}",
       "nested deeper than 64 levels"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto r = parse_bundle(c.json);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK(r.error().message.starts_with("malformed bundle"));
    CHECK_MESSAGE(r.error().message.find(c.message) != std::string::npos, r.error().message);
  }
}

TEST_CASE("parse_bundle: verification material")
{
  SUBCASE("32 tlog entries are accepted and counted")
  {
    Parts p;
    p.verification_material = tlog_entries(32);
    const auto r = parse_bundle(p.json());
    REQUIRE(r.has_value());
    CHECK(r->tlog_entries == 32);
    CHECK(r->public_key_hint == "x");
    CHECK_FALSE(r->has_certificate);
  }
  SUBCASE("certificate and x509CertificateChain are noticed")
  {
    for (const std::string vm :
         {R"({"certificate":{"rawBytes":"AA=="}})", R"({"x509CertificateChain":{"certificates":[{"rawBytes":"AA=="}]}})"}) {
      CAPTURE(vm);
      Parts p;
      p.verification_material = vm;
      const auto r = parse_bundle(p.json());
      REQUIRE(r.has_value());
      CHECK(r->has_certificate);
      CHECK_FALSE(r->public_key_hint.has_value());
      CHECK(r->tlog_entries == 0);
    }
  }
  SUBCASE("an empty certificate chain, both forms, or a key hint with a certificate are refused")
  {
    for (const std::string vm :
         {R"({"x509CertificateChain":{"certificates":[]}})",
          R"({"certificate":{"rawBytes":"AA=="},"x509CertificateChain":{"certificates":[{"rawBytes":"AA=="}]}})",
          R"({"publicKey":{"hint":"x"},"certificate":{"rawBytes":"AA=="}})"}) {
      CAPTURE(vm);
      Parts p;
      p.verification_material = vm;
      const auto r = parse_bundle(p.json());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == sigil::ErrorCode::bad_input);
    }
  }
  SUBCASE("a publicKey without a hint is accepted")
  {
    Parts p;
    p.verification_material = R"({"publicKey":{}})";
    const auto r = parse_bundle(p.json());
    REQUIRE(r.has_value());
    CHECK_FALSE(r->public_key_hint.has_value());
  }
  SUBCASE("URL-safe base64 in the signature is accepted (protobuf-JSON allows both)")
  {
    Parts p;
    p.content = R"("messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":")" +
                std::string(k_empty_sha256_b64) + R"("},"signature":"-_-_"})";
    const auto r = parse_bundle(p.json());
    REQUIRE(r.has_value());
    CHECK(std::get<MessageSignature>(r->content).signature == Bytes{0xfb, 0xff, 0xbf});
  }
}

TEST_CASE("parse_bundle: DSSE envelope")
{
  Parts p;
  p.content = dsse_content(2);
  const auto r = parse_bundle(p.json());
  REQUIRE(r.has_value());
  const auto* env = std::get_if<DsseEnvelope>(&r->content);
  REQUIRE(env != nullptr);
  CHECK(env->payload_type == "application/vnd.in-toto+json");
  CHECK(env->payload == to_bytes("{\"a\":1}"));
  REQUIRE(env->signatures.size() == 2);
  CHECK(env->signatures[0].sig == to_bytes("sig"));
  CHECK(env->signatures[0].keyid.empty());
  CHECK(env->signatures[1].sig == to_bytes("sig"));

  p.content =
      R"("dsseEnvelope":{"payload":"","payloadType":"t","signatures":[{"sig":"c2ln","keyid":"abc"},{"sig":"c2ln","keyid":7}]})";
  const auto with_keyid = parse_bundle(p.json());
  REQUIRE(with_keyid.has_value());
  const auto& sigs = std::get<DsseEnvelope>(with_keyid->content).signatures;
  CHECK(sigs[0].keyid == "abc");
  CHECK(sigs[1].keyid.empty()); // a non-string keyid is ignored
  CHECK(std::get<DsseEnvelope>(with_keyid->content).payload.empty());
}

TEST_CASE("parse_legacy_bundle: cosign's blob bundle")
{
  const auto full = sigil::bundle::parse_legacy_bundle(
      R"({"base64Signature":"YWJj","cert":"LS0tLS1CRUdJTg==","rekorBundle":{"SignedEntryTimestamp":"x","Payload":{}}})");
  REQUIRE(full.has_value());
  CHECK(full->signature == to_bytes("abc"));
  CHECK(full->cert == "LS0tLS1CRUdJTg==");
  CHECK(full->has_rekor_bundle);

  const auto minimal = sigil::bundle::parse_legacy_bundle(R"({"base64Signature":"YWJj"})");
  REQUIRE(minimal.has_value());
  CHECK_FALSE(minimal->cert.has_value());
  CHECK_FALSE(minimal->has_rekor_bundle);

  struct Case {
    std::string json;
    std::string message;
  };
  const Case cases[] = {
      {"{}", "missing field \"base64Signature\""},
      {R"({"base64Signature":5})", "field \"base64Signature\" is not a string"},
      {R"({"base64Signature":"***"})", "field \"base64Signature\""},
      {R"({"base64Signature":"YWJj","cert":{}})", "field \"cert\" is not a string"},
      {"nope", "invalid JSON"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    const auto r = sigil::bundle::parse_legacy_bundle(c.json);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK(r.error().message.starts_with("malformed bundle"));
    CHECK(r.error().message.find(c.message) != std::string::npos);
  }
}

TEST_CASE("detect_bundle_kind")
{
  struct Case {
    std::string json;
    std::optional<BundleKind> kind; // nullopt = error
  };
  const Case cases[] = {
      {Parts{}.json(), BundleKind::sigstore},
      {R"({"mediaType":"anything"})", BundleKind::sigstore},
      {R"({"base64Signature":"YWJj"})", BundleKind::cosign_legacy},
      {R"({"mediaType":"x","base64Signature":"YWJj"})", BundleKind::sigstore},
      {"{}", std::nullopt},
      {R"({"payload":"x"})", std::nullopt},
      {"[]", std::nullopt},
      {"\"mediaType\"", std::nullopt},
      {"", std::nullopt},
      {"{", std::nullopt},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    const auto r = sigil::bundle::detect_bundle_kind(c.json);
    REQUIRE(r.has_value() == c.kind.has_value());
    if (c.kind) {
      CHECK(*r == *c.kind);
    } else {
      CHECK(r.error().code == ErrorCode::bad_input);
      CHECK(r.error().message.starts_with("malformed bundle"));
    }
  }
}
