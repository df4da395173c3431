// Tests for sigil::verify image decisions (the outcome the exit status comes from) and
// cosign's JSON report of the verified signatures.
#include "cli/exit_status.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/util/json.hpp"
#include "sigil/verify/image_report.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using sigil::ErrorCode;
using sigil::verify::SignatureFormat;
using sigil::verify::SignatureReport;
using sigil::verify::VerifyImageResult;

VerifyImageResult result_with(std::vector<SignatureReport> signatures)
{
  return VerifyImageResult{*sigil::oci::Reference::parse("registry.example/app@sha256:" + std::string(64, 'a')), false,
                           std::move(signatures)};
}

SignatureReport report(bool verified, std::string payload = "{}")
{
  SignatureReport r;
  r.source = "sha256-aaa.sig layer 1";
  r.format = SignatureFormat::legacy;
  r.verified = verified;
  r.reason = verified ? "verified with key k.pub" : "signature does not verify with the trusted key";
  r.key_index = verified ? std::optional<std::size_t>(0) : std::nullopt;
  r.payload = std::move(payload);
  return r;
}

// The CLI's own mapping of the verdict to the exit status (cli/exit_status.hpp).
int status_of(const VerifyImageResult& r)
{
  return sigil::cli::status_of(r);
}

} // namespace

TEST_CASE("an image with no signatures at all exits 10 (no signatures)")
{
  const auto d = sigil::verify::decide(result_with({}));
  CHECK_FALSE(d.ok);
  CHECK(d.code == ErrorCode::no_signatures);
  CHECK(status_of(result_with({})) == 10);
}

TEST_CASE("signatures found but none verified exits 12 (none verified)")
{
  const auto r = result_with({report(false), report(false)});
  CHECK(sigil::verify::decide(r).code == ErrorCode::none_verified);
  CHECK(status_of(r) == 12);
}

TEST_CASE("one verified signature among rejected ones is enough: exit 0")
{
  const auto r = result_with({report(false), report(true)});
  CHECK(sigil::verify::decide(r).ok);
  CHECK(status_of(r) == 0);
}

TEST_CASE("cosign's JSON lists only verified signatures, the payload as signed plus the key that verified it")
{
  auto key = sigil::crypto::PrivateKey::generate(sigil::crypto::KeyKind::ecdsa_p256);
  REQUIRE(key);
  const std::vector<sigil::verify::TrustedKey> keys{{"k.pub", key->public_key()}};
  const std::string payload =
      R"({"critical":{"identity":{"docker-reference":"registry.example/app"},"type":"cosign container image signature"},"optional":null})";
  const auto json = sigil::verify::cosign_json(result_with({report(false, "{\"x\":1}"), report(true, payload)}), keys);
  REQUIRE(json.ends_with("\n"));
  const auto doc = sigil::util::parse_json(json);
  REQUIRE(doc);
  REQUIRE(doc->is_array());
  REQUIRE(doc->size() == 1);
  CHECK((*doc)[0]["critical"]["type"] == "cosign container image signature");
  CHECK((*doc)[0]["sigil"]["format"] == "legacy");
  CHECK((*doc)[0]["sigil"]["key"] == "k.pub");
  CHECK((*doc)[0]["sigil"]["source"] == "sha256-aaa.sig layer 1");
}
