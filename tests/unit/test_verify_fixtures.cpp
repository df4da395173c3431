// Captured artifacts from real tools verify through sigil's verification code as they are.
//
//  1. shared/fixtures: signatures written by cosign 2.5 and skopeo 1.18 (single image, index,
//     one platform of the index), read back from a registry byte for byte. Each is checked
//     with sigil::verify::check_simple_signing (the registry-free core of `sigil verify`):
//     accepted with the key summary.json names, rejected with every other fixture key, with
//     another digest and with a tampered payload. The .sig manifests parse and name the payload.
//  2. shared/conformance §2 (kind cosign-simple-signing-verify, oci-sig-manifest): the key-based
//     cases are accepted or rejected exactly as README.md/cases.json state, and so are the
//     negative_checks upstream applies. Keyless cases (Fulcio/PKI certificates, Rekor SETs) are
//     outside what sigil verifies (keys only): their signatures must decode, and must verify with
//     the leaf certificate's public key, but chains, identities and SETs are skipped (MESSAGE).
//  3. P-384: the SHA-256 signatures cosign 2.5 and skopeo 1.18 make with P-384 keys are accepted
//     as well as SHA-384 ones (measured by tests/integration/test_image_interop.sh).
//
// Fixtures are never edited; the tests skip (MESSAGE) when SIGIL_SHARED_DIR is absent.
#include "sigil/verify/image.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/key_file.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/oci/manifest.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/payload/simple_signing.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using sigil::crypto::PublicKey;
using sigil::util::as_bytes;
using sigil::util::Json;
using sigil::verify::check_simple_signing;
using sigil::verify::CheckOutcome;
using sigil::verify::TrustedKey;

// Reasons check_simple_signing gives (lib/sigil/verify/image.cpp).
constexpr std::string_view k_bad_signature = "signature does not verify";
constexpr std::string_view k_other_image = "does not match image";
constexpr std::string_view k_not_base64 = "not base64";

const std::map<std::string, std::string> k_no_annotations;

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

// An annotation value as a file holds it: a trailing line break is the file's, not the value's.
std::string read_b64(const fs::path& path)
{
  std::string text = read_text(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

TrustedKey load_key(const fs::path& path)
{
  auto key = sigil::crypto::load_public_key(path.string());
  REQUIRE_MESSAGE(key.has_value(), path.string() << ": " << key.error().message);
  return TrustedKey{path.filename().string(), std::move(*key)};
}

std::string digest_of(std::string_view bytes)
{
  return sigil::crypto::sha256_digest_string(as_bytes(bytes));
}

bool contains(std::string_view text, std::string_view part)
{
  return text.find(part) != std::string_view::npos;
}

struct Check {
  std::string_view payload;
  std::string_view signature_b64;
  std::string_view digest;
  std::optional<std::string> docker_repository = std::nullopt;
  const std::map<std::string, std::string>* annotations = &k_no_annotations;
  bool check_claims = true;
};

CheckOutcome run(const Check& c, const std::vector<TrustedKey>& keys)
{
  return check_simple_signing({.payload = c.payload,
                               .signature_b64 = c.signature_b64,
                               .keys = keys,
                               .expected_digest = std::string(c.digest),
                               .annotations = *c.annotations,
                               .check_claims = c.check_claims,
                               .docker_repository = c.docker_repository});
}

void expect_accepted(const CheckOutcome& out, std::optional<std::size_t> key_index = std::size_t{0})
{
  CHECK_MESSAGE(out.verified, out.reason);
  CHECK(out.key_index == key_index);
  CHECK_MESSAGE(contains(out.reason, "verified with key"), out.reason);
}

void expect_rejected(const CheckOutcome& out, std::string_view reason)
{
  CHECK_FALSE(out.verified);
  CHECK_MESSAGE(contains(out.reason, reason), "reason: \"" << out.reason << "\", want: \"" << reason << "\"");
}

// A payload with one byte changed inside the signed digest: still a well-formed payload.
std::string tampered(std::string payload)
{
  const auto at = payload.find("sha256:");
  REQUIRE(at != std::string::npos);
  char& c = payload[at + 7];
  c = c == '0' ? '1' : '0';
  return payload;
}

// The public key of the first certificate in a PEM file (no chain checks at all).
PublicKey leaf_key(const fs::path& pem_path)
{
  const std::string pem = read_text(pem_path);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  REQUIRE(bio != nullptr);
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  REQUIRE_MESSAGE(cert != nullptr, pem_path.string());
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  X509_free(cert);
  REQUIRE(len > 0);
  auto key = PublicKey::from_der(sigil::util::ByteView(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  REQUIRE_MESSAGE(key.has_value(), key.error().message);
  return std::move(*key);
}

// ---------------------------------------------------------------------------------------------
// 1. shared/fixtures

struct FixtureRow {
  std::string dir;
  std::string writer;         // what wrote it (for messages)
  std::string docker_ref;     // the payload's docker-reference, as that tool writes it
  std::string repository;     // the repository it names
  std::string media_type;     // the signed manifest's media type (summary.json)
  std::string optional_shape; // "null" (cosign) or "creator+timestamp" (skopeo)
};

const FixtureRow k_fixtures[] = {
    {"cosign-2.5-single", "cosign 2.5 sign --key", "127.0.0.1:5000/fixtures/cosign-signed",
     "127.0.0.1:5000/fixtures/cosign-signed", "application/vnd.oci.image.manifest.v1+json", "null"},
    {"skopeo-1.18-single", "skopeo 1.18 copy --sign-by-sigstore-private-key", "127.0.0.1:5000/fixtures/skopeo-signed:v1",
     "127.0.0.1:5000/fixtures/skopeo-signed", "application/vnd.oci.image.manifest.v1+json", "creator+timestamp"},
    {"skopeo-1.18-index", "skopeo 1.18 copy --all (the index)", "127.0.0.1:5000/fixtures/skopeo-signed:multi",
     "127.0.0.1:5000/fixtures/skopeo-signed", "application/vnd.oci.image.index.v1+json", "creator+timestamp"},
    {"skopeo-1.18-index-amd64", "skopeo 1.18 copy --all (linux/amd64)", "127.0.0.1:5000/fixtures/skopeo-signed:multi",
     "127.0.0.1:5000/fixtures/skopeo-signed", "application/vnd.oci.image.manifest.v1+json", "creator+timestamp"},
};

std::vector<fs::path> fixture_public_keys()
{
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(shared_dir() / "fixtures" / "keys")) {
    if (entry.path().extension() == ".pub") {
      out.push_back(entry.path());
    }
  }
  std::ranges::sort(out);
  return out;
}

TEST_CASE("fixtures: cosign 2.5 and skopeo 1.18 image signatures verify as captured")
{
  const fs::path root = shared_dir() / "fixtures";
  if (!fs::exists(root)) {
    MESSAGE("skipped: " << root.string() << " does not exist");
    return;
  }
  const auto pubs = fixture_public_keys();
  REQUIRE(pubs.size() >= 4);
  std::vector<TrustedKey> all_keys;
  for (const auto& p : pubs) {
    all_keys.push_back(load_key(p));
  }

  for (const auto& row : k_fixtures) {
    CAPTURE(row.dir);
    CAPTURE(row.writer);
    const fs::path dir = root / row.dir;
    REQUIRE_MESSAGE(fs::exists(dir), dir.string());
    const std::string manifest = read_text(dir / "image-manifest.json");
    const std::string payload = read_text(dir / "payload.0.json");
    const std::string signature = read_b64(dir / "signature.0.b64");
    auto summary = sigil::util::parse_json(read_text(dir / "summary.json"));
    REQUIRE(summary.has_value());
    const std::string digest = digest_of(manifest);
    CHECK((*summary)["image"].get<std::string>().ends_with("@" + digest));
    CHECK((*summary)["image_manifest_media_type"].get<std::string>() == row.media_type);
    const auto& layer = (*summary)["layers"][0];
    std::set<std::string> verifies_with;
    for (const auto& k : layer["verifies_with"]) {
      verifies_with.insert(k.get<std::string>());
    }
    REQUIRE_FALSE(verifies_with.empty());

    // The payload as that tool writes it: parsed only after verification, but checked here.
    auto parsed = sigil::payload::parse_simple_signing(payload);
    REQUIRE_MESSAGE(parsed.has_value(), parsed.error().message);
    CHECK(parsed->manifest_digest == digest);
    CHECK(parsed->docker_reference == row.docker_ref);
    CHECK(parsed->type == sigil::payload::k_signature_type);
    if (row.optional_shape == "null") {
      CHECK(parsed->optional.is_null());
    } else {
      REQUIRE(parsed->optional.is_object());
      CHECK(parsed->optional["creator"].is_string());
      CHECK(parsed->optional["timestamp"].is_number_integer());
    }

    SUBCASE("accepted with the key summary.json names, rejected with every other key")
    {
      for (const auto& pub : pubs) {
        CAPTURE(pub.filename().string());
        const std::vector<TrustedKey> one{load_key(pub)};
        const auto out = run({.payload = payload, .signature_b64 = signature, .digest = digest}, one);
        if (verifies_with.contains(pub.filename().string())) {
          expect_accepted(out);
        } else {
          expect_rejected(out, k_bad_signature);
        }
      }
    }
    SUBCASE("key rotation: all fixture keys given, the report names the one that matched")
    {
      const auto out = run({.payload = payload, .signature_b64 = signature, .digest = digest}, all_keys);
      expect_accepted(out, out.key_index);
      REQUIRE(out.key_index.has_value());
      CHECK(verifies_with.contains(all_keys[*out.key_index].name));
    }
    std::vector<TrustedKey> right;
    for (const auto& pub : pubs) {
      if (verifies_with.contains(pub.filename().string())) {
        right.push_back(load_key(pub));
      }
    }
    REQUIRE(right.size() == verifies_with.size());
    right.erase(right.begin() + 1, right.end());
    SUBCASE("rejected for another digest: the signature is bound to this image")
    {
      const std::string other = digest_of(manifest + " ");
      expect_rejected(run({.payload = payload, .signature_b64 = signature, .digest = other}, right), k_other_image);
      // Every other fixture's image is "another image" too (the index and its platform differ).
      for (const auto& o : k_fixtures) {
        const std::string their = digest_of(read_text(root / o.dir / "image-manifest.json"));
        if (their != digest) {
          CAPTURE(o.dir);
          expect_rejected(run({.payload = payload, .signature_b64 = signature, .digest = their}, right), k_other_image);
        }
      }
    }
    SUBCASE("rejected for a tampered payload (one byte of the digest changed, or a trailing newline)")
    {
      const std::string t = tampered(payload);
      expect_rejected(run({.payload = t, .signature_b64 = signature, .digest = digest}, right), k_bad_signature);
      expect_rejected(run({.payload = t, .signature_b64 = signature, .digest = digest_of(manifest), .check_claims = false}, right),
                      k_bad_signature);
      const std::string nl = payload + "\n";
      expect_rejected(run({.payload = nl, .signature_b64 = signature, .digest = digest}, right), k_bad_signature);
    }
    SUBCASE("rejected for a damaged signature")
    {
      std::string sig = signature;
      sig[10] = sig[10] == 'A' ? 'B' : 'A';
      expect_rejected(run({.payload = payload, .signature_b64 = sig, .digest = digest}, right), k_bad_signature);
      expect_rejected(run({.payload = payload, .signature_b64 = signature.substr(1), .digest = digest}, right),
                      k_not_base64);
    }
    SUBCASE("--check-docker-reference: the repository, with or without the tag the tool wrote")
    {
      expect_accepted(run({.payload = payload, .signature_b64 = signature, .digest = digest, .docker_repository = row.repository},
                          right));
      expect_rejected(run({.payload = payload, .signature_b64 = signature, .digest = digest,
                           .docker_repository = "127.0.0.1:5000/fixtures/elsewhere"},
                          right),
                      "does not name repository");
    }
    SUBCASE("-a annotations are compared with what the tool signed into \"optional\"")
    {
      if (row.optional_shape == "null") {
        const std::map<std::string, std::string> want{{"creator", "x"}};
        expect_rejected(run({.payload = payload, .signature_b64 = signature, .digest = digest, .annotations = &want}, right),
                        "not in the signed payload");
      } else {
        const std::map<std::string, std::string> creator{{"creator", parsed->optional["creator"].get<std::string>()}};
        expect_accepted(run({.payload = payload, .signature_b64 = signature, .digest = digest, .annotations = &creator},
                            right));
        // skopeo signs the timestamp as a number: a string annotation never matches it.
        const std::map<std::string, std::string> ts{
            {"timestamp", std::to_string(parsed->optional["timestamp"].get<std::int64_t>())}};
        expect_rejected(run({.payload = payload, .signature_b64 = signature, .digest = digest, .annotations = &ts}, right),
                        "signed value is");
      }
    }
    SUBCASE("the .sig manifest parses and its layer is this payload with this signature")
    {
      const std::string sig_manifest = read_text(dir / "sig-manifest.json");
      CHECK(digest_of(sig_manifest) == (*summary)["sig_manifest_digest"].get<std::string>());
      auto m = sigil::oci::parse_manifest(sig_manifest);
      REQUIRE_MESSAGE(m.has_value(), m.error().message);
      CHECK(m->media_type == sigil::oci::media_type::oci_manifest);
      REQUIRE(m->layers.size() == 1);
      const auto& l = m->layers[0];
      CHECK(l.media_type == sigil::oci::media_type::cosign_simple_signing);
      CHECK(l.digest.str() == digest_of(payload));
      CHECK(l.size == static_cast<std::int64_t>(payload.size()));
      CHECK(l.annotations.at(std::string(sigil::oci::annotation::cosign_signature)) == signature);
      CHECK(m->config.digest.str() == digest_of(read_text(dir / "sig-config.json")));
      CHECK(m->config.size == static_cast<std::int64_t>(read_text(dir / "sig-config.json").size()));
      // The tag it was found under is the one sigil looks up.
      auto d = sigil::oci::parse_digest(digest);
      REQUIRE(d.has_value());
      CHECK(sigil::oci::signature_tag(*d, "sig") == (*summary)["sig_tag"].get<std::string>());
    }
  }
}

TEST_CASE("P-384 image signatures: SHA-384 (Sigstore registry, sigil) and SHA-256 (cosign 2.5, skopeo 1.18)")
{
  // Measured with the real tools (test_image_interop.sh): cosign 2.5 and skopeo 1.18 sign
  // simple-signing payloads with SHA-256 for a P-384 key. check_simple_signing accepts both.
  auto key = sigil::crypto::PrivateKey::generate(sigil::crypto::KeyKind::ecdsa_p384);
  REQUIRE(key.has_value());
  const std::vector<TrustedKey> keys{{"p384.pub", key->public_key()}};
  const std::string digest = digest_of("an image manifest");
  const std::string payload = sigil::payload::build_simple_signing("127.0.0.1:5000/app", digest, {});
  auto sha384_sig = sigil::crypto::sign_message(*key, as_bytes(payload));
  REQUIRE(sha384_sig.has_value());
  const auto sha256 = sigil::crypto::sha256(as_bytes(payload));
  auto sha256_sig = sigil::crypto::sign_digest(*key, sigil::crypto::HashAlgorithm::sha256, sha256);
  REQUIRE(sha256_sig.has_value());
  for (const auto* sig : {&*sha384_sig, &*sha256_sig}) {
    const std::string b64 = sigil::util::base64_encode(*sig);
    expect_accepted(run({.payload = payload, .signature_b64 = b64, .digest = digest}, keys));
    expect_rejected(run({.payload = tampered(payload), .signature_b64 = b64, .digest = digest}, keys), k_bad_signature);
    expect_rejected(run({.payload = payload, .signature_b64 = b64, .digest = digest_of("another")}, keys), k_other_image);
  }
  // SHA-512 is not a fallback: only the key's own hash and SHA-256.
  const auto sha512 = sigil::crypto::hash(sigil::crypto::HashAlgorithm::sha512, as_bytes(payload));
  auto sha512_sig = sigil::crypto::sign_digest(*key, sigil::crypto::HashAlgorithm::sha512, sha512);
  if (sha512_sig) {
    expect_rejected(run({.payload = payload, .signature_b64 = sigil::util::base64_encode(*sha512_sig), .digest = digest}, keys),
                    k_bad_signature);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. shared/conformance §2: key-based image signatures

enum class Expect { accept, reject };

struct ConformanceRow {
  std::string id;        // cases.json id (negative checks: "<id> / <what>")
  std::string payload;   // paths relative to shared/conformance
  std::string signature; // file holding the annotation value
  std::string manifest;  // the signed image manifest; empty: `digest` names it
  std::string digest;    // when there is no manifest (README states the image digest)
  std::string key;
  Expect expect;
  std::string reason;    // substring of check_simple_signing's reason
  std::string why;       // what README/cases.json says
};

const std::string ci = "containers-image/cases/";
const std::string ci_keys = "containers-image/keys/";
const std::string gcp = "registry-capture/gcp-ar-cosign-v2-kms-and-keyless/";
const std::string hub = "registry-capture/dockerhub-cosign-v1.13.1/";
const std::string rs = "sigstore-rs/simple-signing/key-signed/";

const ConformanceRow k_conformance[] = {
    {"containers-image/cosign-key-valid", ci + "cosign-key-valid/payload.json", ci + "cosign-key-valid/signature.b64",
     ci + "cosign-key-valid/manifest.json", "", ci_keys + "cosign.pub", Expect::accept, "verified with key",
     "signature by cosign.pub; docker-manifest-digest == sha256(manifest.json)"},
    {"containers-image/cosign-key-valid / key cosign2.pub", ci + "cosign-key-valid/payload.json",
     ci + "cosign-key-valid/signature.b64", ci + "cosign-key-valid/manifest.json", "", ci_keys + "cosign2.pub",
     Expect::reject, std::string(k_bad_signature), "negative_checks: key cosign2.pub -> reject"},
    {"containers-image/cosign-key-valid / some-rsa-key.pub", ci + "cosign-key-valid/payload.json",
     ci + "cosign-key-valid/signature.b64", ci + "cosign-key-valid/manifest.json", "", ci_keys + "some-rsa-key.pub",
     Expect::reject, std::string(k_bad_signature), "an RSA key never verifies an ECDSA signature"},
    {"containers-image/cosign-key-valid / modified-manifest's manifest", ci + "cosign-key-valid/payload.json",
     ci + "cosign-key-valid/signature.b64", ci + "modified-manifest/manifest.json", "", ci_keys + "cosign.pub",
     Expect::reject, std::string(k_other_image), "negative_checks: manifest modified-manifest -> reject (digest mismatch)"},
    {"containers-image/skopeo-key-valid-with-tag", ci + "skopeo-key-valid-with-tag/payload.json",
     ci + "skopeo-key-valid-with-tag/signature.b64", ci + "skopeo-key-valid-with-tag/manifest.json", "",
     ci_keys + "cosign.pub", Expect::accept, "verified with key",
     "written by containers/image 5.21.2-dev; docker-reference includes a tag"},
    {"containers-image/unknown-key", ci + "unknown-key/payload.json", ci + "unknown-key/signature.b64",
     ci + "unknown-key/manifest.json", "", ci_keys + "cosign.pub", Expect::reject, std::string(k_bad_signature),
     "a valid cosign signature by a key that is NOT cosign.pub"},
    {"containers-image/modified-manifest", ci + "modified-manifest/payload.json", ci + "modified-manifest/signature.b64",
     ci + "modified-manifest/manifest.json", "", ci_keys + "cosign.pub", Expect::reject, std::string(k_other_image),
     "signature valid, but sha256(manifest.json) != docker-manifest-digest"},
    {"containers-image/cosign-key-rekor-valid", ci + "cosign-key-rekor-valid/payload.json",
     ci + "cosign-key-rekor-valid/signature.b64", ci + "cosign-key-rekor-valid/manifest.json", "",
     ci_keys + "cosign2.pub", Expect::accept, "verified with key",
     "signed by cosign2.pub (the Rekor SET is not checked: sigil verifies with keys only)"},
    {"containers-image/cosign-key-rekor-valid / key cosign.pub", ci + "cosign-key-rekor-valid/payload.json",
     ci + "cosign-key-rekor-valid/signature.b64", ci + "cosign-key-rekor-valid/manifest.json", "",
     ci_keys + "cosign.pub", Expect::reject, std::string(k_bad_signature), "negative_checks: key cosign.pub only -> reject"},
    {"registry-capture/gcp-ar-kms-layer", gcp + "payload.json", gcp + "layer0-kms.signature.b64", "",
     "sha256:a2b109fb9baea555556561317fdd13cef9c3dfac22c8f8fea0c5a0b06ece9d00", gcp + "kms_pub.pem", Expect::accept,
     "verified with key", "KMS (ECDSA P-256) signature over payload.json; image sha256:a2b109fb..."},
    {"registry-capture/gcp-ar-kms-layer / layer1 keyless signature", gcp + "payload.json",
     gcp + "layer1-keyless.signature.b64", "", "sha256:a2b109fb9baea555556561317fdd13cef9c3dfac22c8f8fea0c5a0b06ece9d00",
     gcp + "kms_pub.pem", Expect::reject, std::string(k_bad_signature),
     "negative_checks: layer1 keyless signature with kms_pub.pem -> reject"},
    {"registry-capture/dockerhub-cosign-v1.13.1", hub + "payload.json", hub + "signature.b64", hub + "image-manifest.json",
     "", hub + "recovered-candidate-1.pub", Expect::accept, "verified with key",
     "cosign v1.13.1 on Docker Hub; verifies with the recovered candidate key"},
    {"registry-capture/dockerhub-cosign-v1.13.1 / candidate 2", hub + "payload.json", hub + "signature.b64",
     hub + "image-manifest.json", "", hub + "recovered-candidate-2.pub", Expect::accept, "verified with key",
     "both recovered candidates verify the signature by construction (PROVENANCE.jsonl)"},
    {"registry-capture/dockerhub-cosign-v1.13.1 / containers-image cosign.pub", hub + "payload.json",
     hub + "signature.b64", hub + "image-manifest.json", "", ci_keys + "cosign.pub", Expect::reject,
     std::string(k_bad_signature), "an unrelated key"},
    {"sigstore-rs/key-signed", rs + "payload.json", rs + "signature.b64", "",
     "sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b", rs + "cosign.pub", Expect::accept,
     "verified with key", "signature by cosign.pub over payload.json (busybox, digest sha256:f3cfc9d0...)"},
    {"sigstore-rs/key-signed / containers-image cosign.pub", rs + "payload.json", rs + "signature.b64", "",
     "sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b", ci_keys + "cosign.pub", Expect::reject,
     std::string(k_bad_signature), "negative_checks: key containers-image/keys/cosign.pub -> reject"},
};

// Cases of the two kinds this file covers that are keyless: only decoding and the leaf key.
struct KeylessRow {
  std::string id;
  std::string payload;
  std::string signature;
  std::string certificate;
  std::string manifest; // empty when there is none
};

const KeylessRow k_keyless[] = {
    {"containers-image/cosign-fulcio-rekor-valid", ci + "cosign-fulcio-rekor-valid/payload.json",
     ci + "cosign-fulcio-rekor-valid/signature.b64", ci + "cosign-fulcio-rekor-valid/certificate.pem",
     ci + "cosign-fulcio-rekor-valid/manifest.json"},
    {"containers-image/cosign-pki-valid", ci + "cosign-pki-valid/payload.json", ci + "cosign-pki-valid/signature.b64",
     ci + "cosign-pki-valid/certificate.pem", ci + "cosign-pki-valid/manifest.json"},
    {"sigstore-rs/keyless-2021", "sigstore-rs/simple-signing/keyless-2021/payload.json",
     "sigstore-rs/simple-signing/keyless-2021/signature.b64", "sigstore-rs/simple-signing/keyless-2021/certificate.pem", ""},
    {"registry-capture/gcp-ar-keyless-layer", gcp + "payload.json", gcp + "layer1-keyless.signature.b64",
     gcp + "layer1-keyless.certificate.pem", ""},
    {"registry-capture/gcp-ar-keyless-2023-04", "registry-capture/gcp-ar-cosign-keyless-2023-04/payload.json",
     "registry-capture/gcp-ar-cosign-keyless-2023-04/signature.b64",
     "registry-capture/gcp-ar-cosign-keyless-2023-04/certificate.pem", ""},
};

// Handled by its own test case below (not a simple-signing layer at all).
constexpr std::string_view k_other_attachment = "containers-image/other-attachment";

std::string case_id(const std::string& row_id)
{
  return row_id.substr(0, row_id.find(" / "));
}

TEST_CASE("conformance §2: key-based cosign image signatures accepted or rejected as stated")
{
  const fs::path root = shared_dir() / "conformance";
  if (!fs::exists(root)) {
    MESSAGE("skipped: " << root.string() << " does not exist");
    return;
  }
  for (const auto& row : k_conformance) {
    CAPTURE(row.id);
    CAPTURE(row.why);
    const std::string payload = read_text(root / row.payload);
    const std::string signature = read_b64(root / row.signature);
    const std::string digest = row.manifest.empty() ? row.digest : digest_of(read_text(root / row.manifest));
    const std::vector<TrustedKey> keys{load_key(root / row.key)};
    const auto out = run({.payload = payload, .signature_b64 = signature, .digest = digest}, keys);
    if (row.expect == Expect::accept) {
      expect_accepted(out);
      // Accepted payloads are simple-signing payloads naming this digest.
      auto parsed = sigil::payload::parse_simple_signing(payload);
      REQUIRE(parsed.has_value());
      CHECK(parsed->manifest_digest == digest);
      CHECK(parsed->type == sigil::payload::k_signature_type);
      // And tampering with the payload breaks them.
      expect_rejected(run({.payload = tampered(payload), .signature_b64 = signature, .digest = digest}, keys),
                      k_bad_signature);
    } else {
      expect_rejected(out, row.reason);
    }
  }
}

TEST_CASE("conformance §2: negative check \"signature replaced by base64('invalid signature')\"")
{
  const fs::path root = shared_dir() / "conformance";
  if (!fs::exists(root)) {
    MESSAGE("skipped: " << root.string() << " does not exist");
    return;
  }
  const std::string payload = read_text(root / ci / "cosign-key-valid/payload.json");
  const std::string digest = digest_of(read_text(root / ci / "cosign-key-valid/manifest.json"));
  const std::vector<TrustedKey> keys{load_key(root / ci_keys / "cosign.pub")};
  const std::string invalid = sigil::util::base64_encode(as_bytes("invalid signature"));
  expect_rejected(run({.payload = payload, .signature_b64 = invalid, .digest = digest}, keys), k_bad_signature);
  expect_rejected(run({.payload = payload, .signature_b64 = "", .digest = digest}, keys), k_bad_signature);
  expect_rejected(run({.payload = payload, .signature_b64 = "not base64!", .digest = digest}, keys), k_not_base64);
}

TEST_CASE("conformance §2: containers-image/other-attachment is not a signature")
{
  const fs::path root = shared_dir() / "conformance";
  const fs::path raw = root / "containers-image/raw/dir-img-cosign-other-attachment/signature-1";
  if (!fs::exists(raw)) {
    MESSAGE("skipped: " << raw.string() << " does not exist");
    return;
  }
  // c/image dir: format: "\0sigstore-json\n" + {mimeType, payload (base64), annotations}.
  const std::string text = read_text(raw);
  constexpr std::string_view prefix("\0sigstore-json\n", 15);
  REQUIRE(text.starts_with(prefix));
  auto doc = sigil::util::parse_json(std::string_view(text).substr(prefix.size()));
  REQUIRE(doc.has_value());
  const std::string mime = (*doc)["mimeType"].get<std::string>();
  auto payload = sigil::util::base64_decode((*doc)["payload"].get<std::string>());
  REQUIRE(payload.has_value());
  const std::string payload_text(sigil::util::as_chars(*payload));
  const std::string signature =
      (*doc)["annotations"][std::string(sigil::oci::annotation::cosign_signature)].get<std::string>();

  // verify_image rejects such a layer on its media type before fetching it (check_layer).
  CHECK(mime == "text/plain");
  CHECK(mime != sigil::oci::media_type::cosign_simple_signing);
  // And were it fetched anyway, the core check rejects it: the annotation holds another
  // payload's signature, and the bytes are not a simple-signing payload either.
  const std::vector<TrustedKey> keys{load_key(root / ci_keys / "cosign.pub")};
  const std::string digest = digest_of(read_text(root / ci / "cosign-key-valid/manifest.json"));
  expect_rejected(run({.payload = payload_text, .signature_b64 = signature, .digest = digest}, keys), k_bad_signature);
  CHECK_FALSE(sigil::payload::parse_simple_signing(payload_text).has_value());
  // The annotation is cosign-key-valid's signature, which is what makes the case interesting.
  CHECK(signature == read_b64(root / ci / "cosign-key-valid/signature.b64"));
}

TEST_CASE("conformance §2: keyless signatures decode and verify with their leaf key (chains skipped)")
{
  const fs::path root = shared_dir() / "conformance";
  if (!fs::exists(root)) {
    MESSAGE("skipped: " << root.string() << " does not exist");
    return;
  }
  for (const auto& row : k_keyless) {
    CAPTURE(row.id);
    const std::string raw_signature = read_text(root / row.signature);
    // cosign-pki-valid's annotation is base64 wrapped at 76 columns: it must still decode.
    auto decoded = sigil::util::base64_decode(raw_signature);
    REQUIRE_MESSAGE(decoded.has_value(), decoded.error().message);
    CHECK(decoded->size() >= 64);
    const std::string payload = read_text(root / row.payload);
    const std::vector<TrustedKey> keys{{row.certificate, leaf_key(root / row.certificate)}};
    const bool has_manifest = !row.manifest.empty();
    const std::string digest = has_manifest ? digest_of(read_text(root / row.manifest)) : "";
    const auto out =
        run({.payload = payload, .signature_b64 = raw_signature, .digest = digest, .check_claims = has_manifest}, keys);
    expect_accepted(out);
    expect_rejected(run({.payload = tampered(payload), .signature_b64 = raw_signature, .digest = digest,
                         .check_claims = has_manifest},
                        keys),
                    k_bad_signature);
    MESSAGE("skipped for " << row.id
                           << ": certificate chain, identity/issuer and Rekor SET (sigil verifies with keys only); "
                              "checked: the signature decodes and verifies with the leaf certificate's key");
  }
  if (fs::exists(root / ci / "cosign-pki-valid/signature.b64")) {
    CHECK(contains(read_text(root / ci / "cosign-pki-valid/signature.b64"), "\n"));
  }
}

TEST_CASE("conformance §2: the captured .sig manifests parse and name their payloads")
{
  const fs::path root = shared_dir() / "conformance";
  if (!fs::exists(root)) {
    MESSAGE("skipped: " << root.string() << " does not exist");
    return;
  }
  SUBCASE("registry-capture/dockerhub-cosign-v1.13.1 (oci-sig-manifest): byte-exact objects")
  {
    const fs::path d = root / hub;
    const std::string sig_manifest = read_text(d / "sig-manifest.json");
    const std::string payload = read_text(d / "payload.json");
    const std::string config = read_text(d / "sig-config.json");
    const std::string image = read_text(d / "image-manifest.json");
    CHECK(digest_of(sig_manifest).starts_with("sha256:7ebe8964"));
    CHECK(digest_of(image).starts_with("sha256:4c1c50d0"));
    auto m = sigil::oci::parse_manifest(sig_manifest);
    REQUIRE_MESSAGE(m.has_value(), m.error().message);
    CHECK(m->config.digest.str() == digest_of(config));
    CHECK(m->config.digest.str().starts_with("sha256:85ad8e17"));
    REQUIRE(m->layers.size() == 1);
    CHECK(m->layers[0].media_type == sigil::oci::media_type::cosign_simple_signing);
    CHECK(m->layers[0].digest.str() == digest_of(payload));
    CHECK(m->layers[0].digest.str().starts_with("sha256:b671489e"));
    CHECK(m->layers[0].size == static_cast<std::int64_t>(payload.size()));
    CHECK(m->layers[0].annotations.at(std::string(sigil::oci::annotation::cosign_signature)) ==
          read_b64(d / "signature.b64"));
    auto parsed = sigil::payload::parse_simple_signing(payload);
    REQUIRE(parsed.has_value());
    CHECK(parsed->manifest_digest == digest_of(image));
    auto dg = sigil::oci::parse_digest(digest_of(image));
    REQUIRE(dg.has_value());
    CHECK(sigil::oci::signature_tag(*dg, "sig") ==
          "sha256-4c1c50d0ffc614f90b93b07d778028dc765548e823f676fb027f61d281ac380d.sig");
  }
  SUBCASE("registry-capture/gcp-ar-kms-layer: the two-layer manifest (pretty-printed by jq)")
  {
    const fs::path d = root / gcp;
    auto m = sigil::oci::parse_manifest(read_text(d / "sig-manifest.jq-pretty.json"));
    REQUIRE_MESSAGE(m.has_value(), m.error().message);
    const std::string payload = read_text(d / "payload.json");
    REQUIRE(m->layers.size() == 2);
    for (const auto& l : m->layers) {
      CHECK(l.media_type == sigil::oci::media_type::cosign_simple_signing);
      CHECK(l.digest.str() == digest_of(payload));
      CHECK(l.size == static_cast<std::int64_t>(payload.size()));
    }
    const std::string sig_key(sigil::oci::annotation::cosign_signature);
    CHECK(m->layers[0].annotations.at(sig_key) == read_b64(d / "layer0-kms.signature.b64"));
    CHECK(m->layers[1].annotations.at(sig_key) == read_b64(d / "layer1-keyless.signature.b64"));
    // Layer by layer as verify_image goes: the KMS key accepts layer 1 and rejects layer 2.
    const std::vector<TrustedKey> keys{load_key(d / "kms_pub.pem")};
    const std::string digest = "sha256:a2b109fb9baea555556561317fdd13cef9c3dfac22c8f8fea0c5a0b06ece9d00";
    expect_accepted(run({.payload = payload, .signature_b64 = m->layers[0].annotations.at(sig_key), .digest = digest}, keys));
    expect_rejected(run({.payload = payload, .signature_b64 = m->layers[1].annotations.at(sig_key), .digest = digest}, keys),
                    k_bad_signature);
    // -a key1=value1 is what was signed into "optional".
    const std::map<std::string, std::string> want{{"key1", "value1"}};
    expect_accepted(run({.payload = payload, .signature_b64 = m->layers[0].annotations.at(sig_key), .digest = digest,
                         .annotations = &want},
                        keys));
  }
}

TEST_CASE("conformance §2: every cosign-simple-signing-verify case in cases.json has a row here")
{
  const fs::path cases = shared_dir() / "conformance" / "cases.json";
  if (!fs::exists(cases)) {
    MESSAGE("skipped: " << cases.string() << " does not exist");
    return;
  }
  auto doc = sigil::util::parse_json(read_text(cases), 256);
  REQUIRE(doc.has_value());
  const Json& list = doc->is_array() ? *doc : (*doc)["cases"];
  REQUIRE(list.is_array());
  std::map<std::string, std::string> expected; // id -> "accept"/"reject"
  for (const auto& c : list) {
    const auto kind = c.value("kind", "");
    if (kind == "cosign-simple-signing-verify" || kind == "oci-sig-manifest") {
      expected[c["id"].get<std::string>()] = c.value("expect", "");
    }
  }
  REQUIRE(expected.size() >= 13);
  for (const auto& [id, expect] : expected) {
    CAPTURE(id);
    CAPTURE(expect);
    const bool keyless = std::ranges::any_of(k_keyless, [&](const auto& r) { return r.id == id; });
    if (keyless || id == k_other_attachment) {
      if (id == k_other_attachment) {
        CHECK(expect == "reject");
      }
      continue;
    }
    const auto row = std::ranges::find_if(k_conformance, [&](const auto& r) { return r.id == id; });
    REQUIRE_MESSAGE(row != std::end(k_conformance), "no row for " << id);
    // The row's own expectation agrees with cases.json ("accept (structure + digests); ...").
    CHECK(expect.starts_with(row->expect == Expect::accept ? "accept" : "reject"));
  }
  // And no row names a case that does not exist.
  for (const auto& row : k_conformance) {
    CHECK_MESSAGE(expected.contains(case_id(row.id)), row.id);
  }
}

} // namespace
