// Tests for sigil::trust trusted roots (trusted_root.hpp): the Sigstore roots of the conformance
// fixtures, protobuf-JSON spellings, validity rules, caps, and cosign's environment variables.
#include "sigil/trust/trusted_root.hpp"

#include "keyless_fixtures.hpp"
#include "sigil/crypto/digest.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

using sigil::trust::parse_trusted_root;
using sigil::trust::TrustedRoot;
using sigil::util::Json;

constexpr std::string_view k_media_type = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
constexpr std::string_view k_p256_key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufB"
                                        "nhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==";

TrustedRoot load(const std::string& relative)
{
  auto root = parse_trusted_root(sigil::test::read_conformance(relative));
  REQUIRE_MESSAGE(root.has_value(), relative << ": " << (root ? "" : root.error().message));
  return *root;
}

// A one-tlog root whose tlog JSON is `tlog`.
std::string root_with_tlog(const Json& tlog)
{
  return sigil::util::dump_json(Json{{"mediaType", k_media_type}, {"tlogs", Json::array({tlog})}});
}

Json p256_tlog()
{
  return Json{{"baseUrl", "https://rekor.example.dev/"},
              {"hashAlgorithm", "SHA2_256"},
              {"publicKey",
               {{"rawBytes", k_p256_key},
                {"keyDetails", "PKIX_ECDSA_P256_SHA_256"},
                {"validFor", {{"start", "2021-01-12T11:53:27.5Z"}, {"end", "2022-01-01T01:00:00.9+01:00"}}}}},
              {"logId", {{"keyId", "wNI9atQGlz-VWfO6LRygH4QUfY_8W4RFwiT5i5WRgB0"}}}};
}

} // namespace

TEST_CASE("the production and staging roots parse with their logs and authorities")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const TrustedRoot prod = load("sigstore-python/store/production/trusted_root.json");
  CHECK(prod.tlogs.size() == 2);
  CHECK(prod.certificate_authorities.size() == 2);
  CHECK(prod.ctlogs.size() == 2);
  CHECK(prod.timestamp_authorities.size() == 1);
  const auto rekor_id = sigil::util::hex_decode("c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
  REQUIRE(rekor_id.has_value());
  const auto rekor = prod.tlogs_by_key_id(*rekor_id);
  REQUIRE(rekor.size() == 1);
  CHECK(rekor.front()->base_url == "https://rekor.sigstore.dev");
  CHECK(rekor.front()->key.has_value());
  CHECK(rekor.front()->valid_for.start == 1610452407); // 2021-01-12T11:53:27Z
  CHECK_FALSE(rekor.front()->valid_for.end.has_value());
  CHECK(prod.tlogs[1].origin() == "log2025-1.rekor.sigstore.dev");
  CHECK(prod.tlogs[1].key->algorithm() == sigil::crypto::KeyAlgorithm::ed25519);
  CHECK(prod.tlogs_by_key_id(prod.tlogs[1].key_id).size() == 1);
  CHECK(prod.ctlogs_by_key_id(*rekor_id).empty());
  const auto prod_ca = prod.certificate_authorities[0].chain.certificates();
  REQUIRE(prod_ca.has_value());
  CHECK(prod_ca->back().subject_text() == "O=sigstore.dev, CN=sigstore");
  const TrustedRoot staging = load("sigstore-python/store/staging/trusted_root.json");
  CHECK_FALSE(staging.tlogs.empty());
}

TEST_CASE("every conformance trusted root parses, except the tlog without validFor.start")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  int parsed = 0;
  for (const auto& dir : std::filesystem::directory_iterator(sigil::test::conformance_dir() /
                                                             "sigstore-conformance/bundle-verify")) {
    const auto path = dir.path() / "trusted_root.json";
    if (!std::filesystem::exists(path)) {
      continue;
    }
    const std::string name = dir.path().filename().string();
    CAPTURE(name);
    auto root = sigil::trust::load_trusted_root_file(path.string());
    if (name == "trust-root-tlog-missing-validity-start_fail") {
      REQUIRE_FALSE(root.has_value());
      CHECK(root.error().message.find("validFor.start") != std::string::npos);
      continue;
    }
    REQUIRE_MESSAGE(root.has_value(), (root ? "" : root.error().message));
    ++parsed;
  }
  CHECK(parsed >= 15);
}

TEST_CASE("sigstore-python's trusted root variants load or fail as upstream expects")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  load("sigstore-python/trusted_root/trustedroot.v1.json");
  const auto tiles = load("sigstore-python/trusted_root/trustedroot.v1.local_tlog_ed25519_rekor-tiles.json");
  CHECK(tiles.tlogs.front().origin() == "localhost"); // sigstore-go: the baseUrl's Hostname()
  auto bad = parse_trusted_root(sigil::test::read_conformance("sigstore-python/trusted_root/trustedroot.badtype.json"));
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message.find("media type") != std::string::npos);
  CHECK(sigil::trust::parse_certificate_authority(
            sigil::test::read_conformance("sigstore-python/trusted_root/certificate_authority.json"))
            .has_value());
  auto empty = sigil::trust::parse_certificate_authority(
      sigil::test::read_conformance("sigstore-python/trusted_root/certificate_authority.empty.json"));
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().message.find("empty") != std::string::npos);
  // Staging's old CT log key is PKCS#1 (PKCS1_RSA_PKCS1V5).
  const auto ct = load("sigstore-conformance/bundle-verify/invalid-ct-key_fail/trusted_root.json");
  REQUIRE(ct.ctlogs.front().key_details == "PKCS1_RSA_PKCS1V5");
  CHECK(ct.ctlogs.front().key->algorithm() == sigil::crypto::KeyAlgorithm::rsa);
}

TEST_CASE("a log's Rekor v2 checkpoint origin is its baseUrl's host name, as sigstore-go checks it")
{
  const auto origin = [](std::string url) {
    sigil::trust::TransparencyLog log;
    log.base_url = std::move(url);
    return log.origin();
  };
  CHECK(origin("https://log2025-1.rekor.sigstore.dev") == "log2025-1.rekor.sigstore.dev");
  CHECK(origin("https://log2025-1.rekor.sigstore.dev/") == "log2025-1.rekor.sigstore.dev");
  CHECK(origin("http://127.0.0.1:41234/rekor2") == "127.0.0.1"); // no port, no path
  CHECK(origin("https://user@rekor.example:8443/x?y#z") == "rekor.example");
  CHECK(origin("http://[::1]:3003") == "::1");
  CHECK(origin("rekor-local") == "rekor-local");
}

TEST_CASE("protobuf JSON: snake_case names, URL-safe base64, fractional and offset times")
{
  auto root = parse_trusted_root(root_with_tlog(p256_tlog()));
  REQUIRE_MESSAGE(root.has_value(), (root ? "" : root.error().message));
  const auto& log = root->tlogs.front();
  CHECK(log.origin() == "rekor.example.dev");
  CHECK(log.key_id.size() == 32);
  CHECK(log.valid_for.start == 1610452408); // .5 rounds the start up
  CHECK(log.valid_for.end == 1640995200);   // 00:00:00.9Z rounds the end down
  CHECK(log.valid_for.contains(1610452408));
  CHECK_FALSE(log.valid_for.contains(1610452407));
  CHECK(log.valid_for.contains(1640995200)); // end inclusive
  CHECK_FALSE(log.valid_for.contains(1640995201));

  Json snake = p256_tlog();
  snake["log_id"] = {{"key_id", "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="}};
  snake.erase("logId");
  snake["public_key"] = snake["publicKey"];
  snake.erase("publicKey");
  snake["public_key"]["raw_bytes"] = k_p256_key;
  snake["public_key"].erase("rawBytes");
  auto snake_root = parse_trusted_root(sigil::util::dump_json(
      Json{{"media_type", "application/vnd.dev.sigstore.trustedroot+json;version=0.2"}, {"tlogs", {snake}}}));
  REQUIRE_MESSAGE(snake_root.has_value(), (snake_root ? "" : snake_root.error().message));
  CHECK(snake_root->tlogs.front().key_id == log.key_id);

  Json both = p256_tlog();
  both["log_id"] = both["logId"];
  CHECK_FALSE(parse_trusted_root(root_with_tlog(both)).has_value());
}

TEST_CASE("tlog rules: validFor.start required in a window, unknown key types kept without a key, mismatched keys refused")
{
  Json no_start = p256_tlog();
  no_start["publicKey"]["validFor"].erase("start");
  auto missing = parse_trusted_root(root_with_tlog(no_start));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.find("tlogs[0]: missing \"publicKey.validFor.start\"") != std::string::npos);
  // No window at all (sigstore-js's test roots): valid at every time.
  Json no_validity = p256_tlog();
  no_validity["publicKey"].erase("validFor");
  auto unbounded = parse_trusted_root(root_with_tlog(no_validity));
  REQUIRE(unbounded.has_value());
  CHECK(unbounded->tlogs.front().valid_for.contains(0));
  CHECK(unbounded->tlogs.front().valid_for.contains(4102444800));

  Json unknown = p256_tlog();
  unknown["publicKey"]["keyDetails"] = "LMS_SHA256";
  auto kept = parse_trusted_root(root_with_tlog(unknown));
  REQUIRE(kept.has_value());
  CHECK_FALSE(kept->tlogs.front().key.has_value());
  CHECK(kept->tlogs.front().key_details == "LMS_SHA256");

  Json mismatch = p256_tlog();
  mismatch["publicKey"]["keyDetails"] = "PKIX_ED25519";
  CHECK_FALSE(parse_trusted_root(root_with_tlog(mismatch)).has_value());
  Json garbage = p256_tlog();
  garbage["publicKey"]["rawBytes"] = "AAAA";
  CHECK_FALSE(parse_trusted_root(root_with_tlog(garbage)).has_value());
  Json bad_time = p256_tlog();
  bad_time["publicKey"]["validFor"]["start"] = "2021-02-30T00:00:00Z";
  CHECK_FALSE(parse_trusted_root(root_with_tlog(bad_time)).has_value());
}

TEST_CASE("trusted roots are bounded and must say what they are")
{
  CHECK_FALSE(parse_trusted_root("{}").has_value());
  CHECK_FALSE(parse_trusted_root("[]").has_value());
  CHECK_FALSE(parse_trusted_root("{\"mediaType\":").has_value());
  const std::string big(sigil::trust::k_max_trusted_root_size + 1, ' ');
  auto too_big = parse_trusted_root(big);
  REQUIRE_FALSE(too_big.has_value());
  CHECK(too_big.error().message.find("limit") != std::string::npos);
  Json many = Json{{"mediaType", k_media_type}, {"tlogs", Json::array()}};
  for (std::size_t i = 0; i <= sigil::trust::k_max_trusted_root_entries; ++i) {
    many["tlogs"].push_back(Json::object());
  }
  auto too_many = parse_trusted_root(sigil::util::dump_json(many));
  REQUIRE_FALSE(too_many.has_value());
  CHECK(too_many.error().message.find("more than 1000 entries") != std::string::npos);
}

TEST_CASE("cosign's SIGSTORE_* variables make a trusted root; none set means none")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  ::unsetenv("SIGSTORE_ROOT_FILE");
  ::unsetenv("SIGSTORE_REKOR_PUBLIC_KEY");
  ::unsetenv("SIGSTORE_CT_LOG_PUBLIC_KEY_FILE");
  ::unsetenv("SIGSTORE_TSA_CERTIFICATE_FILE");
  auto none = sigil::trust::trusted_root_from_cosign_env(std::nullopt);
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());

  const auto keys = sigil::test::conformance_dir() / "containers-image/keys";
  ::setenv("SIGSTORE_ROOT_FILE", (keys / "fulcio_v1.crt.pem").c_str(), 1);
  ::setenv("SIGSTORE_REKOR_PUBLIC_KEY", (keys / "rekor.pub").c_str(), 1);
  auto root = sigil::trust::trusted_root_from_cosign_env(std::nullopt);
  ::unsetenv("SIGSTORE_ROOT_FILE");
  ::unsetenv("SIGSTORE_REKOR_PUBLIC_KEY");
  REQUIRE_MESSAGE(root.has_value(), (root ? "" : root.error().message));
  REQUIRE(root->has_value());
  REQUIRE((*root)->certificate_authorities.size() == 1);
  CHECK((*root)->certificate_authorities[0].chain.size() == 1);
  REQUIRE((*root)->tlogs.size() == 1);
  const auto& rekor = (*root)->tlogs[0];
  CHECK(rekor.key_id == sigil::crypto::sha256(rekor.public_key_der));
  CHECK(sigil::util::hex_encode(rekor.key_id) == "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
  CHECK((*root)->ctlogs.empty());

  // An intermediate alone is no root of trust.
  ::setenv("SIGSTORE_ROOT_FILE", (keys / "pki_intermediate_crts.pem").c_str(), 1);
  auto no_root = sigil::trust::trusted_root_from_cosign_env(std::nullopt);
  ::unsetenv("SIGSTORE_ROOT_FILE");
  REQUIRE_FALSE(no_root.has_value());
  CHECK(no_root.error().message.find("no root") != std::string::npos);
}

TEST_CASE("trusted_root_json writes what parse_trusted_root reads back, field for field")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  for (const char* relative :
       {"sigstore-python/store/production/trusted_root.json", "sigstore-python/store/staging/trusted_root.json"}) {
    const TrustedRoot root = load(relative);
    const std::string json = sigil::trust::trusted_root_json(root);
    auto again = parse_trusted_root(json);
    REQUIRE_MESSAGE(again.has_value(), relative << ": " << (again ? "" : again.error().message));
    CHECK(sigil::trust::trusted_root_json(*again) == json);
    REQUIRE(again->tlogs.size() == root.tlogs.size());
    REQUIRE(again->ctlogs.size() == root.ctlogs.size());
    REQUIRE(again->certificate_authorities.size() == root.certificate_authorities.size());
    REQUIRE(again->timestamp_authorities.size() == root.timestamp_authorities.size());
    for (std::size_t i = 0; i < root.tlogs.size(); ++i) {
      CHECK(again->tlogs[i].key_id == root.tlogs[i].key_id);
      CHECK(again->tlogs[i].public_key_der == root.tlogs[i].public_key_der);
      CHECK(again->tlogs[i].base_url == root.tlogs[i].base_url);
      CHECK(again->tlogs[i].valid_for.start == root.tlogs[i].valid_for.start);
      CHECK(again->tlogs[i].valid_for.end == root.tlogs[i].valid_for.end);
    }
    for (std::size_t i = 0; i < root.certificate_authorities.size(); ++i) {
      const auto& a = again->certificate_authorities[i];
      const auto& b = root.certificate_authorities[i];
      CHECK(a.uri == b.uri);
      CHECK(a.valid_for.start == b.valid_for.start);
      CHECK(a.valid_for.end == b.valid_for.end);
      REQUIRE(a.chain.size() == b.chain.size());
      CHECK(a.chain.der() == b.chain.der());
    }
  }
}

TEST_CASE("log_for_key: key id is the SHA-256 of the PKIX DER, keyDetails from the algorithm")
{
  auto key = sigil::crypto::PublicKey::from_der(sigil::util::base64_decode(k_p256_key).value());
  REQUIRE(key.has_value());
  const auto log = sigil::trust::log_for_key(*key, "https://rekor.example.dev", {.start = 100, .end = std::nullopt});
  CHECK(log.key_id == sigil::crypto::sha256(key->der()));
  CHECK(log.key_details == "PKIX_ECDSA_P256_SHA_256");
  CHECK(log.hash_algorithm == "SHA2_256");
  CHECK(log.valid_for.start == 100);
}
