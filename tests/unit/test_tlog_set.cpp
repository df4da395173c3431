// Signed entry timestamps: cosign's rekor bundle from containers/image and the SETs of the
// conformance bundles verify with the Rekor key; an invalid SET, another key or any change to
// the signed fields does not.
#include "sigil/tlog/set.hpp"

#include "sigil/util/encoding.hpp"

#include "tlog_support.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

constexpr std::string_view k_set_error = "signed entry timestamp does not verify with the log key";

sigil::crypto::PublicKey containers_image_rekor_key()
{
  auto key = sigil::crypto::PublicKey::from_pem(sigil::test::read_fixture("containers-image/keys/rekor.pub"));
  REQUIRE(key.has_value());
  return *key;
}

} // namespace

TEST_CASE("tlog set: the payload is canonical JSON of the four fields")
{
  sigil::tlog::Entry entry;
  entry.canonicalized_body = sigil::util::to_bytes("{}");
  entry.integrated_time = 1670870899;
  entry.log_index = 8949589;
  entry.log_id = {0xc0, 0xd2, 0x3d};
  auto payload = sigil::tlog::set_payload(entry);
  REQUIRE(payload.has_value());
  CHECK(*payload == R"({"body":"e30=","integratedTime":1670870899,"logID":"c0d23d","logIndex":8949589})");
  entry.integrated_time.reset();
  CHECK_FALSE(sigil::tlog::set_payload(entry).has_value());
}

TEST_CASE("tlog set: cosign's rekor bundle (containers/image rekor-set-case) verifies")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const auto key = containers_image_rekor_key();
  auto entry =
      sigil::tlog::parse_cosign_rekor_bundle(sigil::test::read_fixture("containers-image/rekor-set-case/rekor-set"));
  REQUIRE(entry.has_value());
  auto r = sigil::tlog::verify_set(*entry, key);
  CHECK_MESSAGE(r.has_value(), sigil::test::error_of(r));
  CHECK(entry->integrated_time == 1670870899);
  // The same log's key from the production trusted root.
  CHECK(sigil::tlog::verify_set(*entry,
                                sigil::test::log_key(sigil::test::k_production_root, "https://rekor.sigstore.dev"))
            .has_value());

  // upstream's negative checks: empty or invalid SET, another key; and every signed field.
  auto changed = *entry;
  changed.signed_entry_timestamp = sigil::util::Bytes{};
  CHECK_FALSE(sigil::tlog::verify_set(changed, key).has_value());
  changed.signed_entry_timestamp = sigil::util::to_bytes("invalid signature");
  CHECK(sigil::tlog::verify_set(changed, key).error().message == k_set_error);
  const auto staging = sigil::test::log_key(sigil::test::k_staging_root, "https://rekor.sigstage.dev");
  CHECK(sigil::tlog::verify_set(*entry, staging).error().message == k_set_error);
  changed = *entry;
  changed.integrated_time = *changed.integrated_time + 1;
  CHECK_FALSE(sigil::tlog::verify_set(changed, key).has_value());
  changed = *entry;
  changed.log_index += 1;
  CHECK_FALSE(sigil::tlog::verify_set(changed, key).has_value());
  changed = *entry;
  changed.log_id[0] ^= 1;
  CHECK_FALSE(sigil::tlog::verify_set(changed, key).has_value());
  changed = *entry;
  changed.canonicalized_body.back() ^= 1;
  CHECK_FALSE(sigil::tlog::verify_set(changed, key).has_value());
}

TEST_CASE("tlog set: the SETs of the v0.1, v0.2 and v0.3 bundles verify; an invalid one does not")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const auto prod = sigil::test::log_key(sigil::test::k_production_root, "https://rekor.sigstore.dev");
  for (const char* name : {"happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3", "happy-path-intoto-in-dsse-v3",
                           "checkpoint-wrong-roothash_fail", "integrated-time-in-future_fail"}) {
    INFO(name);
    auto r = sigil::tlog::verify_set(sigil::test::bundle_entry(name), prod);
    CHECK_MESSAGE(r.has_value(), sigil::test::error_of(r));
  }
  auto r = sigil::tlog::verify_set(sigil::test::bundle_entry("set-invalid-signature_fail"), prod);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == k_set_error);
  // Rekor v2 entries have no SET.
  r = sigil::tlog::verify_set(sigil::test::bundle_entry("rekor2-happy-path"), prod);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "the log entry has no signed entry timestamp");
  // A bundle from the staging log does not verify with the production key.
  CHECK_FALSE(sigil::tlog::verify_set(sigil::test::bundle_entry("bundle-from-wrong-instance_fail"), prod).has_value());
}
