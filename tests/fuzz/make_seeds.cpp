// Writes the seed inputs that need keys or signatures into the fuzz corpora:
//   fuzz_make_seeds <corpus directory>     (e.g. tests/fuzz/corpus; scripts/fuzz --make-seeds)
//
// Everything is made here with sigil's own library (and OpenSSL for the key encodings sigil
// only reads): envelopes and bundles signed with the fuzz test key (fuzz.hpp), keys of every
// supported kind, encrypted with the test password at scrypt N=2^15. Files are named gen-*
// and overwritten on each run; keys and ECDSA signatures are random, so every run gives new
// bytes. The hand-written seeds beside them are not touched.
#include "fuzz.hpp"

#include "sigil/bundle/bundle.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/encrypted_key.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/payload/simple_signing.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/pem.hpp"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

using sigil::crypto::KeyKind;
using sigil::crypto::PrivateKey;
using sigil::util::Bytes;
using sigil::util::ByteView;

std::filesystem::path g_root;

template <typename T> T must(sigil::Result<T> result, std::string_view what)
{
  if (!result) {
    std::cerr << "fuzz_make_seeds: " << what << ": " << result.error().message << '\n';
    std::exit(1);
  }
  return std::move(*result);
}

void write(std::string_view target, std::string_view name, std::string_view bytes)
{
  const auto dir = g_root / target;
  std::filesystem::create_directories(dir);
  std::ofstream file(dir / name, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file) {
    std::cerr << "fuzz_make_seeds: cannot write " << (dir / name).string() << '\n';
    std::exit(1);
  }
}

void write(std::string_view target, std::string_view name, ByteView bytes)
{
  write(target, name, sigil::util::as_chars(bytes));
}

// i2d_PrivateKey/i2d_PublicKey: SEC1 for EC, PKCS#1 for RSA (the "EC/RSA PRIVATE KEY" PEMs).
template <typename Encode> Bytes openssl_der(EVP_PKEY* key, Encode encode)
{
  unsigned char* buf = nullptr;
  const int len = encode(key, &buf);
  if (len <= 0) {
    std::cerr << "fuzz_make_seeds: openssl encoding failed\n";
    std::exit(1);
  }
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

PrivateKey rsa_2048()
{
  EVP_PKEY* raw = EVP_RSA_gen(2048);
  Bytes der = openssl_der(raw, [](EVP_PKEY* k, unsigned char** out) {
    PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(k);
    const int len = i2d_PKCS8_PRIV_KEY_INFO(info, out);
    PKCS8_PRIV_KEY_INFO_free(info);
    return len;
  });
  EVP_PKEY_free(raw);
  return must(PrivateKey::from_pkcs8_der(der), "rsa key");
}

// RFC 5958 v2 (OneAsymmetricKey with the public key), which OpenSSL 3.0 does not write.
Bytes ed25519_v2(const PrivateKey& key)
{
  std::array<std::uint8_t, 32> seed{};
  std::array<std::uint8_t, 32> pub{};
  std::size_t len = seed.size();
  EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &len);
  len = pub.size();
  EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len);
  Bytes der{0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
  der.insert(der.end(), seed.begin(), seed.end());
  der.insert(der.end(), {0x81, 0x21, 0x00});
  der.insert(der.end(), pub.begin(), pub.end());
  return der;
}

void key_seeds(const PrivateKey& test_key)
{
  const std::vector<std::pair<std::string, PrivateKey>> keys{
      {"p256", test_key},
      {"p384", must(PrivateKey::generate(KeyKind::ecdsa_p384), "p384 key")},
      {"ed25519", must(PrivateKey::generate(KeyKind::ed25519), "ed25519 key")},
      {"rsa2048", rsa_2048()},
  };
  for (const auto& [name, key] : keys) {
    const auto der = must(key.pkcs8_der(), "pkcs8");
    write("fuzz_private_key", "gen-" + name + ".der", der.view());
    write("fuzz_private_key", "gen-" + name + ".pem", sigil::util::encode_pem("PRIVATE KEY", der.view()));
    write("fuzz_public_key", "gen-" + name + ".pub", key.public_key().pem());
    if (name == "p256" || name == "ed25519") {
      const auto encrypted = must(sigil::crypto::encrypt_private_key(
                                      der.view(), sigil::util::as_bytes(sigil::fuzz::k_test_password), {.n = 1U << 15}),
                                  "encrypting");
      write("fuzz_encrypted_key", "gen-" + name + ".key", encrypted);
    }
  }
  const auto& p384 = keys[1].second;
  const auto& ed25519 = keys[2].second;
  const auto& rsa = keys[3].second;
  write("fuzz_private_key", "gen-ed25519-v2.der", ed25519_v2(ed25519));
  write("fuzz_private_key", "gen-p384-sec1.pem",
        sigil::util::encode_pem("EC PRIVATE KEY", openssl_der(p384.get(), [](EVP_PKEY* k, unsigned char** out) {
                                  return i2d_PrivateKey(k, out);
                                })));
  write("fuzz_private_key", "gen-rsa2048-pkcs1.pem",
        sigil::util::encode_pem("RSA PRIVATE KEY", openssl_der(rsa.get(), [](EVP_PKEY* k, unsigned char** out) {
                                  return i2d_PrivateKey(k, out);
                                })));
  write("fuzz_public_key", "gen-rsa2048-pkcs1.pub",
        sigil::util::encode_pem("RSA PUBLIC KEY", openssl_der(rsa.get(), [](EVP_PKEY* k, unsigned char** out) {
                                  return i2d_PublicKey(k, out);
                                })));
  // The older label cosign and skopeo still read.
  auto encrypted = must(sigil::crypto::encrypt_private_key(must(test_key.pkcs8_der(), "pkcs8").view(),
                                                           sigil::util::as_bytes(sigil::fuzz::k_test_password),
                                                           {.n = 1U << 15}),
                        "encrypting");
  for (const std::string_view word : {"BEGIN", "END"}) {
    const std::string from = std::string(word) + " ENCRYPTED SIGSTORE";
    encrypted.replace(encrypted.find(from), from.size(), std::string(word) + " ENCRYPTED COSIGN");
  }
  write("fuzz_encrypted_key", "gen-p256-cosign-label.key", encrypted);
}

const sigil::oci::Digest k_image_digest{sigil::oci::DigestAlgorithm::sha256,
                                        "6d1b6e6c4e5e4c0b1c3b8b6a3e0f7e1c2a9d8f7e6d5c4b3a29180f7e6d5c4b3a"};

void statement_seeds(const PrivateKey& test_key)
{
  const std::string sign_statement = sigil::intoto::cosign_sign_statement(k_image_digest, {{"team", "fuzz"}});
  write("fuzz_intoto", "gen-cosign-sign.json", sign_statement);
  const sigil::intoto::StatementRequest custom{
      .type = std::string(sigil::intoto::k_statement_v01),
      .subjects = {{.name = "app.tar.gz", .digest = {{"sha256", k_image_digest.hex}, {"sha512", std::string(128, 'a')}},
                    .annotations = {}}},
      .predicate_type = std::string(sigil::intoto::k_custom_predicate_type),
      .predicate_json = sigil::intoto::custom_predicate("hello <fuzz> & \"friends\"", "2024-01-02T03:04:05Z")};
  const std::string custom_statement = must(sigil::intoto::build_statement(custom), "statement");
  write("fuzz_intoto", "gen-custom-v01.json", custom_statement);

  const auto envelope = must(sigil::dsse::sign(test_key, sigil::intoto::k_payload_type,
                                               sigil::util::as_bytes(sign_statement)),
                             "dsse");
  write("fuzz_dsse", "gen-signed-statement.json", sigil::dsse::serialize(envelope));
  auto two = must(sigil::dsse::sign(test_key, "text/plain", sigil::util::as_bytes(custom_statement)), "dsse");
  two.signatures.push_back({.sig = Bytes(64, 7), .keyid = "some-key"});
  write("fuzz_dsse", "gen-two-signatures.json", sigil::dsse::serialize(two));

  const auto simple = sigil::payload::build_simple_signing("registry.example/team/app", k_image_digest.str(), {});
  write("fuzz_simple_signing", "gen-cosign.json", simple);
  write("fuzz_simple_signing", "gen-cosign-annotations.json",
        sigil::payload::build_simple_signing("registry.example/team/app", k_image_digest.str(),
                                             {{"env", "prod"}, {"html", "<b>&</b>"}, {"unicode", "\u2028 \xc3\xa9"}}));

  sigil::bundle::Bundle dsse_bundle;
  dsse_bundle.public_key_hint = test_key.public_key().hint();
  dsse_bundle.content = envelope;
  write("fuzz_bundle", "gen-dsse.json", sigil::bundle::write_bundle(dsse_bundle));

  const std::string_view blob = "hello, fuzz\n";
  const auto digest = sigil::crypto::sha256(sigil::util::as_bytes(blob));
  sigil::bundle::Bundle blob_bundle;
  blob_bundle.public_key_hint = test_key.public_key().hint();
  const auto signature = must(sigil::crypto::sign_digest(test_key, sigil::crypto::HashAlgorithm::sha256, digest),
                              "signing blob");
  blob_bundle.content = sigil::bundle::MessageSignature{sigil::crypto::HashAlgorithm::sha256, digest, signature};
  write("fuzz_bundle", "gen-message-signature.json", sigil::bundle::write_bundle(blob_bundle));
  write("fuzz_bundle", "gen-legacy.json",
        R"({"base64Signature":")" + sigil::util::base64_encode(signature) + R"(","cert":")" +
            sigil::util::base64_encode(sigil::util::as_bytes(test_key.public_key().pem())) +
            R"(","rekorBundle":null})");
}

} // namespace

int main(int argc, char** argv)
{
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds <corpus directory>\n";
    return 2;
  }
  g_root = argv[1];
  const auto test_key = must(PrivateKey::from_pem(sigil::fuzz::k_test_private_key_pem), "test key");
  key_seeds(test_key);
  statement_seeds(test_key);
  return 0;
}
