// Tests for sigil::dsse: PAE against the DSSE spec's vectors, signing and verification with
// every key type, the `.att` layer bytes, and the envelope parser's refusals.
//
// Vectors: secure-systems-lab/dsse protocol.md ("Test Vectors": PAE of hello world and an
// ECDSA P-256 signature in raw r||s form) and testvectors/vectors.json (Ed25519 keys A and B
// are RFC 8032 test keys 1 and 2; Ed25519 is deterministic, so our signatures must match).
#include "sigil/dsse/envelope.hpp"

#include "sigil/crypto/key.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/util/encoding.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::crypto::KeyKind;
using sigil::crypto::PrivateKey;
using sigil::crypto::PublicKey;
using sigil::dsse::Envelope;
using sigil::util::Bytes;
using sigil::util::to_bytes;

constexpr std::string_view k_in_toto = "application/vnd.in-toto+json";
// {"_type":"https://in-toto.io/Statement/v1"}, the payload of most vectors.json vectors.
constexpr std::string_view k_vector_payload_b64 = "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==";
constexpr std::string_view k_sig_a =
    "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==";
constexpr std::string_view k_sig_b =
    "c1+67/aT0yqEpwx8PsVY3MLHsj9D0CZ014/Fv/QlG59P+9CobUZ7xECJ/V3USG0Ob9CiE5LjReEZUzNF2l7eBw==";

Bytes hex(std::string_view text)
{
  auto r = sigil::util::hex_decode(text);
  REQUIRE(r.has_value());
  return *r;
}

Bytes b64(std::string_view text)
{
  auto r = sigil::util::base64_decode_any(text);
  REQUIRE(r.has_value());
  return *r;
}

std::string str(const Bytes& b)
{
  return std::string(sigil::util::as_chars(b));
}

// Ed25519 key pair from an RFC 8032 seed (PKCS#8 v1 and PKIX wrappers around the raw bytes).
PrivateKey ed25519_private(std::string_view seed_hex)
{
  auto r = PrivateKey::from_pkcs8_der(hex(std::string("302e020100300506032b657004220420") + std::string(seed_hex)));
  REQUIRE(r.has_value());
  return std::move(*r);
}

PublicKey ed25519_public(std::string_view pub_hex)
{
  auto r = PublicKey::from_der(hex(std::string("302a300506032b6570032100") + std::string(pub_hex)));
  REQUIRE(r.has_value());
  return std::move(*r);
}

PrivateKey key_a()
{
  return ed25519_private("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
}
PublicKey pub_a()
{
  return ed25519_public("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}
PublicKey pub_b()
{
  return ed25519_public("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
}

PrivateKey generate(KeyKind kind)
{
  auto r = PrivateKey::generate(kind);
  REQUIRE(r.has_value());
  return std::move(*r);
}

std::string envelope_json(std::string_view payload, std::string_view type, std::string_view signatures)
{
  return R"({"payload":")" + std::string(payload) + R"(","payloadType":")" + std::string(type) + R"(","signatures":)" +
         std::string(signatures) + "}";
}

std::string signatures_json(std::size_t count)
{
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i) {
    out += i == 0 ? R"({"sig":"c2ln"})" : R"(,{"sig":"c2ln"})";
  }
  return out + "]";
}

} // namespace

TEST_CASE("dsse pae: the spec's vectors")
{
  // protocol.md "Test Vectors".
  CHECK(str(sigil::dsse::pae("http://example.com/HelloWorld", to_bytes("hello world"))) ==
        "DSSEv1 29 http://example.com/HelloWorld 11 hello world");

  struct Case {
    std::string name;
    std::string type;
    std::string payload_b64;
    std::string pae_hex;
  };
  // testvectors/vectors.json "pae" fields.
  const std::vector<Case> cases = {
      {"single-signature", std::string(k_in_toto), std::string(k_vector_payload_b64),
       "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b225f74797065223a22687474"
       "70733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d"},
      {"url-safe-base64 (binary body)", std::string(k_in_toto),
       "-_-_Pj8=", "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf3e3f"},
      {"non-ascii-payload-type (LEN counts bytes)", "application/vnd.ex\xc3\xa4mple+json",
       std::string(k_vector_payload_b64),
       "445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a226874"
       "7470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d"},
      {"empty-payload (trailing space)", std::string(k_in_toto), "",
       "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020"},
      {"empty-payload-type", "", std::string(k_vector_payload_b64),
       "445353457631203020203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227"
       "d"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(sigil::util::hex_encode(sigil::dsse::pae(c.type, b64(c.payload_b64))) == c.pae_hex);
  }
}

TEST_CASE("dsse pae: lengths are decimal byte counts without leading zeros")
{
  const std::string body(1000, 'x');
  const Bytes p = sigil::dsse::pae("t", to_bytes(body));
  CHECK(str(p) == "DSSEv1 1 t 1000 " + body);
  CHECK(str(sigil::dsse::pae("", {})) == "DSSEv1 0  0 ");
  // A body holding NUL and spaces is copied byte for byte.
  const std::string binary("\x00\x20\xff", 3);
  CHECK(str(sigil::dsse::pae("a b", to_bytes(binary))) == "DSSEv1 3 a b 3 " + binary);
}

TEST_CASE("dsse sign: Ed25519 signatures match the spec's vectors byte for byte")
{
  const auto env = sigil::dsse::sign(key_a(), k_in_toto, b64(k_vector_payload_b64));
  REQUIRE(env.has_value());
  REQUIRE(env->signatures.size() == 1);
  CHECK(sigil::util::base64_encode(env->signatures[0].sig) == k_sig_a);
  CHECK(env->signatures[0].keyid.empty());
  CHECK(sigil::dsse::serialize(*env) == R"({"payload":")" + std::string(k_vector_payload_b64) +
                                            R"(","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":")" +
                                            std::string(k_sig_a) + R"("}]})");
}

TEST_CASE("dsse verify: the spec's vectors")
{
  struct Case {
    std::string name;
    std::string json;
    std::vector<bool> with_a; // per signature, verified with key A
  };
  const std::string sig_a = R"({"sig":")" + std::string(k_sig_a) + R"(","keyid":"A"})";
  const std::string sig_b = R"({"sig":")" + std::string(k_sig_b) + R"(","keyid":"B"})";
  const std::vector<Case> cases = {
      {"single-signature", envelope_json(k_vector_payload_b64, k_in_toto, "[" + sig_a + "]"), {true}},
      {"url-safe-base64",
       envelope_json(
           "-_-_Pj8=", k_in_toto,
           R"([{"sig":"P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw=="}])"),
       {true}},
      {"payload-type-swapped",
       envelope_json(k_vector_payload_b64, "application/vnd.example.other+json", "[" + sig_a + "]"),
       {false}},
      {"non-ascii-payload-type",
       envelope_json(
           k_vector_payload_b64, "application/vnd.ex\xc3\xa4mple+json",
           R"([{"sig":"xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw=="}])"),
       {true}},
      {"empty-payload",
       envelope_json(
           "", k_in_toto,
           R"([{"sig":"gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg=="}])"),
       {true}},
      // The signature is valid; refusing the empty type is the caller's payloadType check.
      {"empty-payload-type",
       envelope_json(
           k_vector_payload_b64, "",
           R"([{"sig":"iC3q/+3Rm0+lpAJRueDmDh15PnwCfxKmS0NAfKsbv+zgulXQC/WM9trc+j1XEqlwDIg/vf/uNfebeD6sxInrDg=="}])"),
       {true}},
      {"threshold-two-distinct-keys",
       envelope_json(k_vector_payload_b64, k_in_toto, "[" + sig_a + "," + sig_b + "]"),
       {true, false}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto env = sigil::dsse::parse(c.json);
    REQUIRE_MESSAGE(env.has_value(), env.error().message);
    const auto checks = sigil::dsse::verify(*env, pub_a());
    REQUIRE(checks.size() == c.with_a.size());
    for (std::size_t i = 0; i < checks.size(); ++i) {
      CHECK(checks[i].index == i);
      CHECK(checks[i].verified == c.with_a[i]);
    }
  }
  // Key B verifies the second signature of the threshold vector.
  const auto two = sigil::dsse::parse(envelope_json(k_vector_payload_b64, k_in_toto, "[" + sig_a + "," + sig_b + "]"));
  REQUIRE(two.has_value());
  const auto with_b = sigil::dsse::verify(*two, pub_b());
  REQUIRE(with_b.size() == 2);
  CHECK_FALSE(with_b[0].verified);
  CHECK(with_b[1].verified);
  CHECK(two->signatures[1].keyid == "B");
}

TEST_CASE("dsse verify: protocol.md ECDSA P-256 vector (raw r||s signature)")
{
  const auto key = PublicKey::from_der(
      hex("3059301306072a8648ce3d020106082a8648ce3d0301070342000467cd390f77aa359cb08c2235f652270493a9ed832b0abcc01f709"
          "54c0390d2380c782bd54e269125a44f4433aff1432ce94e12bca73aa67ac80cea12608ddf74"));
  REQUIRE(key.has_value());
  const auto env = sigil::dsse::parse(
      R"({"payload": "aGVsbG8gd29ybGQ=", "payloadType": "http://example.com/HelloWorld", "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]})");
  REQUIRE(env.has_value());
  CHECK(str(env->payload) == "hello world");
  const auto checks = sigil::dsse::verify(*env, *key);
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].verified);
}

TEST_CASE("dsse round trip with every key type")
{
  const std::string payload = R"({"_type":"https://in-toto.io/Statement/v1",  "subject":[]})";
  for (const auto kind : {KeyKind::ecdsa_p256, KeyKind::ecdsa_p384, KeyKind::ed25519, KeyKind::rsa_3072}) {
    const PrivateKey key = generate(kind);
    CAPTURE(sigil::crypto::key_algorithm_name(key.algorithm()));
    const auto env = sigil::dsse::sign(key, k_in_toto, to_bytes(payload));
    REQUIRE(env.has_value());
    const std::string bytes = sigil::dsse::serialize(*env);
    CHECK(bytes.starts_with(R"({"payload":")"));
    CHECK(bytes.find("keyid") == std::string::npos);
    CHECK(bytes.find(' ') == std::string::npos);

    const auto parsed = sigil::dsse::parse(bytes);
    REQUIRE(parsed.has_value());
    CHECK(str(parsed->payload) == payload); // the exact bytes, whitespace included
    CHECK(parsed->payload_type == k_in_toto);
    const auto checks = sigil::dsse::verify(*parsed, key.public_key());
    REQUIRE(checks.size() == 1);
    CHECK(checks[0].verified);
    CHECK(checks[0].reason.find("verified") != std::string::npos);
    CHECK(sigil::dsse::any_verified(checks));
    // The signature is an ordinary signature over the PAE bytes.
    CHECK(sigil::crypto::verify_message(key.public_key(), sigil::dsse::pae(k_in_toto, to_bytes(payload)),
                                        parsed->signatures[0].sig));
    // Another key of the same type does not verify it.
    CHECK_FALSE(sigil::dsse::any_verified(sigil::dsse::verify(*parsed, generate(kind).public_key())));
  }
}

TEST_CASE("dsse verify: tampering is rejected")
{
  const PrivateKey key = generate(KeyKind::ecdsa_p256);
  const auto signed_env = sigil::dsse::sign(key, k_in_toto, to_bytes(R"({"a":1})"));
  REQUIRE(signed_env.has_value());
  REQUIRE(sigil::dsse::verify(*signed_env, key.public_key())[0].verified);

  SUBCASE("payload")
  {
    Envelope env = *signed_env;
    env.payload = to_bytes(R"({"a":2})");
    const auto checks = sigil::dsse::verify(env, key.public_key());
    CHECK_FALSE(checks[0].verified);
    CHECK(checks[0].reason.find("does not verify") != std::string::npos);
  }
  SUBCASE("payload re-serialised (same JSON meaning, other bytes)")
  {
    Envelope env = *signed_env;
    env.payload = to_bytes(R"({"a": 1})");
    CHECK_FALSE(sigil::dsse::verify(env, key.public_key())[0].verified);
  }
  SUBCASE("payloadType")
  {
    Envelope env = *signed_env;
    env.payload_type = "application/vnd.in-toto+jsoN";
    CHECK_FALSE(sigil::dsse::verify(env, key.public_key())[0].verified);
  }
  SUBCASE("signature")
  {
    Envelope env = *signed_env;
    env.signatures[0].sig.back() ^= 0x01;
    CHECK_FALSE(sigil::dsse::verify(env, key.public_key())[0].verified);
  }
  SUBCASE("empty signature")
  {
    Envelope env = *signed_env;
    env.signatures[0].sig.clear();
    const auto checks = sigil::dsse::verify(env, key.public_key());
    CHECK_FALSE(checks[0].verified);
    CHECK(checks[0].reason == "signature is empty");
  }
  SUBCASE("tampered in the serialised envelope")
  {
    std::string json = sigil::dsse::serialize(*signed_env);
    const auto pos = json.find(R"("payload":")") + 11;
    json[pos] = json[pos] == 'e' ? 'f' : 'e';
    const auto env = sigil::dsse::parse(json);
    REQUIRE(env.has_value());
    CHECK_FALSE(sigil::dsse::any_verified(sigil::dsse::verify(*env, key.public_key())));
  }
}

TEST_CASE("dsse verify: two signatures, one bad, are reported one by one")
{
  const PrivateKey first = generate(KeyKind::ecdsa_p256);
  const PrivateKey second = generate(KeyKind::ed25519);
  auto env = sigil::dsse::sign(first, k_in_toto, to_bytes("{}"));
  REQUIRE(env.has_value());
  REQUIRE(sigil::dsse::add_signature(*env, second).has_value());
  env->signatures[1].sig[0] ^= 0x80; // spoil the second

  const auto parsed = sigil::dsse::parse(sigil::dsse::serialize(*env));
  REQUIRE(parsed.has_value());
  const auto with_first = sigil::dsse::verify(*parsed, first.public_key());
  REQUIRE(with_first.size() == 2);
  CHECK(with_first[0].index == 0);
  CHECK(with_first[0].verified);
  CHECK(with_first[1].index == 1);
  CHECK_FALSE(with_first[1].verified);
  CHECK(sigil::dsse::any_verified(with_first));

  const auto with_second = sigil::dsse::verify(*parsed, second.public_key());
  CHECK_FALSE(with_second[0].verified);
  CHECK_FALSE(with_second[1].verified);
  CHECK_FALSE(sigil::dsse::any_verified(with_second));
  CHECK(with_second[1].reason.find(second.public_key().fingerprint()) != std::string::npos);
}

TEST_CASE("dsse serialize: cosign's .att layer bytes")
{
  const Envelope env{
      "http://example.com/HelloWorld", to_bytes("hello world"), {{to_bytes("sig"), ""}, {to_bytes("s2"), "k1"}}};
  CHECK(sigil::dsse::serialize(env) == R"({"payload":"aGVsbG8gd29ybGQ=","payloadType":"http://example.com/HelloWorld",)"
                                       R"("signatures":[{"sig":"c2ln"},{"sig":"czI=","keyid":"k1"}]})");
  CHECK(sigil::dsse::k_envelope_media_type == "application/vnd.dsse.envelope.v1+json");
}

TEST_CASE("dsse parse: accepted forms")
{
  SUBCASE("URL-safe base64, padded and unpadded, and standard base64 with line breaks")
  {
    for (const std::string payload : {"-_-_Pj8=", "-_-_Pj8", "+/+/Pj8="}) {
      CAPTURE(payload);
      const auto env = sigil::dsse::parse(envelope_json(payload, "t", R"([{"sig":"c2ln"}])"));
      REQUIRE_MESSAGE(env.has_value(), env.error().message);
      CHECK(env->payload == Bytes{0xfb, 0xff, 0xbf, 0x3e, 0x3f});
    }
    const auto wrapped = sigil::dsse::parse(envelope_json("aGVsbG8g\\nd29ybGQ=", "t", R"([{"sig":"c2ln"}])"));
    REQUIRE(wrapped.has_value());
    CHECK(str(wrapped->payload) == "hello world");
  }
  SUBCASE("unknown members ignored, keyid kept when a string, ignored otherwise")
  {
    const auto env = sigil::dsse::parse(
        R"({"x":[1],"payloadType":"t","payload":"","signatures":[{"keyid":"k","sig":"c2ln","extra":1},{"sig":"c2ln","keyid":7}]})");
    REQUIRE(env.has_value());
    CHECK(env->payload.empty());
    CHECK(env->signatures[0].keyid == "k");
    CHECK(env->signatures[1].keyid.empty());
  }
  SUBCASE("32 signatures, and a payload exactly at the cap")
  {
    CHECK(sigil::dsse::parse(envelope_json("", "t", signatures_json(32))).has_value());
    CHECK(sigil::dsse::parse(envelope_json("aGVsbG8gd29ybGQ=", "t", signatures_json(1)), 11).has_value());
  }
}

TEST_CASE("dsse parse: malformed envelopes are refused with the field named")
{
  struct Case {
    std::string name;
    std::string json;
    std::string message;
  };
  const std::string ok_sigs = R"([{"sig":"c2ln"}])";
  const std::vector<Case> cases = {
      {"not JSON", "{", "invalid JSON"},
      {"empty input", "", "invalid JSON"},
      {"not an object", "[]", "dsse envelope is not a JSON object"},
      {"payload missing", R"({"payloadType":"t","signatures":[{"sig":"c2ln"}]})", "missing field \"payload\""},
      {"payloadType missing", R"({"payload":"","signatures":[{"sig":"c2ln"}]})", "missing field \"payloadType\""},
      {"signatures missing", R"({"payload":"","payloadType":"t"})", "missing field \"signatures\""},
      {"payload not a string", R"({"payload":1,"payloadType":"t","signatures":[{"sig":"c2ln"}]})",
       "field \"payload\" is not a string"},
      {"payloadType not a string", R"({"payload":"","payloadType":null,"signatures":[]})",
       "field \"payloadType\" is not a string"},
      {"signatures not an array", envelope_json("", "t", "{}"), "field \"signatures\" is not an array"},
      {"payload not base64", envelope_json("*!*", "t", ok_sigs), "field \"payload\": invalid base64"},
      {"no signatures", envelope_json("", "t", "[]"), "dsse envelope has 0 signatures (1 to 32 allowed)"},
      {"33 signatures", envelope_json("", "t", signatures_json(33)), "dsse envelope has 33 signatures"},
      {"signature not an object", envelope_json("", "t", R"([{"sig":"c2ln"},"c2ln"])"),
       "dsse signature 1 is not a JSON object"},
      {"sig missing", envelope_json("", "t", R"([{"keyid":"k"}])"),
       "dsse signature: missing field \"sig\" (signature 0)"},
      {"sig not base64", envelope_json("", "t", R"([{"sig":"c2ln"},{"sig":"@@"}])"),
       "dsse signature: field \"sig\": invalid base64"},
      {"sig not a string", envelope_json("", "t", R"([{"sig":7}])"), "field \"sig\" is not a string"},
      {"duplicate payload", R"({"payload":"","payload":"YQ==","payloadType":"t","signatures":[{"sig":"c2ln"}]})",
       "duplicate key \"payload\""},
      {"duplicate sig", envelope_json("", "t", R"([{"sig":"c2ln","sig":"YQ=="}])"), "duplicate key \"sig\""},
      {"payload over the cap", envelope_json(std::string(1400000, 'A'), "t", ok_sigs),
       "dsse payload has 1050000 bytes, more than the limit of 1048576 bytes"},
      {"too deep",
       R"({"payload":"","payloadType":"t","signatures":[{"sig":"c2ln"}],"x":)" + std::string(70, '[') +
           std::string(70, ']') + "}",
       "nested deeper than 64 levels"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto r = sigil::dsse::parse(c.json);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK(r.error().message.starts_with("malformed dsse envelope: "));
    CHECK_MESSAGE(r.error().message.find(c.message) != std::string::npos, r.error().message);
  }
  // The cap is a parameter.
  const auto small = sigil::dsse::parse(envelope_json("aGVsbG8gd29ybGQ=", "t", ok_sigs), 10);
  REQUIRE_FALSE(small.has_value());
  CHECK(small.error().message.find("dsse payload has 11 bytes, more than the limit of 10 bytes") != std::string::npos);
}
