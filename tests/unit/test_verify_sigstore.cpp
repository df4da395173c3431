// verify::verify_sigstore on real conformance bundles, mutated: each rule's failure and its reason.
// Fixtures are read in place from ../shared and never edited; the tests skip when it is absent.
#include "sigil/bundle/bundle.hpp"
#include "sigil/trust/trusted_root.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"
#include "sigil/verify/sigstore.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <string>

using namespace sigil;
namespace fs = std::filesystem;

namespace {

const fs::path k_conf = fs::path(SIGIL_SHARED_DIR) / "conformance";
const std::string k_a_txt_sha256 = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";

bool have_fixtures()
{
  if (!fs::exists(k_conf / "cases.json")) {
    MESSAGE("skipped: ../shared/conformance is absent");
    return false;
  }
  return true;
}

util::Json load(const fs::path& p)
{
  auto text = util::read_file(p, 4 << 20);
  REQUIRE(text);
  auto j = util::parse_json(*text);
  REQUIRE(j);
  return *j;
}

struct Run {
  util::Json bundle;
  trust::TrustedRoot root;
};

Run fixture(const std::string& dir, const std::string& root = "sigstore-python/store/production/trusted_root.json")
{
  auto r = trust::load_trusted_root_file((k_conf / root).string());
  REQUIRE(r);
  return {load(k_conf / "sigstore-conformance/bundle-verify" / dir / "bundle.sigstore.json"), std::move(*r)};
}

Result<verify::SigstoreVerified> run_verify(const Run& run, const std::function<void(verify::SigstorePolicy&)>& tweak = {})
{
  SIGIL_TRY_ASSIGN(auto b, bundle::parse_bundle(util::dump_json(run.bundle)));
  SIGIL_TRY_ASSIGN(auto m, verify::material_from_bundle(b));
  verify::SigstorePolicy policy;
  policy.root = &run.root;
  policy.identity.subject = *keyless::ValueMatcher::regexp(".*");
  policy.identity.issuer = *keyless::ValueMatcher::regexp(".*");
  if (tweak) {
    tweak(policy);
  }
  return verify::verify_sigstore(
    m, verify::ArtifactDigest{crypto::HashAlgorithm::sha256, *util::hex_decode(k_a_txt_sha256)}, policy);
}

void check_rejected(const Result<verify::SigstoreVerified>& r, const std::string& reason)
{
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::none_verified);
  CHECK_MESSAGE(r.error().message.find(reason) != std::string::npos, r.error().message);
}

} // namespace

TEST_CASE("verify_sigstore: the v0.3 happy path, and what it established")
{
  if (!have_fixtures()) {
    return;
  }
  const auto run = fixture("happy-path-v0.3");
  auto ok = run_verify(run);
  REQUIRE_MESSAGE(ok, ok.error().message);
  REQUIRE(ok->identity);
  CHECK(ok->identity->issuer == "https://token.actions.githubusercontent.com");
  REQUIRE(ok->times.size() == 1);
  CHECK(ok->times[0].kind == "transparency log (SET)");
  CHECK(ok->log_indexes.size() == 1);
}

TEST_CASE("verify_sigstore: Rekor v1 or v2 is decided by the logged body, not the unsigned integratedTime")
{
  if (!have_fixtures()) {
    return;
  }
  // A v1 entry whose integratedTime was removed is not taken for a v2 one.
  auto v1 = fixture("happy-path-v0.3");
  v1.bundle["verificationMaterial"]["tlogEntries"][0].erase("integratedTime");
  check_rejected(run_verify(v1), "(Rekor v1) has no integrated time");
  // A changed integratedTime breaks the SET: a rejection (exit 12), not a malformed bundle.
  auto shifted = fixture("happy-path-v0.3");
  auto& entry = shifted.bundle["verificationMaterial"]["tlogEntries"][0];
  entry["integratedTime"] = std::to_string(std::stoll(entry["integratedTime"].get<std::string>()) + 60);
  check_rejected(run_verify(shifted), "signed entry timestamp does not verify");
  // A v2 entry given an invented integratedTime gains no time source from it.
  auto v2 = fixture("rekor2-happy-path", "sigstore-conformance/bundle-verify/rekor2-happy-path/trusted_root.json");
  auto plain = run_verify(v2);
  REQUIRE_MESSAGE(plain, plain.error().message);
  v2.bundle["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = "1700000000";
  auto faked = run_verify(v2);
  REQUIRE_MESSAGE(faked, faked.error().message);
  for (const auto& t : faked->times) {
    CHECK(t.kind == "timestamp authority");
  }
}

TEST_CASE("verify_sigstore: identity, tlog threshold and SCT rules")
{
  if (!have_fixtures()) {
    return;
  }
  const auto run = fixture("happy-path-v0.3");
  check_rejected(run_verify(run, [](auto& p) { p.identity.subject = keyless::ValueMatcher::exact("someone@else"); }),
                 "identity: certificate identity");
  check_rejected(run_verify(run, [](auto& p) { p.identity.issuer = *keyless::ValueMatcher::regexp("https://token"); }),
                 "does not match the expected issuer regexp");
  check_rejected(run_verify(run, [](auto& p) { p.tlog_threshold = 2; }), "1 verified entries, 2 required");
  check_rejected(run_verify(run, [](auto& p) { p.timestamp_threshold = 1; }), "0 verified RFC 3161 timestamps, 1 required");
  // Without the CT log the SCT cannot verify; --insecure-ignore-sct says so in the notes.
  Run no_ct = fixture("happy-path-v0.3");
  no_ct.root.ctlogs.clear();
  check_rejected(run_verify(no_ct), "certificate transparency");
  auto ignored = run_verify(no_ct, [](auto& p) { p.ignore_sct = true; });
  REQUIRE(ignored);
  CHECK(ignored->notes.back().find("SCT was not checked") != std::string::npos);
  // Without the log, the entry is from an unknown log.
  Run no_log = fixture("happy-path-v0.3");
  no_log.root.tlogs.clear();
  check_rejected(run_verify(no_log), "not in the trusted root");
  // Without the CA, the chain does not verify at the log's time.
  Run no_ca = fixture("happy-path-v0.3");
  no_ca.root.certificate_authorities.clear();
  check_rejected(run_verify(no_ca), "certificate:");
}
