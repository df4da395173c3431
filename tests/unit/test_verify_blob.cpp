// Tests for sigil::sign::sign_blob and sigil::verify::verify_blob, on temporary files.
#include "sigil/verify/blob.hpp"

#include "sigil/bundle/bundle.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/sign/blob.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"

#include "support.hpp"

#include <doctest/doctest.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using sigil::ErrorCode;
using sigil::crypto::HashAlgorithm;
using sigil::crypto::KeyAlgorithm;
using sigil::crypto::KeyKind;
using sigil::crypto::PrivateKey;
using sigil::sign::sign_blob;
using sigil::util::Bytes;
using sigil::util::to_bytes;
using sigil::verify::TrustedKey;
using sigil::verify::verify_blob;
using sigil::verify::VerifyBlobRequest;

// A fresh directory removed at the end of the test case.
using sigil::test::TempDir;

struct NamedKind {
  std::string name;
  KeyKind kind;
};

const NamedKind k_kinds[] = {
    {"ecdsa-p256", KeyKind::ecdsa_p256}, {"ecdsa-p384", KeyKind::ecdsa_p384}, {"ed25519", KeyKind::ed25519},
    {"rsa-3072", KeyKind::rsa_3072},     {"rsa-4096", KeyKind::rsa_4096},
};

// One key per name, generated once per run ("p521" is made outside generate()).
const PrivateKey& key(const std::string& name)
{
  static std::map<std::string, PrivateKey> cache;
  if (const auto it = cache.find(name); it != cache.end()) {
    return it->second;
  }
  std::optional<PrivateKey> made;
  if (name == "ecdsa-p521") {
    sigil::crypto::PkeyPtr raw(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
    REQUIRE(raw != nullptr);
    PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(raw.get());
    REQUIRE(info != nullptr);
    unsigned char* buf = nullptr;
    const int len = i2d_PKCS8_PRIV_KEY_INFO(info, &buf);
    PKCS8_PRIV_KEY_INFO_free(info);
    REQUIRE(len > 0);
    auto r = PrivateKey::from_pkcs8_der(sigil::util::ByteView(buf, static_cast<std::size_t>(len)));
    OPENSSL_clear_free(buf, static_cast<std::size_t>(len));
    REQUIRE(r.has_value());
    made.emplace(std::move(*r));
  } else {
    for (const auto& k : k_kinds) {
      if (k.name == name) {
        auto r = PrivateKey::generate(k.kind);
        REQUIRE(r.has_value());
        made.emplace(std::move(*r));
      }
    }
  }
  REQUIRE(made.has_value());
  return cache.emplace(name, std::move(*made)).first->second;
}

TrustedKey trusted(const std::string& name)
{
  return TrustedKey{name + ".pub", key(name).public_key()};
}

sigil::sign::SignBlobResult sign(const std::string& path, const std::string& key_name)
{
  auto r = sign_blob({.input = path, .signer = sigil::sign::KeySigner(key(key_name))});
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  return std::move(*r);
}

VerifyBlobRequest with_bundle(const std::string& path, std::vector<TrustedKey> keys, const std::string& bundle)
{
  return {.input = path, .keys = std::move(keys), .bundle_json = bundle, .signature_b64 = std::nullopt};
}

VerifyBlobRequest with_signature(const std::string& path, std::vector<TrustedKey> keys, const std::string& sig)
{
  return {.input = path, .keys = std::move(keys), .bundle_json = std::nullopt, .signature_b64 = sig};
}

void check_fails(const VerifyBlobRequest& request, ErrorCode code, std::string_view message)
{
  const auto r = verify_blob(request);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  CHECK_MESSAGE(r.error().message.find(message) != std::string::npos, r.error().message);
}

std::vector<std::string> all_key_names()
{
  std::vector<std::string> names = {"ecdsa-p521"};
  for (const auto& k : k_kinds) {
    names.push_back(k.name);
  }
  return names;
}

} // namespace

TEST_CASE("sign_blob then verify_blob, for each key kind, with a bundle and a bare signature")
{
  const TempDir dir;
  const std::string content = "release artifact\n" + std::string(3000, 'z');
  const std::string path = dir.write("artifact.tar", content);
  for (const auto& name : all_key_names()) {
    CAPTURE(name);
    const auto signed_blob = sign(path, name);
    CHECK(signed_blob.size == content.size());
    const auto hash_alg = sigil::crypto::signing_hash(key(name).algorithm()).value_or(HashAlgorithm::sha256);
    CHECK(signed_blob.digest_algorithm == hash_alg);
    CHECK(signed_blob.digest == sigil::crypto::hash(hash_alg, to_bytes(content)));

    // The bundle names the key and the digest.
    const auto b = sigil::bundle::parse_bundle(signed_blob.bundle_json);
    REQUIRE(b.has_value());
    CHECK(b->media_type == sigil::bundle::k_media_type_v03);
    CHECK(b->public_key_hint == key(name).public_key().hint());
    const auto& ms = std::get<sigil::bundle::MessageSignature>(b->content);
    CHECK(ms.digest == signed_blob.digest);
    CHECK(ms.signature == signed_blob.signature);

    const auto ok = verify_blob(with_bundle(path, {trusted(name)}, signed_blob.bundle_json));
    REQUIRE_MESSAGE(ok.has_value(), ok.error().message);
    CHECK(ok->matched_key == 0);
    CHECK(ok->format == "sigstore-bundle");
    CHECK(ok->notes.empty());

    // --signature: the base64 signature file, with the trailing newline cosign writes.
    const std::string sig_b64 = sigil::util::base64_encode(signed_blob.signature);
    for (const std::string& text : {sig_b64, sig_b64 + "\n", sig_b64 + "\r\n"}) {
      const auto by_sig = verify_blob(with_signature(path, {trusted(name)}, text));
      REQUIRE_MESSAGE(by_sig.has_value(), by_sig.error().message);
      CHECK(by_sig->format == "signature");
    }
  }
}

TEST_CASE("verify_blob: a changed file fails with none_verified")
{
  const TempDir dir;
  for (const auto& name : all_key_names()) {
    CAPTURE(name);
    const std::string path = dir.write("file-" + name, "original contents");
    const auto signed_blob = sign(path, name);
    (void)dir.write("file-" + name, "original contentz");
    check_fails(with_bundle(path, {trusted(name)}, signed_blob.bundle_json), ErrorCode::none_verified,
                "does not match the bundle's message digest");
    check_fails(with_signature(path, {trusted(name)}, sigil::util::base64_encode(signed_blob.signature)),
                ErrorCode::none_verified, "invalid signature: it does not verify with key " + name + ".pub");
  }
}

TEST_CASE("verify_blob: the digest check names both digests")
{
  const TempDir dir;
  const std::string path = dir.write("a", "one");
  const auto signed_blob = sign(path, "ecdsa-p256");
  (void)dir.write("a", "two");
  const auto r = verify_blob(with_bundle(path, {trusted("ecdsa-p256")}, signed_blob.bundle_json));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("sha256:" + sigil::util::hex_encode(sigil::crypto::sha256(to_bytes("two")))) !=
        std::string::npos);
  CHECK(r.error().message.find("sha256:" + sigil::util::hex_encode(sigil::crypto::sha256(to_bytes("one")))) !=
        std::string::npos);
}

TEST_CASE("verify_blob: a key that did not sign fails with none_verified")
{
  const TempDir dir;
  const std::string path = dir.write("f", "data");
  struct Case {
    std::string signer;
    std::string verifier;
  };
  const Case cases[] = {
      {"ecdsa-p256", "ecdsa-p384"}, {"ecdsa-p384", "ecdsa-p256"}, {"ed25519", "ecdsa-p256"},
      {"rsa-3072", "rsa-4096"},     {"ecdsa-p256", "ed25519"},    {"ecdsa-p521", "rsa-3072"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.signer);
    CAPTURE(c.verifier);
    const auto signed_blob = sign(path, c.signer);
    check_fails(with_bundle(path, {trusted(c.verifier)}, signed_blob.bundle_json), ErrorCode::none_verified,
                "invalid signature: it does not verify with key " + c.verifier + ".pub");
  }
  // A fresh key of the same kind as the signer.
  const auto other = PrivateKey::generate(KeyKind::ecdsa_p256);
  REQUIRE(other.has_value());
  const auto signed_blob = sign(path, "ecdsa-p256");
  check_fails(with_bundle(path, {TrustedKey{"other.pub", other->public_key()}}, signed_blob.bundle_json),
              ErrorCode::none_verified, "other.pub");
}

TEST_CASE("verify_blob: key rotation reports which key matched")
{
  const TempDir dir;
  const std::string path = dir.write("f", "rotated");
  struct Case {
    std::string signer;
    std::vector<std::string> keys;
    std::size_t matched;
  };
  const Case cases[] = {
      {"ecdsa-p256", {"ecdsa-p384", "ecdsa-p256"}, 1},          {"ed25519", {"ecdsa-p256", "ed25519"}, 1},
      {"ecdsa-p256", {"ed25519", "ecdsa-p256", "rsa-3072"}, 1}, {"rsa-3072", {"ecdsa-p521", "ed25519", "rsa-3072"}, 2},
      {"ecdsa-p384", {"ecdsa-p384", "ecdsa-p256"}, 0},
  };
  for (const auto& c : cases) {
    CAPTURE(c.signer);
    std::vector<TrustedKey> keys;
    for (const auto& k : c.keys) {
      keys.push_back(trusted(k));
    }
    const auto signed_blob = sign(path, c.signer);
    const auto ok = verify_blob(with_bundle(path, keys, signed_blob.bundle_json));
    REQUIRE_MESSAGE(ok.has_value(), ok.error().message);
    CHECK(ok->matched_key == c.matched);
    const auto by_sig = verify_blob(with_signature(path, keys, sigil::util::base64_encode(signed_blob.signature)));
    REQUIRE(by_sig.has_value());
    CHECK(by_sig->matched_key == c.matched);
  }
  const auto signed_blob = sign(path, "ecdsa-p256");
  check_fails(with_bundle(path, {trusted("ecdsa-p384"), trusted("ed25519")}, signed_blob.bundle_json),
              ErrorCode::none_verified, "no trusted key verifies it (tried ecdsa-p384.pub, ed25519.pub)");
}

TEST_CASE("verify_blob: an empty file signs and verifies")
{
  const TempDir dir;
  const std::string path = dir.write("empty", "");
  for (const auto& name : all_key_names()) {
    CAPTURE(name);
    const auto signed_blob = sign(path, name);
    CHECK(signed_blob.size == 0);
    const auto ok = verify_blob(with_bundle(path, {trusted(name)}, signed_blob.bundle_json));
    REQUIRE_MESSAGE(ok.has_value(), ok.error().message);
    const auto by_sig =
        verify_blob(with_signature(path, {trusted(name)}, sigil::util::base64_encode(signed_blob.signature)));
    REQUIRE_MESSAGE(by_sig.has_value(), by_sig.error().message);
  }
  const auto p256 = sign(path, "ecdsa-p256");
  CHECK(sigil::util::hex_encode(p256.digest) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("verify_blob: malformed bundles and signatures are bad input")
{
  const TempDir dir;
  const std::string path = dir.write("f", "data");
  const auto signed_blob = sign(path, "ecdsa-p256");
  struct Case {
    std::string name;
    std::string bundle;
    std::string message;
  };
  const Case cases[] = {
      {"not JSON", "{", "malformed bundle"},
      {"empty", "", "malformed bundle"},
      {"neither format", "{}", "neither a Sigstore bundle"},
      {"unknown media type", R"({"mediaType":"x","verificationMaterial":{},"messageSignature":{}})",
       "unsupported mediaType"},
      {"digest of the wrong length",
       R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},)"
       R"("messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":"YWJj"}})",
       "message digest has 3 bytes"},
      {"DSSE bundle",
       R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},)"
       R"("dsseEnvelope":{"payload":"","payloadType":"t","signatures":[{"sig":"c2ln"}]}})",
       "use verify-blob-attestation"},
      {"legacy without a signature", R"({"base64Signature":""})", "the signature is empty"},
      {"legacy with bad base64", R"({"base64Signature":"*"})", "malformed bundle"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    check_fails(with_bundle(path, {trusted("ecdsa-p256")}, c.bundle), ErrorCode::bad_input, c.message);
  }
  check_fails(with_signature(path, {trusted("ecdsa-p256")}, "not base64!"), ErrorCode::bad_input,
              "the signature file is not base64");
  check_fails(with_signature(path, {trusted("ecdsa-p256")}, ""), ErrorCode::bad_input, "the signature is empty");
  check_fails(with_signature(path, {trusted("ecdsa-p256")}, "YWJj"), ErrorCode::none_verified, "invalid signature");
}

TEST_CASE("verify_blob: usage errors and unreadable input")
{
  const TempDir dir;
  const std::string path = dir.write("f", "data");
  const auto signed_blob = sign(path, "ecdsa-p256");
  check_fails(with_bundle(path, {}, signed_blob.bundle_json), ErrorCode::usage, "no trusted key");
  VerifyBlobRequest both = with_bundle(path, {trusted("ecdsa-p256")}, signed_blob.bundle_json);
  both.signature_b64 = "YWJj";
  check_fails(both, ErrorCode::usage, "exactly one of --bundle and --signature");
  VerifyBlobRequest neither = with_bundle(path, {trusted("ecdsa-p256")}, "");
  neither.bundle_json.reset();
  check_fails(neither, ErrorCode::usage, "exactly one of --bundle and --signature");
  for (const auto& name : {std::string("ecdsa-p256"), std::string("ed25519")}) {
    CAPTURE(name);
    const std::string missing = path + ".missing";
    check_fails(with_bundle(missing, {trusted(name)}, sign(path, name).bundle_json), ErrorCode::bad_input,
                "cannot open");
    const auto no_input = sign_blob({.input = missing, .signer = sigil::sign::KeySigner(key(name))});
    REQUIRE_FALSE(no_input.has_value());
    CHECK(no_input.error().code == ErrorCode::bad_input);
  }
}

TEST_CASE("verify_blob: cosign legacy bundles and notes about unchecked material")
{
  const TempDir dir;
  const std::string path = dir.write("f", "legacy");
  const auto signed_blob = sign(path, "ecdsa-p256");
  const std::string sig = sigil::util::base64_encode(signed_blob.signature);

  const auto legacy =
      verify_blob(with_bundle(path, {trusted("ecdsa-p256")}, R"({"base64Signature":")" + sig + R"("})"));
  REQUIRE_MESSAGE(legacy.has_value(), legacy.error().message);
  CHECK(legacy->format == "cosign-bundle");
  CHECK(legacy->notes.empty());

  const auto with_rekor = verify_blob(
      with_bundle(path, {trusted("ecdsa-p256")}, R"({"base64Signature":")" + sig + R"(","rekorBundle":{}})"));
  REQUIRE(with_rekor.has_value());
  REQUIRE(with_rekor->notes.size() == 1);
  CHECK(with_rekor->notes.front().find("rekorBundle was not checked") != std::string::npos);

  // A Sigstore bundle with a certificate and tlog entries: verified with the key, and the
  // report says what was not checked.
  auto doc = sigil::util::parse_json(signed_blob.bundle_json);
  REQUIRE(doc.has_value());
  (*doc)["verificationMaterial"]["tlogEntries"] = sigil::util::Json::array({sigil::util::Json::object()});
  (*doc)["verificationMaterial"].erase("publicKey"); // a key hint and a certificate never go together
  (*doc)["verificationMaterial"]["certificate"] = {{"rawBytes", "AA=="}};
  const auto noted = verify_blob(with_bundle(path, {trusted("ecdsa-p256")}, sigil::util::dump_json(*doc)));
  REQUIRE(noted.has_value());
  REQUIRE(noted->notes.size() == 2);
  CHECK(noted->notes[0].find("transparency log entries were not checked") != std::string::npos);
  CHECK(noted->notes[1].find("certificate was ignored") != std::string::npos);
}

TEST_CASE("verify_blob: a bundle whose digest matches but whose signature is for another file")
{
  const TempDir dir;
  const std::string a = dir.write("a", "first file");
  const std::string b = dir.write("b", "second file");
  const auto sig_a = sign(a, "ecdsa-p256");
  const auto sig_b = sign(b, "ecdsa-p256");
  // b's digest with a's signature.
  sigil::bundle::Bundle mixed;
  mixed.content = sigil::bundle::MessageSignature{HashAlgorithm::sha256, sig_b.digest, sig_a.signature};
  check_fails(with_bundle(b, {trusted("ecdsa-p256")}, sigil::bundle::write_bundle(mixed)), ErrorCode::none_verified,
              "invalid signature");
}

TEST_CASE("verify_blob: signatures are checked under the key's hash (then SHA-256), never the bundle's declared one")
{
  const TempDir dir;
  const std::string content = "hash agility";
  const std::string path = dir.write("f", content);
  const Bytes d256 = sigil::crypto::hash(HashAlgorithm::sha256, to_bytes(content));
  const Bytes d384 = sigil::crypto::hash(HashAlgorithm::sha384, to_bytes(content));
  const PrivateKey& p384 = key("ecdsa-p384");
  const PrivateKey& p256 = key("ecdsa-p256");
  auto bundle = [](HashAlgorithm alg, const Bytes& digest, const Bytes& sig) {
    sigil::bundle::Bundle b;
    b.content = sigil::bundle::MessageSignature{alg, digest, sig};
    return sigil::bundle::write_bundle(b);
  };
  // cosign 2.x signs P-384 over SHA-256; the Sigstore registry (sigil, cosign 3) over SHA-384.
  const auto sig384_over_256 = sigil::crypto::sign_digest(p384, HashAlgorithm::sha256, d256);
  const auto sig384_over_384 = sigil::crypto::sign_digest(p384, HashAlgorithm::sha384, d384);
  const auto sig256_over_384 = sigil::crypto::sign_digest(p256, HashAlgorithm::sha384, d384);
  REQUIRE(sig384_over_256.has_value());
  REQUIRE(sig384_over_384.has_value());
  REQUIRE(sig256_over_384.has_value());

  struct Case {
    std::string name;
    std::string key_name;
    std::string bundle;
    bool ok;
  };
  const Case cases[] = {
      {"P-384, SHA2_256 bundle, SHA-256 signature", "ecdsa-p384", bundle(HashAlgorithm::sha256, d256, *sig384_over_256),
       true},
      {"P-384, SHA2_384 bundle, SHA-384 signature", "ecdsa-p384", bundle(HashAlgorithm::sha384, d384, *sig384_over_384),
       true},
      // P-256 signs SHA-256 only: a signature over a (truncated) SHA-384 digest is refused, as
      // sigstore-go does; the declared messageDigest only identifies the artifact.
      {"P-256, SHA2_384 bundle, SHA-384 signature", "ecdsa-p256", bundle(HashAlgorithm::sha384, d384, *sig256_over_384),
       false},
      {"P-384, SHA2_256 bundle, SHA-384 signature", "ecdsa-p384", bundle(HashAlgorithm::sha256, d256, *sig384_over_384),
       true},
      {"P-384, SHA2_384 bundle, SHA-256 signature", "ecdsa-p384", bundle(HashAlgorithm::sha384, d384, *sig384_over_256),
       true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto r = verify_blob(with_bundle(path, {trusted(c.key_name)}, c.bundle));
    CHECK(r.has_value() == c.ok);
    if (!r) {
      CHECK(r.error().code == ErrorCode::none_verified);
    }
  }
  // A bare signature names no algorithm: the key's default, then SHA-256, are tried.
  for (const auto* sig : {&*sig384_over_256, &*sig384_over_384}) {
    const auto r = verify_blob(with_signature(path, {trusted("ecdsa-p384")}, sigil::util::base64_encode(*sig)));
    CHECK(r.has_value());
  }
  check_fails(with_signature(path, {trusted("ecdsa-p256")}, sigil::util::base64_encode(*sig256_over_384)),
              ErrorCode::none_verified, "invalid signature");
  // The declared digest must still be the file's.
  check_fails(with_bundle(path, {trusted("ecdsa-p384")}, bundle(HashAlgorithm::sha384, Bytes(48, 0), *sig384_over_384)),
              ErrorCode::none_verified, "artifact digest sha384:");
}

TEST_CASE("parse_certificate_file: PEM, or base64 of PEM as cosign's --output-certificate writes it")
{
  const auto pem = sigil::util::read_file(fs::path(SIGIL_SHARED_DIR) / "conformance/sigstore-python/a.txt.crt");
  if (!pem) {
    MESSAGE("shared/conformance is absent: skipped");
    return;
  }
  const auto plain = sigil::verify::parse_certificate_file(*pem);
  REQUIRE(plain.has_value());
  REQUIRE(plain->size() == 1);
  const auto b64 = sigil::util::base64_encode(sigil::util::as_bytes(*pem));
  for (const auto& text : {b64, b64 + "\n", b64.substr(0, 64) + "\n" + b64.substr(64) + "\n"}) {
    const auto decoded = sigil::verify::parse_certificate_file(text);
    REQUIRE_MESSAGE(decoded.has_value(), (decoded ? "" : decoded.error().message));
    CHECK(decoded->front().der() == plain->front().der());
  }
  for (const std::string bad : {"", "bm90IGEgY2VydGlmaWNhdGU=", "%%%"}) {
    const auto r = sigil::verify::parse_certificate_file(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
  }
}
