// Tests for sigil::trust verification against a trusted root (verify.hpp): certificate chains at
// a verified time, embedded SCTs and RFC 3161 timestamps, over the conformance bundles (the parts
// of each case these functions decide), and negative cases built from them.
#include "sigil/crypto/x509_verify.hpp"
#include "sigil/trust/verify.hpp"

#include "keyless_fixtures.hpp"
#include "sigil/util/time.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>

namespace {

using sigil::crypto::Certificate;
using sigil::trust::TrustedRoot;

struct Case {
  TrustedRoot root;
  sigil::util::Json bundle;
  std::vector<Certificate> certs;
};

TrustedRoot root_from(const std::string& relative)
{
  auto root = sigil::trust::parse_trusted_root(sigil::test::read_conformance(relative));
  REQUIRE_MESSAGE(root.has_value(), relative << ": " << (root ? "" : root.error().message));
  return *root;
}

constexpr std::string_view k_prod = "sigstore-python/store/production/trusted_root.json";
constexpr std::string_view k_staging = "sigstore-python/store/staging/trusted_root.json";

// A bundle-verify case with its own trusted root, or `root_path` when given.
Case load_case(const std::string& name, std::string_view root_path = {})
{
  Case c{root_from(root_path.empty() ? sigil::test::bundle_case(name, "trusted_root.json") : std::string(root_path)),
         sigil::test::conformance_json(sigil::test::bundle_case(name)), {}};
  c.certs = sigil::test::bundle_certificates(c.bundle);
  REQUIRE(!c.certs.empty());
  return c;
}

sigil::crypto::TimestampToken first_token(const Case& c)
{
  const auto timestamps = sigil::test::bundle_timestamps(c.bundle);
  REQUIRE(!timestamps.empty());
  auto token = sigil::crypto::parse_timestamp_response_or_token(timestamps.front());
  REQUIRE(token.has_value());
  return *token;
}

sigil::Result<sigil::trust::ChainResult> chain_at(const Case& c, std::int64_t t)
{
  return sigil::trust::verify_certificate_chain(c.root, c.certs.front(), std::span(c.certs).subspan(1), t);
}

bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a Fulcio leaf chains at its log time, and SCTs verify (production root)")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const Case c = load_case("happy-path-v0.3", k_prod);
  const auto time = sigil::test::bundle_integrated_time(c.bundle);
  REQUIRE(time.has_value());
  auto chain = chain_at(c, *time);
  REQUIRE_MESSAGE(chain.has_value(), (chain ? "" : chain.error().message));
  CHECK(chain->path.size() == 3);
  CHECK(chain->path.front().same_as(c.certs.front()));
  CHECK(chain->ca == &c.root.certificate_authorities[1]);
  auto sct = sigil::trust::verify_embedded_sct(c.root, *chain);
  CHECK_MESSAGE(sct.has_value(), (sct ? "" : sct.error().message));
}

TEST_CASE("chains are checked at the given time: not yet valid, expired, CA window, wrong root")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  Case c = load_case("happy-path-v0.3", k_prod);
  const Certificate& leaf = c.certs.front();
  auto early = chain_at(c, leaf.not_before() - 1);
  REQUIRE_FALSE(early.has_value());
  CHECK(contains(early.error().message, "not yet valid at that time"));
  CHECK(contains(early.error().message, sigil::util::rfc3339_utc(leaf.not_before() - 1)));
  auto late = chain_at(c, leaf.not_after() + 1);
  REQUIRE_FALSE(late.has_value());
  CHECK(contains(late.error().message, "expired at that time"));
  CHECK(chain_at(c, leaf.not_before()).has_value());
  CHECK(chain_at(c, leaf.not_after() - 1).has_value());

  c.root.certificate_authorities[1].valid_for.end = leaf.not_before() - 60;
  auto closed = chain_at(c, leaf.not_before() + 1);
  REQUIRE_FALSE(closed.has_value());
  CHECK(contains(closed.error().message, "not trusted at"));

  const Case wrong = load_case("happy-path-v0.3", k_staging);
  auto unknown = chain_at(wrong, leaf.not_before() + 1);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(contains(unknown.error().message, "unknown issuer"));
  CHECK(unknown.error().code == sigil::ErrorCode::none_verified);
}

TEST_CASE("a chain verified once is reused only at times every certificate of it is valid")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  // The process keeps verified paths (crypto::verify_code_signing_chain): a success first, then
  // the times around the leaf's lifetime must still fail, and another root must not inherit it.
  Case c = load_case("happy-path-v0.3", k_prod);
  const Certificate& leaf = c.certs.front();
  const auto mid = leaf.not_before() + (leaf.not_after() - leaf.not_before()) / 2;
  auto first = chain_at(c, mid);
  REQUIRE_MESSAGE(first.has_value(), (first ? "" : first.error().message));
  auto again = chain_at(c, leaf.not_before());
  REQUIRE_MESSAGE(again.has_value(), (again ? "" : again.error().message));
  REQUIRE(again->path.size() == first->path.size());
  for (std::size_t i = 0; i < first->path.size(); ++i) {
    CHECK(again->path[i].same_as(first->path[i]));
  }
  CHECK(again->ca == first->ca);
  auto early = chain_at(c, leaf.not_before() - 1);
  REQUIRE_FALSE(early.has_value());
  CHECK(contains(early.error().message, "not yet valid at that time"));
  auto late = chain_at(c, leaf.not_after() + 1);
  REQUIRE_FALSE(late.has_value());
  CHECK(contains(late.error().message, "expired at that time"));
  // The CA's validFor window is the trusted root's, checked before any path.
  c.root.certificate_authorities[1].valid_for.end = leaf.not_before() - 60;
  CHECK_FALSE(chain_at(c, mid).has_value());
  const Case wrong = load_case("happy-path-v0.3", k_staging);
  auto unknown = chain_at(wrong, mid);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(contains(unknown.error().message, "unknown issuer"));
}

TEST_CASE("presented certificates are never trusted, roots among them change nothing")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  // leaf, root, intermediate: the presented root is ignored; the chain comes from the root file.
  const Case c = load_case("bundle-with-root-cert_fail", k_prod);
  REQUIRE(c.certs.size() == 3);
  auto chain = chain_at(c, *sigil::test::bundle_integrated_time(c.bundle));
  CHECK_MESSAGE(chain.has_value(), (chain ? "" : chain.error().message));
  // A leaf of a private CA presented with its own root still does not chain.
  const auto private_chain =
      Certificate::chain_from_pem(sigil::test::read_conformance("containers-image/fulcio-cert-case/fulcio-chain"));
  REQUIRE(private_chain.has_value());
  auto leaf = Certificate::from_pem(sigil::test::read_conformance("containers-image/fulcio-cert-case/fulcio-cert"));
  REQUIRE(leaf.has_value());
  const Case staging = load_case("happy-path-v0.3", k_staging);
  CHECK_FALSE(sigil::trust::verify_certificate_chain(staging.root, *leaf, *private_chain, 1670870899).has_value());
}

TEST_CASE("containers/image fulcio-cert-case chains to fulcio_v1 at 1670870899")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  auto leaf = Certificate::from_pem(sigil::test::read_conformance("containers-image/fulcio-cert-case/fulcio-cert"));
  auto chain =
      Certificate::chain_from_pem(sigil::test::read_conformance("containers-image/fulcio-cert-case/fulcio-chain"));
  REQUIRE(leaf.has_value());
  REQUIRE(chain.has_value());
  TrustedRoot root;
  root.certificate_authorities.push_back({.uri = "fulcio", .chain = *chain, .valid_for = {}});
  auto ok = sigil::trust::verify_certificate_chain(root, *leaf, {}, 1670870899);
  REQUIRE_MESSAGE(ok.has_value(), (ok ? "" : ok.error().message));
  CHECK(leaf->san_emails() == std::vector<std::string>{"mitr@redhat.com"});
  // Only the intermediate as anchor (no self-signed root): partial chain, still valid.
  TrustedRoot partial;
  partial.certificate_authorities.push_back({.uri = "fulcio", .chain = std::vector<Certificate>{(*chain)[0]}, .valid_for = {}});
  CHECK(sigil::trust::verify_certificate_chain(partial, *leaf, {}, 1670870899).has_value());
  // A CA as the leaf is refused.
  CHECK_FALSE(sigil::trust::verify_certificate_chain(root, (*chain)[0], {}, 1670870899).has_value());
}

TEST_CASE("SCTs: unknown log, wrong key, outside the log's window, Static CT extensions")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  Case c = load_case("invalid-ct-key_fail", k_prod);
  // The case's own root lists staging's CT logs only.
  const TrustedRoot staging_ct = root_from(sigil::test::bundle_case("invalid-ct-key_fail", "trusted_root.json"));
  // A prewarmed SCT check decides nothing: with the production root's CT logs it verifies,
  // and a root without them still finds the log unknown (the outcome is kept per log keys).
  sigil::trust::prewarm_embedded_sct(c.root, c.certs.front());
  auto chain = chain_at(c, *sigil::test::bundle_integrated_time(c.bundle));
  REQUIRE_MESSAGE(chain.has_value(), (chain ? "" : chain.error().message));
  CHECK(sigil::trust::verify_embedded_sct(c.root, *chain).has_value());
  auto unknown = sigil::trust::verify_embedded_sct(staging_ct, *chain);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(contains(unknown.error().message, "SCT from an unknown CT log (log id "));

  TrustedRoot wrong_key = c.root;
  for (auto& log : wrong_key.ctlogs) {
    log.key = c.root.tlogs.front().key; // Rekor's P-256 key under the CT log's id
  }
  auto invalid = sigil::trust::verify_embedded_sct(wrong_key, *chain);
  REQUIRE_FALSE(invalid.has_value());
  CHECK(contains(invalid.error().message, "SCT signature invalid"));

  TrustedRoot closed = c.root;
  for (auto& log : closed.ctlogs) {
    log.valid_for.end = c.certs.front().not_before() - 3600;
  }
  auto outside = sigil::trust::verify_embedded_sct(closed, *chain);
  REQUIRE_FALSE(outside.has_value());
  CHECK(contains(outside.error().message, "outside the validity of CT log"));

  const Case ext = load_case("bundle-with-sct-with-extensions");
  const auto ext_token = sigil::test::bundle_timestamps(ext.bundle);
  const auto t = ext_token.empty() ? *sigil::test::bundle_integrated_time(ext.bundle)
                                   : sigil::crypto::parse_timestamp_response_or_token(ext_token.front())->time;
  auto ext_chain = chain_at(ext, t);
  REQUIRE_MESSAGE(ext_chain.has_value(), (ext_chain ? "" : ext_chain.error().message));
  auto ext_sct = sigil::trust::verify_embedded_sct(ext.root, *ext_chain);
  CHECK_MESSAGE(ext_sct.has_value(), (ext_sct ? "" : ext_sct.error().message));
}

TEST_CASE("Rekor v2 timestamp cases: accepted and rejected as the conformance suite says")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  struct Expect {
    std::string name;
    bool timestamp_ok;
    std::string_view reason; // part of the error when rejected
  };
  const Expect cases[] = {
      {"rekor2-timestamp-with-embedded-cert", true, ""},
      {"rekor2-timestamp-without-embedded-cert", true, ""},
      {"rekor2-timestamp-with-expired-cert-chain", true, ""},
      {"trust-root-tsa-validity-end-inclusive", true, ""},
      {"rekor2-happy-path", true, ""},
      {"rekor2-timestamp-outside-tsa-cert-validity_fail", false, "certificate has expired"},
      {"rekor2-timestamp-outside-trust-root-tsa-validity_fail", false, "outside the authority's validity"},
      {"rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", false, "does not verify under a timestamp authority"},
      {"rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail", false, "does not verify under a timestamp"},
      {"rekor2-timestamp-payload-mismatch_fail", false, "over other bytes"},
  };
  for (const auto& e : cases) {
    CAPTURE(e.name);
    const Case c = load_case(e.name);
    const auto token = first_token(c);
    auto time = sigil::trust::verify_timestamp(c.root, token, sigil::test::bundle_signature(c.bundle));
    if (e.timestamp_ok) {
      REQUIRE_MESSAGE(time.has_value(), (time ? "" : time.error().message));
      CHECK(*time == token.time);
      auto chain = chain_at(c, *time);
      CHECK_MESSAGE(chain.has_value(), (chain ? "" : chain.error().message));
    } else {
      REQUIRE_FALSE(time.has_value());
      CHECK_MESSAGE(contains(time.error().message, e.reason), time.error().message);
    }
  }
}

TEST_CASE("a valid timestamp outside the signing certificate's lifetime fails the chain at that time")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  for (const std::string name : {"rekor2-timestamp-with-incorrect-time_fail",
                                 "intoto-tsa-timestamp-outside-cert-validity_fail"}) {
    CAPTURE(name);
    const Case c = load_case(name);
    auto time = sigil::trust::verify_timestamp(c.root, first_token(c), sigil::test::bundle_signature(c.bundle));
    REQUIRE_MESSAGE(time.has_value(), (time ? "" : time.error().message));
    auto chain = chain_at(c, *time);
    REQUIRE_FALSE(chain.has_value());
    CHECK(contains(chain.error().message, sigil::util::rfc3339_utc(*time)));
  }
  const Case expired = load_case("intoto-expired-certificate_fail");
  auto chain = chain_at(expired, *sigil::test::bundle_integrated_time(expired.bundle));
  REQUIRE_FALSE(chain.has_value());
  CHECK(contains(chain.error().message, "not yet valid at that time")); // issued for 2030
}

TEST_CASE("sigstore-python TSA cases: test TSA added to staging, late timestamp, token without certificates")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  TrustedRoot root = root_from(std::string(k_staging));
  auto ca = sigil::trust::parse_certificate_authority(sigil::test::read_conformance("sigstore-python/tsa/ca.json"));
  REQUIRE_MESSAGE(ca.has_value(), (ca ? "" : ca.error().message));
  root.timestamp_authorities.push_back(*ca);
  const auto bundle = sigil::test::conformance_json("sigstore-python/tsa/bundle.txt.sigstore");
  const auto signature = sigil::test::bundle_signature(bundle);
  const auto certs = sigil::test::bundle_certificates(bundle);
  const auto timestamps = sigil::test::bundle_timestamps(bundle);
  REQUIRE(timestamps.size() == 2);
  // The second timestamp is a SHA-512 imprint of "hello", not of the signature: sigstore-python
  // accepts the bundle on the first one alone.
  auto hello = sigil::crypto::parse_timestamp_response_or_token(timestamps[1]);
  REQUIRE(hello.has_value());
  CHECK(hello->imprint_algorithm == sigil::crypto::HashAlgorithm::sha512);
  CHECK(sigil::crypto::check_timestamp_imprint(*hello, sigil::util::as_bytes(std::string_view("hello"))).has_value());
  auto mismatch = sigil::trust::verify_timestamp(root, *hello, signature);
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(contains(mismatch.error().message, "over other bytes"));
  {
    auto token = sigil::crypto::parse_timestamp_response_or_token(timestamps[0]);
    REQUIRE(token.has_value());
    auto time = sigil::trust::verify_timestamp(root, *token, signature);
    REQUIRE_MESSAGE(time.has_value(), (time ? "" : time.error().message));
    CHECK(sigil::trust::verify_certificate_chain(root, certs.front(), {}, *time).has_value());
    // Negative: over other bytes; the authority's window closed before genTime.
    auto other = signature;
    other.front() ^= 0x01;
    CHECK_FALSE(sigil::trust::verify_timestamp(root, *token, other).has_value());
    TrustedRoot closed = root;
    closed.timestamp_authorities.back().valid_for.end = token->time - 1;
    auto outside = sigil::trust::verify_timestamp(closed, *token, signature);
    REQUIRE_FALSE(outside.has_value());
    CHECK(contains(outside.error().message, "outside the authority's validity"));
  }
  const auto late = sigil::test::conformance_json("sigstore-python/tsa/bundle.txt.late_timestamp.sigstore");
  const auto late_token = sigil::crypto::parse_timestamp_response_or_token(sigil::test::bundle_timestamps(late).front());
  REQUIRE(late_token.has_value());
  auto late_time = sigil::trust::verify_timestamp(root, *late_token, sigil::test::bundle_signature(late));
  REQUIRE(late_time.has_value());
  CHECK_FALSE(sigil::trust::verify_certificate_chain(root, sigil::test::bundle_certificates(late).front(), {},
                                                     *late_time)
                  .has_value());

  const std::string der = sigil::test::read_conformance("sigstore-python/tsa/issue1482-timestamp-with-no-cert");
  auto bare = sigil::crypto::parse_timestamp_response_or_token(sigil::util::as_bytes(der));
  REQUIRE(bare.has_value());
  const std::string message = sigil::test::read_conformance("sigstore-python/tsa/issue1482-message");
  auto bare_time = sigil::trust::verify_timestamp(root_from(std::string(k_staging)), *bare,
                                                  sigil::util::as_bytes(message));
  CHECK_MESSAGE(bare_time.has_value(), (bare_time ? "" : bare_time.error().message));
  CHECK_FALSE(sigil::trust::verify_timestamp(TrustedRoot{}, *bare, sigil::util::as_bytes(message)).has_value());
}

TEST_CASE("a prewarmed chain decides nothing: the later check at each time still does")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  // A leaf no other case of this file verifies, so the process memo starts without its path.
  Case c = load_case("happy-path-intoto-in-dsse-v3", k_prod);
  const Certificate& leaf = c.certs.front();
  const auto ca = c.root.certificate_authorities[1].chain.certificates();
  REQUIRE(ca.has_value());
  const sigil::crypto::CodeSigningChainRequest at_start{
      .leaf = leaf, .intermediates = ca->first(ca->size() - 1), .anchor = ca->back(), .at_time = leaf.not_before()};

  // Against a root the leaf does not chain to: nothing is kept, the check fails as before.
  const Case wrong = load_case("happy-path-intoto-in-dsse-v3", k_staging);
  sigil::trust::prewarm_certificate_chain(wrong.root, wrong.certs.front()).wait();
  auto unknown = chain_at(wrong, leaf.not_before() + 1);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(contains(unknown.error().message, "unknown issuer"));

  const bool known_before = sigil::crypto::code_signing_chain_known(at_start); // another test may have
  {
    auto prewarm = sigil::trust::prewarm_certificate_chain(c.root, leaf);
    prewarm.wait();
    prewarm.wait(); // idempotent
  }
  if (known_before || std::thread::hardware_concurrency() >= 2) {
    CHECK(sigil::crypto::code_signing_chain_known(at_start));
  }
  auto early = chain_at(c, leaf.not_before() - 1);
  REQUIRE_FALSE(early.has_value());
  CHECK(contains(early.error().message, "not yet valid at that time"));
  auto late = chain_at(c, leaf.not_after() + 1);
  REQUIRE_FALSE(late.has_value());
  CHECK(contains(late.error().message, "expired at that time"));
  CHECK(chain_at(c, leaf.not_before() + 1).has_value());
  // The trusted root's window for the CA is checked by the later call, not by the prewarm.
  c.root.certificate_authorities[1].valid_for.end = leaf.not_before() - 60;
  auto closed = chain_at(c, leaf.not_before() + 1);
  REQUIRE_FALSE(closed.has_value());
  CHECK(contains(closed.error().message, "not trusted at"));
}

TEST_CASE("trusted-root certificates are decoded when their authority is used; a broken one is an error then")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  // Replaces one certificate of a trusted root with an empty SEQUENCE (not a certificate).
  const auto broken_root = [](const std::string& relative, const char* list, std::size_t ca, std::size_t cert) {
    auto json = sigil::util::parse_json(sigil::test::read_conformance(relative));
    REQUIRE(json.has_value());
    (*json)[list][ca]["certChain"]["certificates"][cert]["rawBytes"] = "MAA=";
    auto root = sigil::trust::parse_trusted_root(sigil::util::dump_json(*json));
    REQUIRE_MESSAGE(root.has_value(), (root ? "" : root.error().message)); // loading decodes no certificate
    return *root;
  };
  Case c = load_case("happy-path-v0.3", k_prod);
  const auto time = sigil::test::bundle_integrated_time(c.bundle);
  REQUIRE(time.has_value());

  // The 2021 CA (validFor ends 2022) is broken: a 2024 signature never uses it.
  c.root = broken_root(std::string(k_prod), "certificateAuthorities", 0, 0);
  auto chain = chain_at(c, *time);
  CHECK_MESSAGE(chain.has_value(), (chain ? "" : chain.error().message));
  const std::string_view invalid0 = "trusted root: certificateAuthorities[0]: certificate 0: invalid certificate";
  auto all = sigil::trust::check_certificates(c.root);
  REQUIRE_FALSE(all.has_value());
  CHECK(all.error().code == sigil::ErrorCode::bad_input);
  CHECK_MESSAGE(all.error().message.starts_with(invalid0), all.error().message);
  // At a time inside that CA's window it is an error, not a reason to try the next CA.
  auto in_window = chain_at(c, 1640995200); // 2022-01-01
  REQUIRE_FALSE(in_window.has_value());
  CHECK(in_window.error().code == sigil::ErrorCode::bad_input);
  CHECK_MESSAGE(in_window.error().message.starts_with(invalid0), in_window.error().message);

  // The CA the leaf chains to, its root certificate broken.
  c.root = broken_root(std::string(k_prod), "certificateAuthorities", 1, 1);
  auto used = chain_at(c, *time);
  REQUIRE_FALSE(used.has_value());
  CHECK(used.error().code == sigil::ErrorCode::bad_input);
  CHECK_MESSAGE(used.error().message.starts_with("trusted root: certificateAuthorities[1]: certificate 1: invalid "
                                                 "certificate"),
                used.error().message);

  // A timestamp authority: decoded when a timestamp is verified.
  Case t = load_case("rekor2-happy-path");
  const auto token = first_token(t);
  t.root = broken_root(sigil::test::bundle_case("rekor2-happy-path", "trusted_root.json"), "timestampAuthorities", 0, 0);
  auto chain_only = chain_at(t, token.time);
  CHECK_MESSAGE(chain_only.has_value(), (chain_only ? "" : chain_only.error().message));
  auto stamped = sigil::trust::verify_timestamp(t.root, token, sigil::test::bundle_signature(t.bundle));
  REQUIRE_FALSE(stamped.has_value());
  CHECK(stamped.error().code == sigil::ErrorCode::bad_input);
  CHECK_MESSAGE(stamped.error().message.starts_with("trusted root: timestampAuthorities[0]: certificate 0: invalid "
                                                    "certificate"),
                stamped.error().message);
}
