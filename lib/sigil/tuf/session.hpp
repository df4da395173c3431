// The internals of the updater (updater.cpp, chain.cpp, targets.cpp): where metadata comes
// from (the mirror, with the cache in front of it, or the cache alone) and the checks that
// every role shares. Not part of the library's interface.
#pragma once

#include "sigil/http/url.hpp"
#include "sigil/tuf/cache.hpp"
#include "sigil/tuf/metadata.hpp"
#include "sigil/tuf/updater.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sigil::tuf::detail {

struct Session {
  const UpdateRequest& req;
  Cache cache;
  http::Url base;
  bool online = true; // false: everything comes from the cache (fresh cache, or offline)
};

// GET <mirror>/<remote>, at most `cap` bytes. nullopt for 404 and 403 (the end of the root
// chain). Errors: registry when the mirror cannot be reached (no answer, 5xx), bad_input for
// more than `cap` bytes or another status.
[[nodiscard]] Result<std::optional<std::string>> download_optional(const Session& s, std::string_view remote,
                                                                   std::uint64_t cap, std::string_view what);
// The bytes of a role's file: downloaded when online, from the cache otherwise (bad_input when
// absent there).
[[nodiscard]] Result<std::string> fetch(const Session& s, std::string_view remote, std::string_view cache_name,
                                        std::uint64_t cap, std::string_view what);
// Writes to the cache when online (what came from the cache is there already).
[[nodiscard]] Result<void> keep(const Session& s, std::string_view cache_name, std::string_view bytes);
// bad_input "<role> metadata version V expired at T" when expires <= now.
[[nodiscard]] Result<void> check_expiry(const Envelope& meta, std::int64_t now);

// Top-level metadata after the root (chain.cpp).
struct Chain {
  Timestamp timestamp;
  Snapshot snapshot;
  Targets targets;
};
// `previous` is the cached timestamp and snapshot for the rollback checks (online only).
struct Previous {
  std::optional<Timestamp> timestamp;
  std::optional<Snapshot> snapshot;
};
[[nodiscard]] Previous load_previous(const Session& s, const Root& root);
[[nodiscard]] Result<Chain> update_chain(const Session& s, const Root& root, const Previous& previous);

// A target found by usage or name (targets.cpp), and its verified bytes.
struct FoundTarget {
  std::string name;
  TargetFile file;
};
[[nodiscard]] Result<std::optional<FoundTarget>> find_target(const Session& s, const Root& root, const Chain& chain,
                                                             std::string_view usage, std::string_view name);
[[nodiscard]] Result<std::string> target_bytes(const Session& s, const Root& root, const FoundTarget& target);

} // namespace sigil::tuf::detail
