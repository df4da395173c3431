// Tests for sigil::verify::verify_sigstore over the sigstore-conformance bundles (read in place
// from shared/conformance; skipped with a message when it is absent): what kind of failure each
// rejection is. A log entry whose SET, inclusion proof or checkpoint does not verify is a
// signature that did not verify (none_verified, exit 12), not a malformed input file (exit 30).
#include "sigil/verify/sigstore.hpp"

#include "sigil/bundle/bundle.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/trust/trusted_root.hpp"

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
