// sigil::tuf updater: the client workflow of the TUF specification 1.0.x (section 5), for the
// two files Sigstore publishes through it (trusted_root.json and signing_config.v0.2.json).
//
// In the specification's order:
//  1. the trusted root: the cached root.json, or the initial root (embedded or --tuf-root) when
//     that is newer or nothing is cached; it must be signed by a threshold of its own root keys;
//  2. root rotation: N+1.root.json, N+2... until the mirror answers 404/403, at most
//     max_root_rotations steps, each signed by a threshold of the previous root's root keys and
//     of its own, of version exactly N+1, cached as it is accepted; a change of the timestamp or
//     snapshot keys deletes the cached timestamp and snapshot; then the final root must not
//     have expired (freeze);
//  3. timestamp.json (at most max_timestamp_bytes): signed by the root's timestamp role, no
//     rollback of its version or of the snapshot version it names, not expired;
//  4. snapshot (VERSION.snapshot.json with consistent snapshots): length and hashes as the
//     timestamp lists them (when it does), signed by the snapshot role, version as the timestamp
//     says, no listed file's version lower than in the cached snapshot, not expired;
//  5. targets (VERSION.targets.json): length/hashes/version per the snapshot, signed by the
//     targets role, not expired; delegated roles the same way, searched depth-first when a
//     name is not in the top-level targets;
//  6. each target (targets/HASH.NAME with consistent snapshots): its length and hashes.
// Every download is bounded by the length the metadata gives, else by the cap of its role.
// Nothing is cached before it is verified, so a refused update keeps the last good state.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/http/transport.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace sigil::tuf {

struct Limits {
  std::uint64_t max_root_bytes = 512'000; // sigstore-go's defaults
  std::uint64_t max_timestamp_bytes = 16'384;
  std::uint64_t max_snapshot_bytes = 2'000'000;
  std::uint64_t max_targets_bytes = 5'000'000;
  int max_root_rotations = 32;
  int max_delegations = 32;
};

struct UpdateRequest {
  http::Transport* transport = nullptr;
  std::string mirror;              // base URL; targets are under <mirror>/targets/
  std::filesystem::path cache_dir; // this mirror's own directory
  std::string initial_root;        // root.json bytes (embedded or --tuf-root)
  std::int64_t now = 0;            // unix seconds
  std::chrono::seconds refresh_period{std::chrono::hours{24}};
  bool force = false; // update even when the cache is younger than refresh_period
  Limits limits;
};

// How the answer was obtained.
enum class Freshness {
  updated, // the mirror was asked and everything verified
  cached,  // the cache is younger than the refresh period: no request
  offline, // the mirror could not be reached; the cache has not expired
};

struct SigstoreTrust {
  std::string trusted_root;                  // trusted_root.json bytes
  std::optional<std::string> signing_config; // signing_config.v0.2.json, when the repository has it
  Freshness freshness = Freshness::updated;
  std::uint64_t root_version = 0;
  std::uint64_t timestamp_version = 0;
  std::int64_t expires = 0;      // earliest expiry of root, timestamp, snapshot, targets
  std::int64_t last_refresh = 0; // unix time of the last complete update (0: unknown)
};

// The Sigstore targets of the repository at `mirror`, found by custom.sigstore.usage
// ("TrustedRoot", "SigningConfig") else by name (trusted_root.json, signing_config.v0.2.json).
// Errors: bad_input for a refusal (the reason named: threshold, rollback, expired, hash...),
// registry when the mirror cannot be reached and the cache cannot stand in.
[[nodiscard]] Result<SigstoreTrust> sigstore_trust(const UpdateRequest& request);

} // namespace sigil::tuf
