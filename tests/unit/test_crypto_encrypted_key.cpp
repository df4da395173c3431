// Tests for cosign's encrypted private key format (scrypt + NaCl secretbox over PKCS#8), the
// fixture keys written by cosign 2.5, skopeo 1.18 and an independent implementation, and the
// conformance key vectors (conformance/README.md §1).
//
// scrypt dominates the run time (N=2^15 ~ 40 ms, 2^16 ~ 80 ms, 2^17 ~ 160 ms); locally made
// keys use N=2^15.
#include "sigil/crypto/encrypted_key.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/key_file.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/pem.hpp"

#include <doctest/doctest.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using sigil::ErrorCode;
using sigil::crypto::decrypt_private_key;
using sigil::crypto::encrypt_private_key;
using sigil::crypto::KeyAlgorithm;
using sigil::crypto::KeyKind;
using sigil::crypto::PrivateKey;
using sigil::crypto::PublicKey;
using sigil::crypto::ScryptParams;
using sigil::util::as_bytes;
using sigil::util::Bytes;
using sigil::util::Json;
using sigil::util::SecureBytes;

constexpr ScryptParams k_fast{.n = 32768, .r = 8, .p = 1};
constexpr std::string_view k_wrong_password = "wrong password or corrupt key";

fs::path shared_dir()
{
  return fs::path(SIGIL_SHARED_DIR);
}

std::string read_text(const fs::path& path)
{
  auto text = sigil::util::read_file(path);
  REQUIRE_MESSAGE(text.has_value(), path.string());
  return *text;
}

std::string first_line(const fs::path& path)
{
  const std::string text = read_text(path);
  return text.substr(0, text.find('\n'));
}

const PrivateKey& p256_key()
{
  static const PrivateKey key = [] {
    auto r = PrivateKey::generate(KeyKind::ecdsa_p256);
    REQUIRE(r.has_value());
    return std::move(*r);
  }();
  return key;
}

SecureBytes p256_der()
{
  auto der = p256_key().pkcs8_der();
  REQUIRE(der.has_value());
  return std::move(*der);
}

std::string encrypt(sigil::util::ByteView plain, std::string_view password, ScryptParams params = k_fast)
{
  auto pem = encrypt_private_key(plain, as_bytes(password), params);
  REQUIRE(pem.has_value());
  return *pem;
}

// The envelope JSON inside an encrypted PEM, to mutate it.
Json envelope_of(std::string_view pem)
{
  auto blocks = sigil::util::parse_pem(pem);
  REQUIRE(blocks.has_value());
  auto doc = sigil::util::parse_json(blocks->front().der.chars());
  REQUIRE(doc.has_value());
  return *doc;
}

std::string pem_of(const Json& envelope, std::string_view label = sigil::crypto::k_sigstore_key_label)
{
  return sigil::util::encode_pem(label, as_bytes(sigil::util::dump_json(envelope)));
}

Bytes b64(const Json& value)
{
  auto r = sigil::util::base64_decode(value.get<std::string>());
  REQUIRE(r.has_value());
  return *r;
}

void check_error(const sigil::Result<SecureBytes>& r, std::string_view message)
{
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::bad_input);
  CHECK_MESSAGE(r.error().message.find(message) != std::string::npos, r.error().message);
}

sigil::crypto::PasswordProvider password_is(std::string password)
{
  return [password = std::move(password)]() -> sigil::Result<SecureBytes> { return SecureBytes(as_bytes(password)); };
}

} // namespace

TEST_CASE("encrypted key: round trip with cosign's default parameters")
{
  const SecureBytes der = p256_der();
  const std::string pem = encrypt(der.view(), "correct horse", ScryptParams{});
  CHECK(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
  CHECK(sigil::crypto::is_encrypted_key_pem(pem));
  const auto plain = decrypt_private_key(pem, as_bytes("correct horse"));
  REQUIRE(plain.has_value());
  CHECK(plain->equals(der.view()));
  check_error(decrypt_private_key(pem, as_bytes("correct horsE")), k_wrong_password);
  check_error(decrypt_private_key(pem, as_bytes("")), k_wrong_password);
}

TEST_CASE("encrypted key: envelope layout matches Go's json.Marshal of cosign's struct")
{
  const SecureBytes der = p256_der();
  const std::string pem = encrypt(der.view(), "");
  auto blocks = sigil::util::parse_pem(pem);
  REQUIRE(blocks.has_value());
  const std::string_view body = blocks->front().der.chars();
  CHECK(body.starts_with(R"({"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":")"));
  CHECK(body.find(R"("},"cipher":{"name":"nacl/secretbox","nonce":")") != std::string_view::npos);
  const Json env = envelope_of(pem);
  CHECK(b64(env["kdf"]["salt"]).size() == 32);
  CHECK(b64(env["cipher"]["nonce"]).size() == 24);
  CHECK(b64(env["ciphertext"]).size() == der.size() + 16);
  // Fresh salt and nonce every time.
  const Json again = envelope_of(encrypt(der.view(), ""));
  CHECK(again["kdf"]["salt"] != env["kdf"]["salt"]);
  CHECK(again["cipher"]["nonce"] != env["cipher"]["nonce"]);
  // The empty password is a valid password.
  const auto plain = decrypt_private_key(pem, {});
  REQUIRE(plain.has_value());
  CHECK(plain->equals(der.view()));
}

TEST_CASE("encrypted key: N=2^17 is accepted")
{
  const SecureBytes der = p256_der();
  const std::string pem = encrypt(der.view(), "pw", ScryptParams{.n = 131072, .r = 8, .p = 1});
  const auto plain = decrypt_private_key(pem, as_bytes("pw"));
  REQUIRE(plain.has_value());
  CHECK(plain->equals(der.view()));
}

TEST_CASE("encrypted key: encrypt_private_key refuses what decrypt_private_key would")
{
  const SecureBytes der = p256_der();
  struct Case {
    ScryptParams params;
    std::string message;
  };
  const Case cases[] = {
      {{.n = 1024, .r = 8, .p = 1}, "unsupported scrypt parameters N=1024 r=8 p=1"},
      {{.n = 1024, .r = 16, .p = 1}, "unsupported scrypt parameters N=1024 r=16 p=1"},
      {{.n = 16384, .r = 8, .p = 1}, "unsupported scrypt parameters N=16384 r=8 p=1"},
      {{.n = 262144, .r = 8, .p = 1}, "unsupported scrypt parameters N=262144 r=8 p=1"},
      {{.n = 65535, .r = 8, .p = 1}, "unsupported scrypt parameters N=65535"},
      {{.n = 65536, .r = 16, .p = 1}, "unsupported scrypt parameters N=65536 r=16 p=1"},
      {{.n = 65536, .r = 8, .p = 2}, "unsupported scrypt parameters N=65536 r=8 p=2"},
      {{.n = 0, .r = 0, .p = 0}, "unsupported scrypt parameters N=0 r=0 p=0"},
      {{.n = std::uint64_t{1} << 63, .r = 8, .p = 1}, "unsupported scrypt parameters N=9223372036854775808"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.message);
    const auto pem = encrypt_private_key(der.view(), as_bytes("pw"), c.params);
    REQUIRE_FALSE(pem.has_value());
    CHECK(pem.error().code == ErrorCode::bad_input);
    CHECK(pem.error().message.find(c.message) != std::string::npos);
  }
  // The three accepted work factors each round-trip (2^17 has its own test case).
  for (const std::uint64_t n : {std::uint64_t{32768}, std::uint64_t{65536}}) {
    CAPTURE(n);
    const std::string pem = encrypt(der.view(), "pw", ScryptParams{.n = n, .r = 8, .p = 1});
    const auto plain = decrypt_private_key(pem, as_bytes("pw"));
    REQUIRE(plain.has_value());
    CHECK(plain->equals(der.view()));
  }
}

TEST_CASE("encrypted key: unsupported scrypt parameters are refused before deriving")
{
  const SecureBytes der = p256_der();
  const Json base = envelope_of(encrypt(der.view(), "pw"));
  struct Case {
    std::string name;
    Json params;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"N=1024 r=8", {{"N", 1024}, {"r", 8}, {"p", 1}}, "unsupported scrypt parameters N=1024 r=8 p=1"},
      {"N=1024 r=16", {{"N", 1024}, {"r", 16}, {"p", 1}}, "unsupported scrypt parameters N=1024 r=16 p=1"},
      {"N=2^18 (memory bomb)", {{"N", 262144}, {"r", 8}, {"p", 1}}, "unsupported scrypt parameters N=262144"},
      {"N=2^40", {{"N", std::int64_t{1} << 40}, {"r", 8}, {"p", 1}}, "unsupported scrypt parameters"},
      {"N not a power of two", {{"N", 65535}, {"r", 8}, {"p", 1}}, "unsupported scrypt parameters"},
      {"r=16", {{"N", 65536}, {"r", 16}, {"p", 1}}, "unsupported scrypt parameters N=65536 r=16 p=1"},
      {"p=2", {{"N", 65536}, {"r", 8}, {"p", 2}}, "unsupported scrypt parameters N=65536 r=8 p=2"},
      {"r=2^32+8 does not truncate to 8",
       {{"N", 65536}, {"r", (std::int64_t{1} << 32) + 8}, {"p", 1}},
       "unsupported scrypt parameters"},
      {"N=0", {{"N", 0}, {"r", 8}, {"p", 1}}, "invalid scrypt parameters"},
      {"negative r", {{"N", 65536}, {"r", -8}, {"p", 1}}, "invalid scrypt parameters"},
      {"N as a string", {{"N", "65536"}, {"r", 8}, {"p", 1}}, "invalid scrypt parameters"},
      {"N as a float", {{"N", 65536.5}, {"r", 8}, {"p", 1}}, "invalid scrypt parameters"},
      {"p missing", {{"N", 65536}, {"r", 8}}, "invalid scrypt parameters"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    Json env = base;
    env["kdf"]["params"] = c.params;
    check_error(decrypt_private_key(pem_of(env), as_bytes("pw")), c.message);
  }
}

TEST_CASE("encrypted key: tampered or malformed envelopes")
{
  const SecureBytes der = p256_der();
  const Json base = envelope_of(encrypt(der.view(), "pw"));
  auto with_b64 = [&](const char* key, auto edit) {
    Json env = base;
    Json* holder = std::string_view(key) == "ciphertext" ? &env
                   : std::string_view(key) == "nonce"    ? &env["cipher"]
                                                         : &env["kdf"];
    Bytes bytes = b64((*holder)[key]);
    edit(bytes);
    (*holder)[key] = sigil::util::base64_encode(bytes);
    return pem_of(env);
  };
  struct Case {
    std::string name;
    std::string pem;
    std::string message;
  };
  auto edited = [&](auto edit) {
    Json env = base;
    edit(env);
    return pem_of(env);
  };
  const std::vector<Case> cases = {
      {"ciphertext byte flipped", with_b64("ciphertext", [](Bytes& b) { b[b.size() / 2] ^= 0x01; }),
       k_wrong_password.data()},
      {"MAC byte flipped", with_b64("ciphertext", [](Bytes& b) { b[0] ^= 0x80; }), k_wrong_password.data()},
      {"ciphertext truncated", with_b64("ciphertext", [](Bytes& b) { b.pop_back(); }), k_wrong_password.data()},
      {"ciphertext extended", with_b64("ciphertext", [](Bytes& b) { b.push_back(0); }), k_wrong_password.data()},
      {"nonce byte flipped", with_b64("nonce", [](Bytes& b) { b[3] ^= 0x01; }), k_wrong_password.data()},
      {"salt byte flipped", with_b64("salt", [](Bytes& b) { b[0] ^= 0x01; }), k_wrong_password.data()},
      {"nonce of 23 bytes", with_b64("nonce", [](Bytes& b) { b.pop_back(); }), "invalid nonce: want 24 bytes"},
      {"nonce of 25 bytes", with_b64("nonce", [](Bytes& b) { b.push_back(0); }), "invalid nonce: want 24 bytes"},
      {"empty nonce", with_b64("nonce", [](Bytes& b) { b.clear(); }), "invalid nonce: want 24 bytes"},
      {"ciphertext shorter than the MAC", with_b64("ciphertext", [](Bytes& b) { b.resize(15); }),
       "ciphertext too short"},
      {"nonce not base64", edited([](Json& e) { e["cipher"]["nonce"] = "***"; }), "field \"nonce\""},
      {"salt not a string", edited([](Json& e) { e["kdf"]["salt"] = 5; }), "field \"salt\" is not a string"},
      {"ciphertext missing", edited([](Json& e) { e.erase("ciphertext"); }), "missing field \"ciphertext\""},
      {"kdf missing", edited([](Json& e) { e.erase("kdf"); }), "missing field \"kdf\""},
      {"cipher not an object", edited([](Json& e) { e["cipher"] = "nacl"; }), "field \"cipher\" is not an object"},
      {"kdf argon2", edited([](Json& e) { e["kdf"]["name"] = "argon2id"; }), "unsupported kdf (want scrypt)"},
      {"cipher aes", edited([](Json& e) { e["cipher"]["name"] = "aes-gcm"; }),
       "unsupported cipher (want nacl/secretbox)"},
      {"params missing", edited([](Json& e) { e["kdf"].erase("params"); }), "missing field \"params\""},
      {"not JSON", sigil::util::encode_pem(sigil::crypto::k_sigstore_key_label, as_bytes("{not json")), "invalid JSON"},
      {"deeply nested JSON",
       sigil::util::encode_pem(sigil::crypto::k_sigstore_key_label, as_bytes("[[[[[[[[[[]]]]]]]]]]")),
       "nested deeper than 8 levels"},
      {"another PEM label", sigil::util::encode_pem("PRIVATE KEY", der.view()), "unsupported pem type PRIVATE KEY"},
      {"not PEM", "ciphertext", "no PEM block found"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    check_error(decrypt_private_key(c.pem, as_bytes("pw")), c.message);
  }
  // Envelope errors carry the context.
  const auto r = decrypt_private_key(cases[6].pem, as_bytes("pw"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.starts_with("invalid encrypted key: "));
}

TEST_CASE("encrypted key: both PEM labels are read; is_encrypted_key_pem")
{
  const SecureBytes der = p256_der();
  const Json env = envelope_of(encrypt(der.view(), "pw"));
  const std::string cosign_label = pem_of(env, sigil::crypto::k_cosign_key_label);
  CHECK(cosign_label.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----"));
  const auto plain = decrypt_private_key(cosign_label, as_bytes("pw"));
  REQUIRE(plain.has_value());
  CHECK(plain->equals(der.view()));

  struct Case {
    std::string text;
    bool expected;
  };
  const Case cases[] = {
      {cosign_label, true},
      {pem_of(env), true},
      {"junk\n" + pem_of(env), true},
      {sigil::util::encode_pem("PRIVATE KEY", der.view()), false},
      {"-----BEGIN ENCRYPTED PRIVATE KEY-----\n", false}, // PKCS#8 PBES2 is not cosign's format
      {"", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(sigil::crypto::is_encrypted_key_pem(c.text) == c.expected);
  }
}

TEST_CASE("open_private_key_pem: password asked only when needed; SEC1 inside the envelope refused")
{
  const SecureBytes der = p256_der();
  int asked = 0;
  auto counting = [&]() -> sigil::Result<SecureBytes> {
    ++asked;
    return SecureBytes(as_bytes("pw"));
  };
  const auto plain = sigil::crypto::open_private_key_pem(sigil::util::encode_pem("PRIVATE KEY", der.view()), counting);
  REQUIRE(plain.has_value());
  CHECK(asked == 0);
  REQUIRE(plain->warnings.size() == 1);
  CHECK(plain->warnings.front().find("not encrypted") != std::string::npos);

  const std::string pem = encrypt(der.view(), "pw");
  const auto opened = sigil::crypto::open_private_key_pem(pem, counting);
  REQUIRE(opened.has_value());
  CHECK(asked == 1);
  CHECK(opened->warnings.empty());
  CHECK(opened->key.public_key().same_key(p256_key().public_key()));

  auto refusing = []() -> sigil::Result<SecureBytes> { return sigil::fail(ErrorCode::usage, "no password given"); };
  const auto no_password = sigil::crypto::open_private_key_pem(pem, refusing);
  REQUIRE_FALSE(no_password.has_value());
  CHECK(no_password.error().code == ErrorCode::usage);
  CHECK(no_password.error().message == "no password given");

  const auto wrong = sigil::crypto::open_private_key_pem(pem, password_is("nope"));
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().code == ErrorCode::bad_input);
  CHECK(wrong.error().message == k_wrong_password);

  // A SEC1 "EC PRIVATE KEY" DER inside the envelope decrypts but is refused, as cosign does.
  unsigned char* buf = nullptr;
  const int len = i2d_PrivateKey(p256_key().get(), &buf);
  REQUIRE(len > 0);
  const SecureBytes sec1(sigil::util::ByteView(buf, static_cast<std::size_t>(len)));
  OPENSSL_clear_free(buf, static_cast<std::size_t>(len));
  const auto refused = sigil::crypto::open_private_key_pem(encrypt(sec1.view(), "pw"), password_is("pw"));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == ErrorCode::bad_input);
  CHECK(refused.error().message.find("parsing private key: x509: failed to parse private key") != std::string::npos);
}

TEST_CASE("fixture keys from cosign 2.5, skopeo 1.18 and an independent implementation")
{
  const fs::path dir = shared_dir() / "fixtures" / "keys";
  if (!fs::exists(dir)) {
    MESSAGE("skipped: " << dir.string() << " does not exist");
    return;
  }
  for (const std::string_view name :
       {"cosign-2.5.key", "skopeo-1.18.private", "python-sigstore.key", "python-cosign.key"}) {
    CAPTURE(name);
    const fs::path key_path = dir / name;
    // "cosign-2.5.key" -> "cosign-2.5.pass" (the stem itself contains dots).
    const std::string stem = (dir / key_path.stem()).string();
    const std::string password = first_line(stem + ".pass");
    CHECK_FALSE(password.empty());
    CHECK(sigil::crypto::is_encrypted_key_pem(read_text(key_path)));
    const auto pub = PublicKey::from_pem(read_text(stem + ".pub"));
    REQUIRE(pub.has_value());

    // Through the file loader as the CLI does (the fixtures are read-only for everyone, 0444:
    // allowed with a warning, as --allow-insecure-key-permissions does).
    constexpr auto fixture_mode = sigil::crypto::KeyFileMode::warn_insecure;
    const auto loaded = sigil::crypto::load_private_key(key_path.string(), password_is(password), fixture_mode);
    REQUIRE_MESSAGE(loaded.has_value(), loaded.error().message);
    CHECK(loaded->key.algorithm() == KeyAlgorithm::ecdsa_p256);
    CHECK(loaded->key.public_key().same_key(*pub));
    CHECK(loaded->key.public_key().der() == pub->der());

    if (name == "cosign-2.5.key") { // one wrong-password check is enough here (scrypt is slow)
      const auto wrong = sigil::crypto::load_private_key(key_path.string(), password_is(password + "\n"), fixture_mode);
      REQUIRE_FALSE(wrong.has_value());
      CHECK(wrong.error().code == ErrorCode::bad_input);
      CHECK(wrong.error().message.find(k_wrong_password) != std::string::npos);
      CHECK(wrong.error().message.find(password) == std::string::npos); // never echo the password
    }
  }
}

TEST_CASE("conformance §1: cosign-format encrypted keys")
{
  const fs::path dir = shared_dir() / "conformance";
  if (!fs::exists(dir)) {
    MESSAGE("skipped: " << dir.string() << " does not exist");
    return;
  }
  struct Case {
    std::string key;
    std::string password;
    std::string public_key;
    KeyAlgorithm algorithm;
    std::string refusal; // "" = accept
  };
  const Case cases[] = {
      {"cosign/keys/encrypted-cosign-ec-p256.key", "hello", "cosign/keys/encrypted-cosign-ec-p256.derived.pub",
       KeyAlgorithm::ecdsa_p256, ""},
      {"cosign/keys/encrypted-sigstore-ec-p256.key", "hello", "cosign/keys/encrypted-sigstore-ec-p256.derived.pub",
       KeyAlgorithm::ecdsa_p256, ""},
      {"cosign/keys/encrypted-cosign-sec1-ec.key", "hello", "cosign/keys/encrypted-cosign-sec1-ec.derived.pub",
       KeyAlgorithm::ecdsa_p256, "parsing private key: x509: failed to parse private key"},
      {"sigstore-rs/keys/ecdsa_encrypted_private.key", "123", "sigstore-rs/keys/ecdsa_encrypted_private.derived.pub",
       KeyAlgorithm::ecdsa_p256, ""},
      {"sigstore-rs/keys/cosign_generated_encrypted_empty_private.key", "",
       "sigstore-rs/keys/cosign_generated_encrypted_empty_private.derived.pub", KeyAlgorithm::ecdsa_p256, ""},
      {"sigstore-rs/keys/ed25519_encrypted_private.key", "123",
       "sigstore-rs/keys/ed25519_encrypted_private.derived.pub", KeyAlgorithm::ed25519, ""},
      {"sigstore-rs/keys/rsa_encrypted_private.key", "123", "sigstore-rs/keys/rsa_encrypted_private.derived.pub",
       KeyAlgorithm::rsa, ""},
      {"sigstore-rs/keys/ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM.key", "password",
       "sigstore-rs/keys/ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM.derived.pub", KeyAlgorithm::ecdsa_p256, ""},
      {"policy-controller/keys/cosign.key", "", "policy-controller/keys/cosign.pub", KeyAlgorithm::ecdsa_p256, ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.key);
    const std::string pem = read_text(dir / c.key);
    const auto pub = PublicKey::from_pem(read_text(dir / c.public_key));
    REQUIRE(pub.has_value());
    // No other password opens the key.
    check_error(decrypt_private_key(pem, as_bytes(c.password + "x")), k_wrong_password);

    const auto opened = sigil::crypto::open_private_key_pem(pem, password_is(c.password));
    if (c.refusal.empty()) {
      REQUIRE_MESSAGE(opened.has_value(), opened.error().message);
      CHECK(opened->key.algorithm() == c.algorithm);
      CHECK(opened->key.public_key().same_key(*pub));
      CHECK(opened->key.public_key().der() == pub->der());
    } else {
      REQUIRE_FALSE(opened.has_value());
      CHECK(opened.error().code == ErrorCode::bad_input);
      CHECK_MESSAGE(opened.error().message.find(c.refusal) != std::string::npos, opened.error().message);
      // The refusal is deliberate: the key decrypts, and the plaintext is a valid SEC1 key
      // for the derived public key.
      const auto der = decrypt_private_key(pem, as_bytes(c.password));
      REQUIRE_MESSAGE(der.has_value(), der.error().message);
      const auto sec1 = PrivateKey::from_pem(sigil::util::encode_pem("EC PRIVATE KEY", der->view()));
      REQUIRE(sec1.has_value());
      CHECK(sec1->public_key().same_key(*pub));
    }
  }
}

TEST_CASE("conformance §1: cosign import-key-pair vectors and unencrypted sigstore-rs keys")
{
  const fs::path dir = shared_dir() / "conformance";
  if (!fs::exists(dir)) {
    MESSAGE("skipped: " << dir.string() << " does not exist");
    return;
  }
  struct Case {
    std::string key;
    std::optional<KeyAlgorithm> algorithm; // nullopt = refused
    std::string refusal;
  };
  const Case cases[] = {
      {"cosign/import/validrsa.key", KeyAlgorithm::rsa, ""},
      {"cosign/import/validrsapkcs1.key", KeyAlgorithm::rsa, ""},
      {"cosign/import/validrsapkcs8.key", KeyAlgorithm::rsa, ""},
      {"cosign/import/invalidrsawithpubkey.key", std::nullopt, "unsupported private key"},
      {"cosign/import/invalidrsasmallkey.key", std::nullopt, "rsa key size not supported: 1024"},
      {"cosign/import/invalidrsalargekey.key", std::nullopt, "rsa key size not supported: 5120"},
      {"cosign/import/validecp256.key", KeyAlgorithm::ecdsa_p256, ""},
      {"cosign/import/validecp384.key", KeyAlgorithm::ecdsa_p384, ""},
      {"cosign/import/validecp521.key", KeyAlgorithm::ecdsa_p521, ""},
      {"cosign/import/validecpkcs8.key", KeyAlgorithm::ecdsa_p256, ""},
      {"cosign/import/invalidecp224.key", std::nullopt, "ecdsa curve secp224r1 not allowed"},
      {"cosign/import/invalidecunsupported.key", std::nullopt, "ecdsa curve secp256k1 not allowed"},
      {"cosign/import/ed25519.key", KeyAlgorithm::ed25519, ""},
      {"cosign/import/invalidkey.key", std::nullopt, "invalid pem"},
      {"sigstore-rs/keys/ecdsa_private.key", KeyAlgorithm::ecdsa_p256, ""},
      {"sigstore-rs/keys/rsa_private.key", KeyAlgorithm::rsa, ""},
      {"sigstore-rs/keys/ed25519_private.key", KeyAlgorithm::ed25519, ""},
  };
  int asked = 0;
  auto never = [&]() -> sigil::Result<SecureBytes> {
    ++asked;
    return sigil::fail(ErrorCode::usage, "not asked for unencrypted keys");
  };
  for (const auto& c : cases) {
    CAPTURE(c.key);
    const std::string pem = read_text(dir / c.key);
    const auto direct = PrivateKey::from_pem(pem);
    const auto opened = sigil::crypto::open_private_key_pem(pem, never);
    if (!c.algorithm) {
      REQUIRE_FALSE(direct.has_value());
      REQUIRE_FALSE(opened.has_value());
      CHECK(opened.error().code == ErrorCode::bad_input);
      CHECK_MESSAGE(opened.error().message.find(c.refusal) != std::string::npos, opened.error().message);
      continue;
    }
    REQUIRE_MESSAGE(direct.has_value(), direct.error().message);
    REQUIRE(opened.has_value());
    CHECK(direct->algorithm() == *c.algorithm);
    CHECK(opened->key.public_key().same_key(direct->public_key()));
    CHECK_FALSE(opened->warnings.empty()); // "the private key is not encrypted"
    // import-key-pair: re-encrypt under a new password and load again.
    const auto der = direct->pkcs8_der();
    REQUIRE(der.has_value());
    const std::string reencrypted = encrypt(der->view(), "new password");
    const auto again = sigil::crypto::open_private_key_pem(reencrypted, password_is("new password"));
    REQUIRE_MESSAGE(again.has_value(), again.error().message);
    CHECK(again->key.algorithm() == *c.algorithm);
    CHECK(again->key.public_key().same_key(direct->public_key()));
  }
  CHECK(asked == 0);
  // The v2 Ed25519 key's public half, derived independently with `openssl pkey -pubout`.
  const auto ed = PrivateKey::from_pem(read_text(dir / "sigstore-rs/keys/ed25519_private.key"));
  REQUIRE(ed.has_value());
  CHECK(ed->public_key().pem() ==
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAXtg9yVbH8JADtC6sn4NBh1CSDWeCv0ABIj4TtoJj9ak=\n-----END PUBLIC "
        "KEY-----\n");
}
