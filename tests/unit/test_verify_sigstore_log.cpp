// Tests for sigil::verify::verify_sigstore over the sigstore-conformance bundles (read in place
// from shared/conformance; skipped with a message when it is absent): what kind of failure each
// rejection is. A log entry whose SET, inclusion proof or checkpoint does not verify is a
// signature that did not verify (none_verified, exit 12), not a malformed input file (exit 30).
#include "sigil/verify/sigstore.hpp"

#include "sigil/bundle/bundle.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/trust/trusted_root.hpp"
#include "sigil/util/file.hpp"
#include "sigil/verify/attestation.hpp"

#include "keyless_fixtures.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using sigil::ErrorCode;
namespace verify = sigil::verify;
namespace keyless = sigil::keyless;

constexpr const char* k_identity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
                                   ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
constexpr const char* k_issuer = "https://token.actions.githubusercontent.com";

sigil::Result<verify::SigstoreVerified> verify_case(const std::string& name)
{
  const auto json = sigil::test::read_conformance(sigil::test::bundle_case(name));
  auto bundle = sigil::bundle::parse_bundle(json);
  REQUIRE_MESSAGE(bundle.has_value(), name);
  auto material = verify::material_from_bundle(*bundle);
  REQUIRE_MESSAGE(material.has_value(), name);
  auto root = sigil::trust::load_trusted_root_file(
      (sigil::test::conformance_dir() / "sigstore-python/store/production/trusted_root.json").string());
  REQUIRE(root.has_value());
  verify::SigstorePolicy policy;
  policy.root = &*root;
  policy.identity.subject = keyless::ValueMatcher::exact(k_identity);
  policy.identity.issuer = keyless::ValueMatcher::exact(k_issuer);
  const auto artifact = sigil::test::read_conformance("sigstore-conformance/bundle-verify/a.txt");
  const verify::ArtifactDigest digest{sigil::crypto::HashAlgorithm::sha256,
                                      sigil::crypto::sha256(sigil::util::as_bytes(artifact))};
  return verify::verify_sigstore(*material, digest, policy);
}

} // namespace

TEST_CASE("verify_sigstore: a log entry that does not verify is a rejection (none_verified), named 'transparency log'")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  CHECK(verify_case("happy-path-v0.3").has_value());
  for (const std::string name :
       {"set-invalid-signature_fail", "inclusion-proof-corrupted-hash_fail", "invalid-checkpoint-signature_fail",
        "checkpoint-wrong-roothash_fail", "invalid-inclusion-proof_fail", "checkpoint-bad-keyhint_fail"}) {
    CAPTURE(name);
    const auto r = verify_case(name);
    REQUIRE_FALSE(r.has_value());
    CAPTURE(r.error().message);
    CHECK(r.error().code == ErrorCode::none_verified);
    CHECK(r.error().message.starts_with("transparency log: "));
  }
}

TEST_CASE("verify_blob_attestation: cosign's keyless attest-blob legacy bundle (envelope, cert, rekorBundle)")
{
  // tests/unit/data/keyless/standin-attest-blob: made by cosign 2.5 against the Sigstore stand-in.
  const std::string dir = std::string(SIGIL_UNIT_DATA_DIR) + "/keyless/standin-attest-blob/";
  auto json = sigil::util::read_file(dir + "bundle.legacy.json");
  REQUIRE(json.has_value());
  auto root = sigil::trust::load_trusted_root_file(dir + "trusted_root.json");
  REQUIRE(root.has_value());
  const auto request = [&](const std::string& identity, const std::string& input) {
    verify::VerifyBlobAttestationRequest r;
    r.input = dir + input;
    r.bundle_json = *json;
    r.predicate_type = "https://example.com/sigil/standin/v1";
    r.sigstore.root = &*root;
    r.sigstore.identity.subject = keyless::ValueMatcher::exact(identity);
    r.sigstore.identity.issuer = keyless::ValueMatcher::exact("http://127.0.0.1:42973");
    return r;
  };
  const auto ok = verify::verify_blob_attestation(request("signer@example.com", "artifact.txt"));
  REQUIRE_MESSAGE(ok.has_value(), (ok ? "" : ok.error().message));
  CHECK(ok->decision.ok);
  REQUIRE(ok->attestations.size() == 1);
  CHECK(ok->attestations.front().keyless.has_value());

  const auto other = verify::verify_blob_attestation(request("other@example.com", "artifact.txt"));
  REQUIRE(other.has_value());
  CHECK_FALSE(other->decision.ok);
  CHECK(other->decision.code == ErrorCode::none_verified);
  CHECK(other->attestations.front().reason.starts_with("identity: "));

  const auto wrong_file = verify::verify_blob_attestation(request("signer@example.com", "README"));
  REQUIRE(wrong_file.has_value());
  CHECK_FALSE(wrong_file->decision.ok);
  CHECK(wrong_file->attestations.front().reason.starts_with("artifact: "));

  auto no_identity = request("signer@example.com", "artifact.txt");
  no_identity.sigstore.identity = {};
  const auto usage = verify::verify_blob_attestation(no_identity);
  REQUIRE_FALSE(usage.has_value());
  CHECK(usage.error().code == ErrorCode::usage);
}
