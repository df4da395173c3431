// Log entries: every tlog entry of the sigstore-conformance bundles parses (the negative log
// index refused), the protojson corners (int64 as string or number, absent fields), cosign's
// rekor bundle, and inclusion proofs with their checkpoints verified end to end.
#include "sigil/tlog/entry.hpp"

#include "sigil/tlog/checkpoint.hpp"
#include "sigil/tlog/merkle.hpp"
#include "sigil/util/encoding.hpp"

#include "tlog_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

namespace {

using sigil::tlog::parse_bundle_entry;
using sigil::tlog::parse_cosign_rekor_bundle;
using sigil::util::Json;

bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

constexpr std::string_view k_prod_rekor = "https://rekor.sigstore.dev";

// A small valid entry to mutate.
Json minimal_entry()
{
  const std::string body = R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}})";
  return Json{{"logIndex", "7"},
              {"logId", {{"keyId", "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="}}},
              {"kindVersion", {{"kind", "hashedrekord"}, {"version", "0.0.1"}}},
              {"integratedTime", "1689177396"},
              {"canonicalizedBody", sigil::util::base64_encode(sigil::util::as_bytes(body))}};
}

} // namespace

TEST_CASE("tlog entry: every conformance bundle's log entry parses, but a negative log index")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  int parsed = 0;
  const auto dir = sigil::test::conformance_dir() / "sigstore-conformance/bundle-verify";
  for (const auto& item : std::filesystem::directory_iterator(dir)) {
    const auto name = item.path().filename().string();
    auto text = sigil::util::read_file(item.path() / "bundle.sigstore.json");
    if (!text) {
      continue;
    }
    auto doc = sigil::util::parse_json(*text);
    if (!doc || !doc->contains("verificationMaterial") || !(*doc)["verificationMaterial"].contains("tlogEntries")) {
      continue;
    }
    for (const auto& entry_json : (*doc)["verificationMaterial"]["tlogEntries"]) {
      INFO(name);
      auto entry = parse_bundle_entry(entry_json);
      if (name == "bundle-negative-log-index_fail") {
        REQUIRE_FALSE(entry.has_value());
        CHECK(entry.error().message == "transparency log entry: negative log index (logIndex)");
        continue;
      }
      if (name == "bundle-unknown-version_fail") { // its body is a stub: {"apiVersion":"0.0.1"}
        REQUIRE_FALSE(entry.has_value());
        CHECK(entry.error().message == "transparency log entry: missing field \"kind\"");
        continue;
      }
      REQUIRE_MESSAGE(entry.has_value(), sigil::test::error_of(entry));
      CHECK_FALSE(entry->canonicalized_body.empty());
      CHECK(entry->log_id.size() == 32);
      ++parsed;
    }
  }
  CHECK(parsed >= 60);
}

TEST_CASE("tlog entry: the fields of a Rekor v1 and a Rekor v2 entry")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const auto v1 = sigil::test::bundle_entry("happy-path-v0.1");
  CHECK(v1.log_index == 27246492);
  CHECK(sigil::util::hex_encode(v1.log_id) == "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
  CHECK(v1.kind == "hashedrekord");
  CHECK(v1.version == "0.0.1");
  CHECK(v1.integrated_time == 1689177396);
  REQUIRE(v1.signed_entry_timestamp.has_value());
  CHECK(v1.signed_entry_timestamp->size() == 71);
  REQUIRE(v1.inclusion_proof.has_value());
  CHECK(v1.inclusion_proof->log_index == 23083061);
  CHECK(v1.inclusion_proof->tree_size == 23083062);
  CHECK(v1.inclusion_proof->hashes.size() == 10);
  CHECK(v1.inclusion_proof->checkpoint.value_or("").starts_with("rekor.sigstore.dev - 2605736670972794746\n"));

  const auto v2 = sigil::test::bundle_entry("rekor2-happy-path");
  CHECK(v2.log_index == 735);
  CHECK(v2.version == "0.0.2");
  CHECK_FALSE(v2.integrated_time.has_value());
  CHECK_FALSE(v2.signed_entry_timestamp.has_value());
  REQUIRE(v2.inclusion_proof.has_value());
  CHECK(v2.inclusion_proof->tree_size == 736);

  // A Rekor v1 bundle without an inclusion proof (v0.1) and one without a checkpoint.
  CHECK_FALSE(sigil::test::bundle_entry("intoto-missing-inclusion-proof_fail").inclusion_proof.has_value());
  CHECK_FALSE(sigil::test::bundle_entry("invalid-inclusion-proof_fail").inclusion_proof->checkpoint.has_value());
}

TEST_CASE("tlog entry: protojson int64 fields, bytes and required members")
{
  Json j = minimal_entry();
  auto entry = parse_bundle_entry(j);
  REQUIRE_MESSAGE(entry.has_value(), sigil::test::error_of(entry));
  CHECK(entry->log_index == 7);
  CHECK(entry->integrated_time == 1689177396);

  j["logIndex"] = 8;
  j["integratedTime"] = 0; // Rekor v2: no integrated time
  entry = parse_bundle_entry(j);
  REQUIRE(entry.has_value());
  CHECK(entry->log_index == 8);
  CHECK_FALSE(entry->integrated_time.has_value());

  const std::vector<std::pair<Json, std::string_view>> bad = {
      {Json{{"logIndex", -1}}, "negative log index (logIndex)"},
      {Json{{"logIndex", "-5"}}, "negative log index (logIndex)"},
      {Json{{"logIndex", "1e3"}}, "is not an int64"},
      {Json{{"logIndex", " 5"}}, "is not an int64"},
      {Json{{"logIndex", 1.5}}, "is not an int64"},
      {Json{{"logIndex", "9223372036854775808"}}, "is not an int64"},
      {Json{{"integratedTime", "-1"}}, "negative integrated time"},
      {Json{{"canonicalizedBody", "!!"}}, "canonicalizedBody"},
      {Json{{"kindVersion", {{"kind", "dsse"}, {"version", "0.0.1"}}}}, "is not the body's hashedrekord/0.0.1"},
      {Json{{"logId", Json::object()}}, "keyId"},
      {Json{{"inclusionProof", {{"treeSize", "1"}}}}, "rootHash"},
      {Json{{"inclusionProof", {{"rootHash", ""}}}}, "treeSize"},
      {Json{{"inclusionProof", {{"rootHash", ""}, {"treeSize", "-2"}}}}, "negative tree size"},
      {Json{{"inclusionProof", {{"rootHash", ""}, {"treeSize", 2}, {"hashes", Json::array({1})}}}}, "hashes"},
      {Json{{"inclusionPromise", {{"signedEntryTimestamp", 5}}}}, "signedEntryTimestamp"},
  };
  for (const auto& [patch, reason] : bad) {
    Json changed = minimal_entry();
    changed.update(patch);
    INFO(changed.dump());
    auto r = parse_bundle_entry(changed);
    REQUIRE_FALSE(r.has_value());
    CHECK(contains(r.error().message, reason));
    CHECK(r.error().message.starts_with("transparency log entry: "));
  }
  Json missing = minimal_entry();
  missing.erase("canonicalizedBody");
  CHECK_FALSE(parse_bundle_entry(missing).has_value());
  CHECK_FALSE(parse_bundle_entry(Json::array()).has_value());
  Json many = minimal_entry();
  many["inclusionProof"] = Json{{"rootHash", ""}, {"treeSize", "1"}, {"hashes", Json::array()}};
  for (int i = 0; i < 65; ++i) {
    many["inclusionProof"]["hashes"].push_back("AAAA");
  }
  CHECK(contains(parse_bundle_entry(many).error().message, "65 hashes, more than 64"));
}

TEST_CASE("tlog entry: cosign's rekor bundle")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const std::string text = sigil::test::read_fixture("containers-image/rekor-set-case/rekor-set");
  auto entry = parse_cosign_rekor_bundle(text);
  REQUIRE_MESSAGE(entry.has_value(), sigil::test::error_of(entry));
  CHECK(entry->integrated_time == 1670870899);
  CHECK(entry->log_index == 8949589);
  CHECK(sigil::util::hex_encode(entry->log_id) == "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
  CHECK(entry->kind == "hashedrekord");
  CHECK(entry->version == "0.0.1");
  CHECK(entry->signed_entry_timestamp.has_value());
  CHECK_FALSE(entry->inclusion_proof.has_value());

  for (const std::string_view broken :
       {R"({"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","integratedTime":1,"logIndex":-1,"logID":"00"}})",
        R"({"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"zz"}})",
        R"({"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"00"}})",
        R"({"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","integratedTime":1,"logIndex":1}})",
        R"({"SignedEntryTimestamp":"AA==","SignedEntryTimestamp":"AA==","Payload":{}})", R"([])", "{"}) {
    INFO(broken);
    auto r = parse_cosign_rekor_bundle(broken);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.starts_with("cosign rekor bundle: "));
  }
}

TEST_CASE("tlog entry: inclusion proofs with their checkpoints, Rekor v1 and v2")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  using sigil::tlog::verify_inclusion_with_checkpoint;
  const auto prod = sigil::test::log_key(sigil::test::k_production_root, k_prod_rekor);
  for (const char* name : {"happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3", "set-invalid-signature_fail"}) {
    INFO(name);
    const auto entry = sigil::test::bundle_entry(name);
    auto r = verify_inclusion_with_checkpoint(entry, prod, "");
    CHECK_MESSAGE(r.has_value(), sigil::test::error_of(r));
    r = verify_inclusion_with_checkpoint(entry, prod, "rekor.sigstore.dev"); // the v1 form decides
    CHECK_MESSAGE(r.has_value(), sigil::test::error_of(r));
  }
  const auto v2_root = std::filesystem::path("sigstore-conformance/bundle-verify/rekor2-happy-path/trusted_root.json");
  const auto v2 = sigil::test::log_key(v2_root, "https://log2025-alpha1.rekor.sigstage.dev");
  const auto v2_entry = sigil::test::bundle_entry("rekor2-happy-path");
  CHECK(verify_inclusion_with_checkpoint(v2_entry, v2, "log2025-alpha1.rekor.sigstage.dev").has_value());
  CHECK(verify_inclusion_with_checkpoint(v2_entry, v2, "").has_value());
  auto r = verify_inclusion_with_checkpoint(v2_entry, v2, "log2025-1.rekor.sigstore.dev");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.starts_with("no checkpoint signature from log2025-1.rekor.sigstore.dev"));
  CHECK_FALSE(verify_inclusion_with_checkpoint(v2_entry, prod, "").has_value());
  const auto dsse_root =
      std::filesystem::path("sigstore-conformance/bundle-verify/rekor2-dsse-happy-path/trusted_root.json");
  const auto alpha3 = sigil::test::log_key(dsse_root, "https://log2025-alpha3.rekor.sigstage.dev");
  r = verify_inclusion_with_checkpoint(sigil::test::bundle_entry("rekor2-dsse-happy-path"), alpha3,
                                       "log2025-alpha3.rekor.sigstage.dev");
  CHECK_MESSAGE(r.has_value(), sigil::test::error_of(r));
}

TEST_CASE("tlog entry: broken inclusion proofs and checkpoints are refused for their reason")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  using sigil::tlog::verify_inclusion_with_checkpoint;
  const auto prod = sigil::test::log_key(sigil::test::k_production_root, k_prod_rekor);
  const std::vector<std::pair<const char*, std::string_view>> cases = {
      {"inclusion-proof-corrupted-hash_fail", "inclusion proof does not lead to the root hash"},
      {"checkpoint-wrong-roothash_fail", "is not the inclusion proof's"},
      {"checkpoint-bad-keyhint_fail", "no checkpoint signature from"},
      {"invalid-checkpoint-signature_fail", "checkpoint signature invalid"},
      {"invalid-inclusion-proof_fail", "the inclusion proof has no checkpoint"},
      {"intoto-missing-inclusion-proof_fail", "the log entry has no inclusion proof"},
  };
  for (const auto& [name, reason] : cases) {
    INFO(name);
    auto r = verify_inclusion_with_checkpoint(sigil::test::bundle_entry(name), prod, "");
    REQUIRE_FALSE(r.has_value());
    CHECK(contains(r.error().message, reason));
  }
  // The old proof of invalid-inclusion-proof_fail does not lead to its root either.
  const auto old = sigil::test::bundle_entry("invalid-inclusion-proof_fail");
  const auto& proof = *old.inclusion_proof;
  auto r = sigil::tlog::verify_inclusion(sigil::tlog::leaf_hash(old.canonicalized_body), proof.log_index,
                                         proof.tree_size, proof.hashes, proof.root_hash);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "inclusion proof does not lead to the root hash");
}
