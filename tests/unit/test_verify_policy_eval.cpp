// Tests for verify/policy_eval: N of M by a maximum matching (one signature counts for one
// authority), eligibility (an attestation must pass its conditions), and prepare_policy's
// errors, each naming FILE:LINE: PATH.
#include "sigil/verify/policy_eval.hpp"

#include "sigil/crypto/key.hpp"
#include "sigil/verify/attestation.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using namespace sigil;
using verify::PreparedAuthority;
using verify::PreparedSignatures;
using verify::SignatureReport;

PreparedAuthority key_authority(std::string name, std::size_t index)
{
  return PreparedAuthority{std::move(name), {}, index, std::nullopt};
}

PreparedAuthority keyless_authority(std::string name, keyless::ValueMatcher subject)
{
  keyless::IdentityPolicy id;
  id.subject = std::move(subject);
  id.issuer = keyless::ValueMatcher::exact("https://issuer.example");
  return PreparedAuthority{std::move(name), {}, std::nullopt, std::move(id)};
}

SignatureReport by_key(std::size_t index, bool verified = true)
{
  SignatureReport r;
  r.source = "key sig " + std::to_string(index);
  r.verified = verified;
  r.reason = verified ? "verified" : "signature does not verify with any trusted key";
  if (verified) {
    r.key_index = index;
  }
  return r;
}

SignatureReport by_identity(const std::string& subject, const std::string& issuer = "https://issuer.example",
                            const std::string& source = "")
{
  SignatureReport r;
  r.source = source.empty() ? "keyless sig " + subject : source;
  r.verified = true;
  r.keyless = verify::SigstoreVerified{};
  r.keyless->identity = keyless::CertificateIdentity{subject, issuer, {}};
  return r;
}

const auto k_any = [](const SignatureReport&) { return true; };

} // namespace

TEST_CASE("policy eval: N of M counts key authorities by the key that verified")
{
  PreparedSignatures sigs{{key_authority("a", 0), key_authority("b", 1)}, 2};
  std::vector<verify::AuthorityVerdict> out;
  CHECK(verify::match_authorities(sigs, {by_key(0), by_key(1, false)}, k_any, "signatures", out) == 1);
  REQUIRE(out.size() == 2);
  CHECK(out[0].satisfied);
  CHECK(out[0].reason == "verified: key sig 0");
  CHECK_FALSE(out[1].satisfied);
  CHECK(out[1].reason == "2 considered, none by this authority: verified with another key or identity");
  out.clear();
  CHECK(verify::match_authorities(sigs, {by_key(0), by_key(1)}, k_any, "signatures", out) == 2);
  out.clear();
  CHECK(verify::match_authorities(sigs, {}, k_any, "signatures", out) == 0);
  CHECK(out[0].reason == "no signatures found");
}

TEST_CASE("policy eval: one signature counts for one authority (maximum matching)")
{
  // Both authorities accept ci@example.com; "any" also accepts other@example.com.
  PreparedSignatures sigs{{keyless_authority("ci", keyless::ValueMatcher::exact("ci@example.com")),
                           keyless_authority("any", *keyless::ValueMatcher::regexp(".*@example\\.com"))},
                          2};
  std::vector<verify::AuthorityVerdict> out;
  CHECK(verify::match_authorities(sigs, {by_identity("ci@example.com")}, k_any, "signatures", out) == 1);
  CHECK(out[0].satisfied != out[1].satisfied);
  const auto& loser = out[0].satisfied ? out[1] : out[0];
  CHECK(loser.reason == "its signers counted for other authorities (each signer counts for one authority only)");
  out.clear();
  // The order that a greedy count would get wrong: "any" first takes ci@, ci needs it.
  PreparedSignatures reversed{{sigs.authorities[1], sigs.authorities[0]}, 2};
  CHECK(verify::match_authorities(reversed, {by_identity("ci@example.com"), by_identity("other@example.com")}, k_any,
                                  "signatures", out) == 2);
  out.clear();
  CHECK(verify::match_authorities(sigs, {by_identity("evil@example.org")}, k_any, "signatures", out) == 0);
  CHECK(out[0].reason == "1 considered, none by this authority: certificate identity evil@example.org does not match "
                         "the expected identity ci@example.com");
}

TEST_CASE("policy eval: N of M counts distinct signers: one identity that signed twice is one signer")
{
  // Keyless: each signature has a fresh certificate, so the signer is the identity (SAN +
  // issuer). Two signatures by ci@ (two certificates) satisfy "ci" and "any" only once.
  PreparedSignatures sigs{{keyless_authority("ci", keyless::ValueMatcher::exact("ci@example.com")),
                           keyless_authority("any", *keyless::ValueMatcher::regexp(".*@example\\.com"))},
                          2};
  const std::vector<SignatureReport> twice{by_identity("ci@example.com", "https://issuer.example", "sig 1"),
                                           by_identity("ci@example.com", "https://issuer.example", "sig 2")};
  std::vector<verify::AuthorityVerdict> out;
  CHECK(verify::match_authorities(sigs, twice, k_any, "signatures", out) == 1);
  REQUIRE(out.size() == 2);
  CHECK(out[0].satisfied != out[1].satisfied);
  const auto& loser = out[0].satisfied ? out[1] : out[0];
  CHECK(loser.reason == "its signers counted for other authorities (each signer counts for one authority only)");
  // The same SAN from another issuer is another signer (the "any" regexp accepts only one issuer
  // here, so widen it): two identities, two signers.
  keyless::IdentityPolicy any_issuer;
  any_issuer.subject = *keyless::ValueMatcher::regexp(".*@example\\.com");
  any_issuer.issuer = *keyless::ValueMatcher::regexp("https://.*");
  PreparedSignatures wide{{sigs.authorities[0], PreparedAuthority{"wide", {}, std::nullopt, any_issuer}}, 2};
  out.clear();
  CHECK(verify::match_authorities(wide, {twice[0], by_identity("ci@example.com", "https://other.example", "sig 3")},
                                  k_any, "signatures", out) == 2);
  CHECK(out[1].reason == "verified: sig 3");
  // A second key signature by the same key is the same signer too.
  out.clear();
  PreparedSignatures keys{{key_authority("a", 0), key_authority("b", 1)}, 2};
  CHECK(verify::match_authorities(keys, {by_key(0), by_key(0)}, k_any, "signatures", out) == 1);
  CHECK(out[1].reason == "2 considered, none by this authority: verified with another key or identity");
}

TEST_CASE("policy eval: a key authority never counts a keyless signature, nor a keyless one a key signature")
{
  PreparedSignatures key_only{{key_authority("k", 0)}, 1};
  std::vector<verify::AuthorityVerdict> out;
  CHECK(verify::match_authorities(key_only, {by_identity("ci@example.com")}, k_any, "signatures", out) == 0);
  CHECK(out[0].reason == "1 considered, none by this authority: verified with another key or identity");
  PreparedSignatures keyless_only{{keyless_authority("ci", *keyless::ValueMatcher::regexp(".*"))}, 1};
  out.clear();
  CHECK(verify::match_authorities(keyless_only, {by_key(0)}, k_any, "signatures", out) == 0);
  CHECK(out[0].reason == "1 considered, none by this authority: key-signed, not keyless");
}

TEST_CASE("policy eval: only eligible reports count (attestations that pass their conditions)")
{
  PreparedSignatures sigs{{key_authority("a", 0)}, 1};
  std::vector<verify::AuthorityVerdict> out;
  const auto none = [](const SignatureReport&) { return false; };
  CHECK(verify::match_authorities(sigs, {by_key(0)}, none, "attestations", out) == 0);
  CHECK(out[0].reason == "1 considered, none verified: verified");
}

namespace {

std::string pem_key()
{
  auto k = crypto::PrivateKey::generate(crypto::KeyKind::ecdsa_p256);
  REQUIRE(k);
  return k->public_key().pem();
}

std::string prepare_error(const std::string& text, bool with_loader = false)
{
  auto parsed = policy::parse_trust_policy(text, "p.yaml");
  REQUIRE(parsed);
  verify::PrepareOptions options;
  if (with_loader) {
    options.load_root = [](const policy::TrustSettings&) -> Result<std::shared_ptr<const trust::TrustedRoot>> {
      return fail(ErrorCode::bad_input, "no root here");
    };
  }
  auto p = verify::prepare_policy(std::move(*parsed), options);
  return p ? std::string{"(prepared)"} : p.error().message;
}

std::string indent(const std::string& pem, const std::string& pad)
{
  std::string out;
  std::size_t start = 0;
  while (start < pem.size()) {
    const auto end = pem.find('\n', start);
    out += pad + pem.substr(start, end - start) + "\n";
    start = end == std::string::npos ? pem.size() : end + 1;
  }
  return out;
}

} // namespace

TEST_CASE("policy eval: prepare_policy errors name FILE:LINE: PATH")
{
  const std::string head = "apiVersion: sigil.dev/v1\nkind: TrustPolicy\nspec:\n  rules:\n    - name: a\n"
                           "      images: [r.example/a]\n      signatures:\n";
  const auto pem = pem_key();
  const auto inline_key = "        - key: |\n" + indent(pem, "            ");
  CHECK(prepare_error(head + inline_key) == "(prepared)");
  CHECK(prepare_error(head + inline_key + "        - name: again\n          key: |\n" + indent(pem, "            ")) ==
        "p.yaml:13: spec.rules[0].signatures[1]: the same key as authority \"inline key\": N of M counts distinct keys, "
        "list each key once");
  CHECK(prepare_error(head + "        - key: /nonexistent/k.pub\n").starts_with(
        "p.yaml:8: spec.rules[0].signatures[0].key: "));
  CHECK(prepare_error(head + "        - key: env://SIGIL_UNIT_TEST_UNSET_VARIABLE\n") ==
        "p.yaml:8: spec.rules[0].signatures[0].key: key reference env://SIGIL_UNIT_TEST_UNSET_VARIABLE: environment "
        "variable SIGIL_UNIT_TEST_UNSET_VARIABLE is not set");
  const auto keyless = "        - keyless:\n            gitlab: {project: g/p}\n";
  CHECK(prepare_error(head + keyless + "            extensions: {sourceRepoURI: x}\n").starts_with(
        "p.yaml:10: spec.rules[0].signatures[0].keyless.extensions.sourceRepoURI: unknown Fulcio extension "
        "\"sourceRepoURI\" (known: "));
  CHECK(prepare_error(head + "        - keyless:\n            gitlab: {project: 'g p'}\n").starts_with(
        "p.yaml:8: spec.rules[0].signatures[0].keyless.gitlab: "));
  CHECK(prepare_error(head + keyless) ==
        "p.yaml:5: spec.rules[0]: a keyless authority needs a trusted root: set trust.trustedRoot");
  CHECK(prepare_error(head + keyless, true) == "p.yaml:5: spec.rules[0]: the trusted root for rule \"a\": no root here");
  CHECK(prepare_error(head + keyless + "      trust: {trustedRoot: /nonexistent/root.json}\n").starts_with(
        "p.yaml:5: spec.rules[0].trust.trustedRoot: "));
  CHECK(prepare_error(head + inline_key + "      attestations:\n        - predicateType: slsa\n").starts_with(
        "p.yaml:14: spec.rules[0].attestations[0].predicateType: unknown predicate type \"slsa\""));
}

TEST_CASE("an attestation of another type never satisfies a required type, however well it verified")
{
  // The policy asks verify_image_attestations for every type (predicate type ""), so decide()
  // must compare each verified statement's type itself: a custom attestation is no provenance.
  SignatureReport custom = by_key(0);
  custom.signed_predicate_type = "https://cosign.sigstore.dev/attestation/v1";
  custom.statement = intoto::Statement{.type = "https://in-toto.io/Statement/v1",
                                       .subjects = {},
                                       .predicate_type = custom.signed_predicate_type,
                                       .predicate = util::Json::object(),
                                       .raw = util::Json::object()};
  const std::string slsa = "https://slsa.dev/provenance/v1";
  const auto d = verify::decide({custom}, slsa, verify::AttestationPolicy{});
  CHECK_FALSE(d.ok);
  CHECK(d.message == "no verified attestation of type https://slsa.dev/provenance/v1; found only: "
                     "https://cosign.sigstore.dev/attestation/v1");
  auto same = custom;
  same.signed_predicate_type = slsa;
  same.statement->predicate_type = slsa;
  CHECK(verify::decide({same}, slsa, verify::AttestationPolicy{}).ok);
}

TEST_CASE("policy eval: two identities are two signers even when their texts join alike")
{
  // subject "a\nb" + issuer "c" and subject "a" + issuer "b\nc": joined with a newline they
  // were one signer; the signer name is length-prefixed now.
  keyless::IdentityPolicy any;
  any.subject = *keyless::ValueMatcher::regexp("(?s).*");
  any.issuer = *keyless::ValueMatcher::regexp("(?s).*");
  PreparedSignatures sigs{
      {PreparedAuthority{"one", {}, std::nullopt, any}, PreparedAuthority{"two", {}, std::nullopt, any}}, 2};
  std::vector<verify::AuthorityVerdict> out;
  CHECK(verify::match_authorities(sigs, {by_identity("a\nb", "c"), by_identity("a", "b\nc")}, k_any, "signatures",
                                  out) == 2);
}
