// Tests for sigil::crypto X.509 certificates (x509.hpp): parsing, views, Fulcio extensions, and
// the sigstore-python classification over the x509-classify conformance cases.
#include "sigil/crypto/x509.hpp"

#include "keyless_fixtures.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

namespace {

using sigil::crypto::Certificate;
using sigil::util::Json;

// The first certificate of a conformance bundle.
Certificate conformance_leaf(const std::string& name)
{
  const auto certs = sigil::test::bundle_certificates(sigil::test::conformance_json(sigil::test::bundle_case(name)));
  REQUIRE(!certs.empty());
  return certs.front();
}

// One expectation of a classify case: true / false / "error" / absent (not asserted).
void check_classification(const Json& expected, const sigil::Result<bool>& actual, const std::string& what)
{
  CAPTURE(what);
  if (expected.is_null()) {
    return;
  }
  if (expected.is_string()) {
    REQUIRE(expected.get<std::string>() == "error");
    CHECK_FALSE(actual.has_value());
    if (!actual) {
      CHECK(actual.error().message.starts_with("invalid X.509 certificate"));
    }
    return;
  }
  REQUIRE_MESSAGE(actual.has_value(), (actual ? "" : actual.error().message));
  CHECK(*actual == expected.get<bool>());
}

} // namespace

TEST_CASE("x509-classify conformance cases follow sigstore-python's cert_is_ca/root_ca/leaf")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const Json cases = sigil::test::conformance_json("cases.json");
  int seen = 0;
  for (const auto& c : cases) {
    if (c.value("kind", "") != "x509-classify") {
      continue;
    }
    const std::string id = c.at("id").get<std::string>();
    CAPTURE(id);
    auto cert = Certificate::from_pem(sigil::test::read_conformance(c.at("files").at("certificate").get<std::string>()));
    REQUIRE_MESSAGE(cert.has_value(), (cert ? "" : cert.error().message));
    check_classification(c.value("is_ca", Json()), sigil::crypto::cert_is_ca(*cert), "is_ca");
    check_classification(c.value("is_root_ca", Json()), sigil::crypto::cert_is_root_ca(*cert), "is_root_ca");
    check_classification(c.value("is_leaf", Json()), sigil::crypto::cert_is_leaf(*cert), "is_leaf");
    ++seen;
  }
  CHECK(seen == 10);
}

TEST_CASE("a Fulcio leaf: validity, SANs, extensions, key, names")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const Certificate leaf = conformance_leaf("bundle-with-root-cert_fail");
  CHECK(leaf.not_before() == 1683317662); // 2023-05-05T20:14:22Z
  CHECK(leaf.not_after() == 1683318262);  // ten minutes later
  CHECK(leaf.san_emails() == std::vector<std::string>{"a@tny.town"});
  CHECK(leaf.san_uris().empty());
  CHECK(leaf.san_others().empty());
  CHECK_FALSE(leaf.is_ca());
  CHECK(leaf.subject_text().empty());
  CHECK(leaf.issuer_text() == "O=sigstore.dev, CN=sigstore-intermediate");
  auto issuer_v1 = leaf.fulcio_extension(1);
  REQUIRE(issuer_v1.has_value());
  CHECK(*issuer_v1 == std::optional<std::string>("https://github.com/login/oauth"));
  auto issuer_v2 = leaf.fulcio_extension(8);
  REQUIRE(issuer_v2.has_value());
  CHECK(*issuer_v2 == std::optional<std::string>("https://github.com/login/oauth"));
  auto absent = leaf.fulcio_extension(12);
  REQUIRE(absent.has_value());
  CHECK_FALSE(absent->has_value());
  CHECK_FALSE(leaf.fulcio_extension(0).has_value());
  auto key = leaf.public_key();
  REQUIRE(key.has_value());
  CHECK(key->algorithm() == sigil::crypto::KeyAlgorithm::ecdsa_p384);
  CHECK(sigil::crypto::cert_is_leaf(leaf).value_or(false));
}

TEST_CASE("GitHub Actions leaf: URI SAN and the v2 Fulcio extensions decode as UTF8String")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const Certificate leaf = conformance_leaf("rekor2-happy-path");
  const auto uris = leaf.san_uris();
  REQUIRE(uris.size() == 1);
  CHECK(uris.front().starts_with("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"));
  auto issuer = leaf.fulcio_extension(8);
  REQUIRE(issuer.has_value());
  CHECK(*issuer == std::optional<std::string>("https://token.actions.githubusercontent.com"));
  auto repository = leaf.fulcio_extension(12); // source repository URI
  REQUIRE(repository.has_value());
  REQUIRE(repository->has_value());
  CHECK((*repository)->starts_with("https://github.com/sigstore-conformance/"));
}

TEST_CASE("from_pem, chain_from_pem and from_der refuse what is not exactly certificates")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const std::string chain_pem = sigil::test::read_conformance("containers-image/fulcio-cert-case/fulcio-chain");
  auto chain = Certificate::chain_from_pem(chain_pem);
  REQUIRE(chain.has_value());
  CHECK(chain->size() == 2);
  CHECK((*chain)[0].is_ca());
  CHECK_FALSE(Certificate::from_pem(chain_pem).has_value()); // two blocks
  const std::string root_pem = sigil::test::read_conformance("containers-image/keys/fulcio_v1.crt.pem");
  auto root = Certificate::from_pem(root_pem);
  REQUIRE(root.has_value());
  CHECK(root->same_as((*chain)[1]));
  CHECK_FALSE(root->same_as((*chain)[0]));
  CHECK(sigil::crypto::is_self_signed(*root));
  CHECK_FALSE(sigil::crypto::is_self_signed((*chain)[0]));
  // The cheap check (no signature verification) agrees on both.
  CHECK(sigil::crypto::is_self_issued_root(*root));
  CHECK_FALSE(sigil::crypto::is_self_issued_root((*chain)[0]));
  CHECK(sigil::crypto::cert_is_root_ca(*root).value_or(false));

  sigil::util::Bytes der = root->der();
  der.push_back(0);
  CHECK_FALSE(Certificate::from_der(der).has_value()); // trailing byte
  der.resize(der.size() - 10);
  CHECK_FALSE(Certificate::from_der(der).has_value()); // truncated
  CHECK_FALSE(Certificate::from_der({}).has_value());
  CHECK_FALSE(Certificate::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").has_value());
  CHECK_FALSE(Certificate::chain_from_pem("no pem here").has_value());
}
