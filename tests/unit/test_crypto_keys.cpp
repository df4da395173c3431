// Tests for sigil::crypto keys and signatures: generation, PKCS#8/PKIX codecs, the key hint,
// cosign's key-strength policy, and sign/verify for every supported algorithm.
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/pem.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <array>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::crypto::HashAlgorithm;
using sigil::crypto::KeyAlgorithm;
using sigil::crypto::KeyKind;
using sigil::crypto::PkeyPtr;
using sigil::crypto::PrivateKey;
using sigil::crypto::PublicKey;
using sigil::util::Bytes;
using sigil::util::to_bytes;

// cosign 2.5 `generate-key-pair` public key (tests/fixtures), with its hint and fingerprint
// computed independently:
//   openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64
constexpr std::string_view k_p256_pem = "-----BEGIN PUBLIC KEY-----\n"
                                        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2rbPStt1/6YvibpxRXqJoV95SCSm\n"
                                        "ptp/FJMA+KKP4NdJZ0jk2nI3gpO49wsImhY2w8FIoJOrYRTj4uqtis6MRg==\n"
                                        "-----END PUBLIC KEY-----\n";
constexpr std::string_view k_p256_hint = "v8sTX+IO0GWN1u27UvTdsPEn8uZb/y0wWO/WeLlzRV4=";
constexpr std::string_view k_p256_fingerprint =
    "sha256:bfcb135fe20ed0658dd6edbb52f4ddb0f127f2e65bff2d3058efd678b973455e";
// sigstore-rs ed25519_encrypted_private.derived.pub, hint computed the same way.
constexpr std::string_view k_ed25519_pem = "-----BEGIN PUBLIC KEY-----\n"
                                           "MCowBQYDK2VwAyEA0wPx5IPYFxOgyXGhUUhHmLHxTyvSil4ZhGPi/Q6eKO0=\n"
                                           "-----END PUBLIC KEY-----\n";
constexpr std::string_view k_ed25519_hint = "rUjrzmwmtQUkbEzEx1P2SDqNxkXRINMG1ogeP5j3Cp4=";

// sigstore-rs tests/data/keys/ed25519_private.key: RFC 5958 v2 (version 1 + [1] publicKey),
// which OpenSSL 3.0 cannot parse. Its public key was derived with `openssl pkey -pubout`
// from the same seed re-wrapped as a v1 PKCS#8 key.
constexpr std::string_view k_ed25519_v2_b64 =
    "MFECAQEwBQYDK2VwBCIEILZ7IMwQHwlrU+a5l0WnujhvsmQXrWsStjtbAj8n/EiJgSEAXtg9yVbH8JADtC6sn4NBh1CSDWeCv0ABIj4TtoJj9ak=";
constexpr std::string_view k_ed25519_v2_pub_b64 = "MCowBQYDK2VwAyEAXtg9yVbH8JADtC6sn4NBh1CSDWeCv0ABIj4TtoJj9ak=";

// An RSA 5120-bit public key (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:5120).
constexpr std::string_view k_rsa5120_pem = "-----BEGIN PUBLIC KEY-----\n"
                                           "MIICojANBgkqhkiG9w0BAQEFAAOCAo8AMIICigKCAoEA3w4BURuCRJr+t01JHjAz\n"
                                           "Da21vtc7cRWVBv4rpU02/NAeCewpmGnlBNZfXfCeFSDAbb0+hAMDq7Q2qm5Dc9jX\n"
                                           "p58SEuppxaqjzhMaSJ7uyexUgkz3QgDQQslOKhqKiNLp1y0+Lw/1JA6+pXcZpBs8\n"
                                           "m7zmeW+XC93Nay6l6ajQs+bG+xOYyongnWl67JpcM/l4KsPlB4b27ee3Hcla26pT\n"
                                           "X/cfn/INHtH9bIkbdaOfmBWeHP+HzjN/C+02Mg6Hk/VbWhHLLrzXSqc6iYx2Bg+E\n"
                                           "0OTx1+dZRcfdgiPMlAmSXMqg3cSQP+U5wuCFJcxKml4JMF9TLbRliXNIEssBpklw\n"
                                           "lpzbAXgVM+zGPkp0qbExftkXQ9SXDyiWSWgg6K1y621Xssppvze/rNNypQV6P3LQ\n"
                                           "K7etuXYrqt+U1TmAcRpADa0xhsd1YhT1VRcmhK0rEXnhbSbIpx2EdTg3RNyI4DcK\n"
                                           "ukzPRcN+1FCXHT+yG5r2EexbaqZPjlZzYFjgXAXlhttiLFCjwaj1wdCOqzByu2kB\n"
                                           "E+w/xtSThklYVr7LQn0qqgRlnwW+ls0GuQXyCrhS7iwRX933GSOh9HJ0lvd+rC6L\n"
                                           "ukqNyvnXqNqtN2rVn5Mvmswi6rxXztDDC0Nt0khLEvTxgyq6gZdNScdRt0lqJ7i/\n"
                                           "kpbCJ44cO7MUzU7e4QEI6wUVW+dH3rqwnuJDJWFobXi5ZdVNtMCp+sXtEcdNljVa\n"
                                           "/PqQC5rIz1o/JWsRCeNYpiiAz+sq6RbdJTM+Hr1Ogv1VUd7pHzWSuc6FjsK74Pj5\n"
                                           "ZB+ef34rydT4kE3lNZmQp3gIM37hhOyeYgrD0TEi7metahmEcmXro0UVbyIpE5fM\n"
                                           "KwIDAQAB\n"
                                           "-----END PUBLIC KEY-----\n";

Bytes b64(std::string_view text)
{
  auto r = sigil::util::base64_decode(text);
  REQUIRE(r.has_value());
  return *r;
}

// An OpenSSL key made outside sigil (for curves and sizes generate() does not offer).
PkeyPtr raw_ec(const char* curve)
{
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
  REQUIRE(key != nullptr);
  return key;
}

PkeyPtr raw_rsa(std::size_t bits)
{
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
  REQUIRE(key != nullptr);
  return key;
}

Bytes pkcs8_of(EVP_PKEY* key)
{
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key);
  REQUIRE(info != nullptr);
  unsigned char* buf = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(info, &buf);
  PKCS8_PRIV_KEY_INFO_free(info);
  REQUIRE(len > 0);
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Bytes pkix_of(EVP_PKEY* key)
{
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(key, &buf);
  REQUIRE(len > 0);
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

// Type-specific ("traditional") encoding: SEC1 for EC, PKCS#1 for RSA.
Bytes traditional_of(EVP_PKEY* key)
{
  unsigned char* buf = nullptr;
  const int len = i2d_PrivateKey(key, &buf);
  REQUIRE(len > 0);
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

PrivateKey from_raw(EVP_PKEY* key)
{
  auto r = PrivateKey::from_pkcs8_der(pkcs8_of(key));
  REQUIRE(r.has_value());
  return std::move(*r);
}

// Every algorithm sigil signs with; generated once per run (RSA generation is slow).
struct NamedKey {
  std::string name;
  KeyAlgorithm algorithm;
  std::function<PrivateKey()> make;
};

const std::vector<NamedKey>& all_algorithms()
{
  auto gen = [](KeyKind kind) {
    return [kind] {
      auto r = PrivateKey::generate(kind);
      REQUIRE(r.has_value());
      return std::move(*r);
    };
  };
  static const std::vector<NamedKey> list = {
      {"ecdsa-p256", KeyAlgorithm::ecdsa_p256, gen(KeyKind::ecdsa_p256)},
      {"ecdsa-p384", KeyAlgorithm::ecdsa_p384, gen(KeyKind::ecdsa_p384)},
      {"ecdsa-p521", KeyAlgorithm::ecdsa_p521, [] { return from_raw(raw_ec("P-521").get()); }},
      {"ed25519", KeyAlgorithm::ed25519, gen(KeyKind::ed25519)},
      {"rsa-3072", KeyAlgorithm::rsa, gen(KeyKind::rsa_3072)},
      {"rsa-4096", KeyAlgorithm::rsa, gen(KeyKind::rsa_4096)},
  };
  return list;
}

const PrivateKey& cached_key(const std::string& name)
{
  static std::map<std::string, PrivateKey> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    for (const auto& k : all_algorithms()) {
      if (k.name == name) {
        it = cache.emplace(name, k.make()).first;
      }
    }
  }
  REQUIRE(it != cache.end());
  return it->second;
}

// ASN.1 DER ECDSA signature -> IEEE P1363 r||s with fixed-width coordinates.
Bytes der_to_p1363(const Bytes& der, std::size_t coordinate)
{
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  REQUIRE(sig != nullptr);
  Bytes out(2 * coordinate);
  const int r_len = BN_bn2binpad(ECDSA_SIG_get0_r(sig), out.data(), static_cast<int>(coordinate));
  const int s_len = BN_bn2binpad(ECDSA_SIG_get0_s(sig), out.data() + coordinate, static_cast<int>(coordinate));
  ECDSA_SIG_free(sig);
  REQUIRE(r_len == static_cast<int>(coordinate));
  REQUIRE(s_len == static_cast<int>(coordinate));
  return out;
}

} // namespace

TEST_CASE("key names and signing hashes")
{
  struct Case {
    std::string_view name;
    KeyKind kind;
  };
  const Case kinds[] = {{"ecdsa-p256", KeyKind::ecdsa_p256},
                        {"ecdsa-p384", KeyKind::ecdsa_p384},
                        {"ed25519", KeyKind::ed25519},
                        {"rsa-3072", KeyKind::rsa_3072},
                        {"rsa-4096", KeyKind::rsa_4096}};
  for (const auto& c : kinds) {
    CAPTURE(c.name);
    REQUIRE(sigil::crypto::parse_key_kind(c.name).has_value());
    CHECK(*sigil::crypto::parse_key_kind(c.name) == c.kind);
  }
  for (const std::string_view bad : {"", "rsa", "rsa-2048", "ecdsa-p521", "ECDSA-P256", "ed448"}) {
    CAPTURE(bad);
    CHECK_FALSE(sigil::crypto::parse_key_kind(bad).has_value());
  }
  CHECK(sigil::crypto::key_algorithm_name(KeyAlgorithm::ecdsa_p521) == "ecdsa-p521");
  CHECK(sigil::crypto::key_algorithm_name(KeyAlgorithm::rsa) == "rsa");
  CHECK(sigil::crypto::signing_hash(KeyAlgorithm::ecdsa_p256) == HashAlgorithm::sha256);
  CHECK(sigil::crypto::signing_hash(KeyAlgorithm::ecdsa_p384) == HashAlgorithm::sha384);
  CHECK(sigil::crypto::signing_hash(KeyAlgorithm::ecdsa_p521) == HashAlgorithm::sha512);
  CHECK(sigil::crypto::signing_hash(KeyAlgorithm::rsa) == HashAlgorithm::sha256);
  CHECK_FALSE(sigil::crypto::signing_hash(KeyAlgorithm::ed25519).has_value());
}

TEST_CASE("generate, PKCS#8 round trip and public PEM round trip for every algorithm")
{
  for (const auto& named : all_algorithms()) {
    CAPTURE(named.name);
    const PrivateKey& key = cached_key(named.name);
    CHECK(key.algorithm() == named.algorithm);

    const auto der = key.pkcs8_der();
    REQUIRE(der.has_value());
    const auto reloaded = PrivateKey::from_pkcs8_der(der->view());
    REQUIRE(reloaded.has_value());
    CHECK(reloaded->algorithm() == named.algorithm);
    CHECK(reloaded->public_key().same_key(key.public_key()));
    const auto der_again = reloaded->pkcs8_der();
    REQUIRE(der_again.has_value());
    CHECK(der_again->equals(der->view()));

    // The same key as unencrypted "PRIVATE KEY" PEM.
    const auto from_pem = PrivateKey::from_pem(sigil::util::encode_pem("PRIVATE KEY", der->view()));
    REQUIRE(from_pem.has_value());
    CHECK(from_pem->public_key().same_key(key.public_key()));

    const PublicKey pub = key.public_key();
    CHECK(pub.algorithm() == named.algorithm);
    const std::string pem = pub.pem();
    CHECK(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    CHECK(pem.find("PRIVATE") == std::string::npos);
    const auto parsed = PublicKey::from_pem(pem);
    REQUIRE(parsed.has_value());
    CHECK(parsed->same_key(pub));
    CHECK(parsed->der() == pub.der());
    CHECK(parsed->pem() == pem);
    const auto from_der = PublicKey::from_der(pub.der());
    REQUIRE(from_der.has_value());
    CHECK(from_der->same_key(pub));
    CHECK(parsed->hint() == pub.hint());
  }
}

TEST_CASE("fresh keys differ")
{
  const auto a = PrivateKey::generate(KeyKind::ed25519);
  const auto b = PrivateKey::generate(KeyKind::ed25519);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK_FALSE(a->public_key().same_key(b->public_key()));
  CHECK(a->public_key().hint() != b->public_key().hint());
}

TEST_CASE("hint and fingerprint are base64 / hex of sha256 over the PKIX DER")
{
  struct Case {
    std::string_view pem;
    std::string_view hint;
    KeyAlgorithm algorithm;
  };
  const Case cases[] = {
      {k_p256_pem, k_p256_hint, KeyAlgorithm::ecdsa_p256},
      {k_ed25519_pem, k_ed25519_hint, KeyAlgorithm::ed25519},
  };
  for (const auto& c : cases) {
    CAPTURE(c.hint);
    const auto key = PublicKey::from_pem(c.pem);
    REQUIRE(key.has_value());
    CHECK(key->algorithm() == c.algorithm);
    CHECK(key->hint() == c.hint);
    CHECK(key->pem() == c.pem); // re-encoding gives the same PEM text
  }
  const auto p256 = PublicKey::from_pem(k_p256_pem);
  REQUIRE(p256.has_value());
  CHECK(p256->fingerprint() == k_p256_fingerprint);
}

TEST_CASE("public keys: PKCS#1 RSA PUBLIC KEY, first block wins, errors")
{
  const PrivateKey& rsa = cached_key("rsa-3072");
  unsigned char* buf = nullptr;
  const int len = i2d_PublicKey(rsa.get(), &buf); // PKCS#1 RSAPublicKey for RSA
  REQUIRE(len > 0);
  const Bytes pkcs1(buf, buf + len);
  OPENSSL_free(buf);
  const auto from_pkcs1 = PublicKey::from_pem(sigil::util::encode_pem("RSA PUBLIC KEY", pkcs1));
  REQUIRE(from_pkcs1.has_value());
  CHECK(from_pkcs1->same_key(rsa.public_key()));
  CHECK(from_pkcs1->algorithm() == KeyAlgorithm::rsa);

  Bytes pkcs1_trailing = pkcs1;
  pkcs1_trailing.push_back(0);

  const auto two = PublicKey::from_pem(std::string(k_p256_pem) + std::string(k_ed25519_pem));
  REQUIRE(two.has_value());
  CHECK(two->algorithm() == KeyAlgorithm::ecdsa_p256);

  Bytes trailing = b64("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2rbPStt1/6YvibpxRXqJoV95SCSmptp/"
                       "FJMA+KKP4NdJZ0jk2nI3gpO49wsImhY2w8FIoJOrYRTj4uqtis6MRg==");
  CHECK(PublicKey::from_der(trailing).has_value());
  trailing.push_back(0);
  struct Case {
    std::string name;
    sigil::Result<PublicKey> result;
    std::string message;
  };
  const Case cases[] = {
      {"trailing bytes after the DER", PublicKey::from_der(trailing), "invalid public key"},
      {"garbage DER", PublicKey::from_der(to_bytes("not der")), "invalid public key"},
      {"empty DER", PublicKey::from_der({}), "invalid public key"},
      {"certificate block", PublicKey::from_pem(sigil::util::encode_pem("CERTIFICATE", to_bytes("x"))),
       "unsupported pem type CERTIFICATE"},
      {"private key block", PublicKey::from_pem(sigil::util::encode_pem("PRIVATE KEY", to_bytes("x"))),
       "unsupported pem type PRIVATE KEY"},
      {"not pem", PublicKey::from_pem("hello"), "reading public key: invalid pem"},
      {"bad PKCS#1", PublicKey::from_pem(sigil::util::encode_pem("RSA PUBLIC KEY", to_bytes("x"))),
       "invalid rsa public key"},
      {"trailing bytes after PKCS#1", PublicKey::from_pem(sigil::util::encode_pem("RSA PUBLIC KEY", pkcs1_trailing)),
       "invalid rsa public key"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    REQUIRE_FALSE(c.result.has_value());
    CHECK(c.result.error().code == ErrorCode::bad_input);
    CHECK(c.result.error().message.find(c.message) != std::string::npos);
  }
}

TEST_CASE("private keys: SEC1 and PKCS#1 PEM, Ed25519 RFC 5958 v2, errors")
{
  SUBCASE("EC PRIVATE KEY and RSA PRIVATE KEY")
  {
    for (const auto& [name, label] :
         {std::pair{"ecdsa-p384", "EC PRIVATE KEY"}, std::pair{"rsa-3072", "RSA PRIVATE KEY"}}) {
      CAPTURE(name);
      const PrivateKey& key = cached_key(name);
      const auto loaded = PrivateKey::from_pem(sigil::util::encode_pem(label, traditional_of(key.get())));
      REQUIRE(loaded.has_value());
      CHECK(loaded->public_key().same_key(key.public_key()));
    }
  }
  SUBCASE("EC PRIVATE KEY and RSA PRIVATE KEY with bytes after the DER are refused")
  {
    for (const auto& [name, label, what] : {std::tuple{std::string("ecdsa-p256"), "EC PRIVATE KEY", "ecdsa"},
                                            std::tuple{std::string("rsa-3072"), "RSA PRIVATE KEY", "rsa"}}) {
      CAPTURE(name);
      for (const Bytes& tail : {Bytes{0}, Bytes{0x30, 0x00}, to_bytes("junk")}) {
        Bytes der = traditional_of(cached_key(name).get());
        der.insert(der.end(), tail.begin(), tail.end());
        const auto loaded = PrivateKey::from_pem(sigil::util::encode_pem(label, der));
        REQUIRE_FALSE(loaded.has_value());
        CHECK(loaded.error().code == ErrorCode::bad_input);
        CHECK(loaded.error().message == fmt::format("error parsing {} private key: trailing data after the key", what));
      }
    }
  }
  SUBCASE("Ed25519 v2 with an embedded public key")
  {
    const auto key = PrivateKey::from_pkcs8_der(b64(k_ed25519_v2_b64));
    REQUIRE(key.has_value());
    CHECK(key->algorithm() == KeyAlgorithm::ed25519);
    CHECK(key->public_key().der() == b64(k_ed25519_v2_pub_b64));
    // And it signs: the seed was read correctly.
    const auto sig = sigil::crypto::sign_message(*key, to_bytes("m"));
    REQUIRE(sig.has_value());
    const auto pub = PublicKey::from_der(b64(k_ed25519_v2_pub_b64));
    REQUIRE(pub.has_value());
    CHECK(sigil::crypto::verify_message(*pub, to_bytes("m"), *sig));
  }
  SUBCASE("Ed25519 v2 whose embedded public key does not match")
  {
    Bytes der = b64(k_ed25519_v2_b64);
    der.back() ^= 0x01;
    const auto key = PrivateKey::from_pkcs8_der(der);
    REQUIRE_FALSE(key.has_value());
    CHECK(key.error().code == ErrorCode::bad_input);
    CHECK(key.error().message.find("embedded public key does not match") != std::string::npos);
  }
  SUBCASE("malformed PKCS#8")
  {
    Bytes truncated = b64(k_ed25519_v2_b64);
    truncated.pop_back();
    Bytes version2 = b64(k_ed25519_v2_b64);
    version2[4] = 2; // INTEGER version 2 is not defined
    Bytes trailing = pkcs8_of(cached_key("ecdsa-p256").get());
    trailing.push_back(0);
    for (const auto& der : {to_bytes("garbage"), Bytes{}, truncated, version2, trailing}) {
      const auto key = PrivateKey::from_pkcs8_der(der);
      REQUIRE_FALSE(key.has_value());
      CHECK(key.error().code == ErrorCode::bad_input);
      CHECK(key.error().message.find("not a pkcs#8 private key") != std::string::npos);
    }
  }
  SUBCASE("unsupported PEM types")
  {
    const auto key = PrivateKey::from_pem(sigil::util::encode_pem("PUBLIC KEY", to_bytes("x")));
    REQUIRE_FALSE(key.has_value());
    CHECK(key.error().message.find("unsupported private key") != std::string::npos);
    const auto sec1 = PrivateKey::from_pem(sigil::util::encode_pem("EC PRIVATE KEY", to_bytes("x")));
    REQUIRE_FALSE(sec1.has_value());
    CHECK(sec1.error().message.find("error parsing ecdsa private key") != std::string::npos);
  }
}

TEST_CASE("classify_key: cosign's key-strength policy")
{
  struct Case {
    std::string name;
    PkeyPtr key;
    std::string message; // "" = accepted
  };
  std::vector<Case> cases;
  cases.push_back({"RSA 1024", raw_rsa(1024), "rsa key size not supported: 1024 bits"});
  cases.push_back({"RSA 2048", raw_rsa(2048), ""});
  cases.push_back({"P-224", raw_ec("P-224"), "ecdsa curve secp224r1 not allowed"});
  cases.push_back({"secp256k1", raw_ec("secp256k1"), "ecdsa curve secp256k1 not allowed"});
  cases.push_back({"P-521", raw_ec("P-521"), ""});
  cases.push_back({"X25519", PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")), "unsupported key type"});
  cases.push_back({"Ed448", PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448")), "unsupported key type"});
  for (const auto& c : cases) {
    CAPTURE(c.name);
    REQUIRE(c.key != nullptr);
    const auto direct = sigil::crypto::classify_key(c.key.get());
    const auto as_private = PrivateKey::from_pkcs8_der(pkcs8_of(c.key.get()));
    const auto as_public = PublicKey::from_der(pkix_of(c.key.get()));
    if (c.message.empty()) {
      CHECK(direct.has_value());
      CHECK(as_private.has_value());
      CHECK(as_public.has_value());
      continue;
    }
    for (const sigil::Error* e :
         {direct.has_value() ? nullptr : &direct.error(), as_private.has_value() ? nullptr : &as_private.error(),
          as_public.has_value() ? nullptr : &as_public.error()}) {
      REQUIRE(e != nullptr);
      CHECK(e->code == ErrorCode::bad_input);
      CHECK(e->message.find(c.message) != std::string::npos);
    }
  }
  const auto big = PublicKey::from_pem(k_rsa5120_pem);
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == ErrorCode::bad_input);
  CHECK(big.error().message.find("rsa key size not supported: 5120 bits") != std::string::npos);
}

TEST_CASE("sign and verify messages and digests with every algorithm")
{
  const Bytes message = to_bytes("the artifact bytes\n");
  for (const auto& named : all_algorithms()) {
    CAPTURE(named.name);
    const PrivateKey& key = cached_key(named.name);
    const PublicKey pub = key.public_key();
    const auto sig = sigil::crypto::sign_message(key, message);
    REQUIRE(sig.has_value());
    CHECK(sigil::crypto::verify_message(pub, message, *sig));
    CHECK_FALSE(sigil::crypto::verify_message(pub, to_bytes("the artifact bytes\r\n"), *sig));
    CHECK_FALSE(sigil::crypto::verify_message(pub, message, to_bytes("not a signature")));
    CHECK_FALSE(sigil::crypto::verify_message(pub, message, {}));
    Bytes flipped = *sig;
    flipped[flipped.size() / 2] ^= 0x10;
    CHECK_FALSE(sigil::crypto::verify_message(pub, message, flipped));

    const auto hash_alg = sigil::crypto::signing_hash(key.algorithm());
    if (!hash_alg) { // Ed25519 is pure: no digest signing
      const auto refused = sigil::crypto::sign_digest(key, HashAlgorithm::sha256, sigil::crypto::sha256(message));
      REQUIRE_FALSE(refused.has_value());
      CHECK(refused.error().message.find("ed25519 signs messages, not digests") != std::string::npos);
      CHECK_FALSE(sigil::crypto::verify_digest(pub, HashAlgorithm::sha256, sigil::crypto::sha256(message), *sig));
      continue;
    }
    const Bytes digest = sigil::crypto::hash(*hash_alg, message);
    const auto digest_sig = sigil::crypto::sign_digest(key, *hash_alg, digest);
    REQUIRE(digest_sig.has_value());
    CHECK(sigil::crypto::verify_digest(pub, *hash_alg, digest, *digest_sig));
    // Signing the digest and signing the message are the same operation.
    CHECK(sigil::crypto::verify_message(pub, message, *digest_sig));
    CHECK(sigil::crypto::verify_digest(pub, *hash_alg, digest, *sig));
    Bytes other_digest = digest;
    other_digest[0] ^= 0x01;
    CHECK_FALSE(sigil::crypto::verify_digest(pub, *hash_alg, other_digest, *digest_sig));
    const Bytes short_digest(digest.begin(), digest.end() - 1);
    CHECK_FALSE(sigil::crypto::verify_digest(pub, *hash_alg, short_digest, *digest_sig));
  }
}

TEST_CASE("a signature does not verify under another key")
{
  const Bytes message = to_bytes("payload");
  const auto other_p256 = PrivateKey::generate(KeyKind::ecdsa_p256);
  const auto other_ed = PrivateKey::generate(KeyKind::ed25519);
  REQUIRE(other_p256.has_value());
  REQUIRE(other_ed.has_value());
  struct Case {
    std::string signer;
    PublicKey verifier;
  };
  const Case cases[] = {
      {"ecdsa-p256", other_p256->public_key()},
      {"ed25519", other_ed->public_key()},
      {"rsa-3072", cached_key("rsa-4096").public_key()},
      {"rsa-4096", cached_key("rsa-3072").public_key()},
      {"ecdsa-p384", cached_key("ecdsa-p256").public_key()},
      {"ecdsa-p256", cached_key("ed25519").public_key()},
      {"ed25519", cached_key("ecdsa-p521").public_key()},
  };
  for (const auto& c : cases) {
    CAPTURE(c.signer);
    const auto sig = sigil::crypto::sign_message(cached_key(c.signer), message);
    REQUIRE(sig.has_value());
    CHECK(sigil::crypto::verify_message(cached_key(c.signer).public_key(), message, *sig));
    CHECK_FALSE(sigil::crypto::verify_message(c.verifier, message, *sig));
  }
}

TEST_CASE("ECDSA signatures in IEEE P1363 (r||s) form are accepted")
{
  const Bytes message = to_bytes("p1363");
  struct Case {
    std::string name;
    std::size_t coordinate;
  };
  const Case cases[] = {{"ecdsa-p256", 32}, {"ecdsa-p384", 48}, {"ecdsa-p521", 66}};
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const PrivateKey& key = cached_key(c.name);
    const PublicKey pub = key.public_key();
    const auto der = sigil::crypto::sign_message(key, message);
    REQUIRE(der.has_value());
    const Bytes raw = der_to_p1363(*der, c.coordinate);
    CHECK(sigil::crypto::verify_message(pub, message, raw));
    const auto alg = *sigil::crypto::signing_hash(key.algorithm());
    CHECK(sigil::crypto::verify_digest(pub, alg, sigil::crypto::hash(alg, message), raw));
    CHECK_FALSE(sigil::crypto::verify_message(pub, to_bytes("other"), raw));
    Bytes flipped = raw;
    flipped.back() ^= 0x01;
    CHECK_FALSE(sigil::crypto::verify_message(pub, message, flipped));
    const Bytes short_raw(raw.begin() + 1, raw.end()); // not 2 * coordinate bytes
    CHECK_FALSE(sigil::crypto::verify_message(pub, message, short_raw));
  }
  // RSA and Ed25519 have no P1363 form: 64 bytes of r||s-looking data never verify.
  const Bytes fake(64, 0x42);
  CHECK_FALSE(sigil::crypto::verify_message(cached_key("ed25519").public_key(), message, fake));
  CHECK_FALSE(sigil::crypto::verify_message(cached_key("rsa-3072").public_key(), message, fake));
}

TEST_CASE("public_key(): derived once, public half only, for every algorithm")
{
  for (const auto& k : all_algorithms()) {
    CAPTURE(k.name);
    const PrivateKey& key = cached_key(k.name);
    const PublicKey pub = key.public_key();
    REQUIRE(pub.get() != nullptr);
    CHECK(pub.get() != key.get());
    CHECK(pub.algorithm() == key.algorithm());
    CHECK(pub.der() == pkix_of(key.get()));
    CHECK(pub.get() == key.public_key().get()); // the same derived key every time
    // No private component survives in the public key.
    BIGNUM* priv = nullptr;
    const char* param = k.algorithm == KeyAlgorithm::rsa ? "d" : "priv";
    if (k.algorithm == KeyAlgorithm::ed25519) {
      std::array<std::uint8_t, 32> raw{};
      std::size_t len = raw.size();
      CHECK(EVP_PKEY_get_raw_private_key(pub.get(), raw.data(), &len) != 1);
    } else {
      CHECK(EVP_PKEY_get_bn_param(pub.get(), param, &priv) != 1);
    }
    BN_clear_free(priv);
    ERR_clear_error();
  }
}

TEST_CASE("public keys: canonical P-256, P-384 and Ed25519 SPKI are imported directly, as d2i_PUBKEY would")
{
  // PublicKey::from_der imports these three layouts through the key manager instead of OpenSSL's
  // decoder framework (start-up cost). The result must be the key d2i_PUBKEY reads, and what
  // d2i refuses must still be refused.
  for (const char* name : {"ecdsa-p256", "ecdsa-p384", "ed25519"}) {
    CAPTURE(name);
    const PrivateKey& key = cached_key(name);
    const Bytes der = key.public_key().der();
    const auto fast = PublicKey::from_der(der);
    REQUIRE(fast.has_value());
    CHECK(fast->algorithm() == key.algorithm());
    CHECK(fast->der() == der);
    unsigned char* reencoded = nullptr;
    const int len = i2d_PUBKEY(fast->get(), &reencoded);
    REQUIRE(len > 0);
    CHECK(Bytes(reencoded, reencoded + len) == der);
    OPENSSL_free(reencoded);
    const unsigned char* p = der.data();
    PkeyPtr generic(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(generic);
    CHECK(EVP_PKEY_eq(fast->get(), generic.get()) == 1);
    const Bytes payload = to_bytes("payload");
    const auto sig = sigil::crypto::sign_message(key, payload, sigil::crypto::oci_signing_hash(key.algorithm()));
    REQUIRE(sig.has_value());
    CHECK(sigil::crypto::verify_message(*fast, payload, *sig));

    // A trailing byte, and a truncated key: refused (the generic path decides).
    Bytes longer = der;
    longer.push_back(0);
    CHECK_FALSE(PublicKey::from_der(longer).has_value());
    const Bytes shorter(der.begin(), der.end() - 1);
    CHECK_FALSE(PublicKey::from_der(shorter).has_value());
  }
  // An EC point off the curve, in the canonical layout: refused, as d2i refuses it.
  for (const char* name : {"ecdsa-p256", "ecdsa-p384"}) {
    CAPTURE(name);
    Bytes der = cached_key(name).public_key().der();
    der.back() ^= 0x01; // y changed: (x, y') is not on the curve
    const unsigned char* p = der.data();
    PkeyPtr generic(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    ERR_clear_error();
    CHECK_FALSE(generic);
    const auto fast = PublicKey::from_der(der);
    REQUIRE_FALSE(fast.has_value());
    CHECK(fast.error().code == ErrorCode::bad_input);
    // The hybrid/compressed marker instead of 0x04: not the direct path; d2i decides (refuses).
    Bytes marked = cached_key(name).public_key().der();
    marked[marked.size() - (name == std::string("ecdsa-p256") ? 65 : 97)] = 0x05;
    CHECK_FALSE(PublicKey::from_der(marked).has_value());
  }
}

TEST_CASE("ed25519 public keys of small order or outside the prime-order subgroup are refused")
{
  // SPKI of an Ed25519 key: the 12-byte prefix, then the 32-byte point.
  const auto spki = [](const std::string& point_hex) {
    auto der = *sigil::util::hex_decode("302a300506032b6570032100" + point_hex);
    return sigil::crypto::PublicKey::from_der(der);
  };
  // The identity (y = 1): OpenSSL verifies R = identity, S = 0 under it for any message.
  const auto identity = spki("0100000000000000000000000000000000000000000000000000000000000000");
  REQUIRE_FALSE(identity);
  CHECK(identity.error().code == ErrorCode::bad_input);
  CHECK(identity.error().message.starts_with("invalid ed25519 public key: a point of small order"));
  // A point of order 8 and a non-canonical encoding (y = p) of a small-order point.
  CHECK_FALSE(spki("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"));
  CHECK_FALSE(spki("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
  // RFC 8032 test 1's public key is fine.
  CHECK(spki("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
}
