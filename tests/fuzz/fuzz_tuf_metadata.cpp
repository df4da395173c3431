// Fuzz target: TUF metadata (sigil::tuf::parse_root/parse_timestamp/parse_snapshot/
// parse_targets) and canonical JSON (sigil::tuf::canonical_json).
//
// Invariants:
//   * errors are bad_input;
//   * parsed metadata has a version of at least 1, its _type, and the canonical form of its
//     "signed"; a root has its four roles, each with a threshold of at least 1; a timestamp
//     names snapshot.json, a snapshot targets.json; thresholds counted never exceed the role's
//     distinct key ids;
//   * canonical JSON is a fixed point: when its output parses again (no raw control
//     characters in a string), it is the same value and gives the same bytes.
#include "fuzz.hpp"

#include "sigil/tuf/canonical_json.hpp"
#include "sigil/tuf/metadata.hpp"
#include "sigil/util/json.hpp"

#include <set>

namespace {

void check_threshold_bound(const sigil::tuf::Envelope& meta, const sigil::tuf::KeyMap& keys,
                           const sigil::tuf::RoleKeys& role)
{
  const std::set<std::string> ids(role.keyids.begin(), role.keyids.end());
  SIGIL_FUZZ_CHECK(sigil::tuf::count_signatures(meta, keys, role) <= ids.size());
}

void check_envelope(const sigil::tuf::Envelope& meta, std::string_view type)
{
  SIGIL_FUZZ_CHECK(meta.version >= 1);
  SIGIL_FUZZ_CHECK(meta.type == type);
  SIGIL_FUZZ_CHECK(!meta.canonical.empty() && meta.canonical.front() == '{');
}

void check_canonical(std::string_view text)
{
  auto json = sigil::util::parse_json(text);
  if (!json) {
    return;
  }
  auto canonical = sigil::tuf::canonical_json(*json);
  if (!canonical) {
    SIGIL_FUZZ_CHECK(canonical.error().code == sigil::ErrorCode::bad_input);
    return;
  }
  auto again = sigil::util::parse_json(*canonical);
  if (again) {
    SIGIL_FUZZ_CHECK(*again == *json);
    auto twice = sigil::tuf::canonical_json(*again);
    SIGIL_FUZZ_CHECK(twice && *twice == *canonical);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = sigil::fuzz::as_text(data, size);
  if (auto root = sigil::tuf::parse_root(text)) {
    check_envelope(root->meta, "root");
    SIGIL_FUZZ_CHECK(root->roles.size() == 4);
    for (const auto& [name, role] : root->roles) {
      SIGIL_FUZZ_CHECK(role.threshold >= 1);
      check_threshold_bound(root->meta, root->keys, role);
    }
  } else {
    SIGIL_FUZZ_CHECK(root.error().code == sigil::ErrorCode::bad_input);
  }
  if (auto ts = sigil::tuf::parse_timestamp(text)) {
    check_envelope(ts->meta, "timestamp");
    SIGIL_FUZZ_CHECK(ts->snapshot.version >= 1);
  } else {
    SIGIL_FUZZ_CHECK(ts.error().code == sigil::ErrorCode::bad_input);
  }
  if (auto snap = sigil::tuf::parse_snapshot(text)) {
    check_envelope(snap->meta, "snapshot");
    SIGIL_FUZZ_CHECK(snap->files.contains("targets.json"));
  } else {
    SIGIL_FUZZ_CHECK(snap.error().code == sigil::ErrorCode::bad_input);
  }
  if (auto targets = sigil::tuf::parse_targets(text)) {
    check_envelope(targets->meta, "targets");
    for (const auto& role : targets->delegations) {
      check_threshold_bound(targets->meta, targets->delegated_keys, role.keys);
    }
  } else {
    SIGIL_FUZZ_CHECK(targets.error().code == sigil::ErrorCode::bad_input);
  }
  check_canonical(text);
  return 0;
}
