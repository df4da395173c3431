// Timestamp, snapshot and targets (TUF specification 5.4 to 5.6), and the session's I/O.
#include "sigil/tuf/session.hpp"

#include "sigil/util/time.hpp"

#include <fmt/format.h>

namespace sigil::tuf::detail {

namespace {

constexpr int k_max_redirects = 5;

bool is_redirect(long status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// GET url, following up to k_max_redirects redirects (a mirror that moved, a CDN in front of
// a bucket). Every Location passes the origin rule against the mirror (no https -> http
// downgrade); TUF sends no credentials, and what is fetched is checked by its signatures and
// hashes wherever it came from. The transport's own failure is returned as it is.
Result<std::expected<http::Response, http::TransportError>> send_following(const Session& s, http::Url url,
                                                                           std::uint64_t cap, std::string_view what)
{
  for (int hop = 0;; ++hop) {
    http::Request request;
    request.url = url.str();
    request.max_response_bytes = cap;
    request.timeout = std::chrono::milliseconds{30'000};
    auto response = s.req.transport->send(request);
    if (!response || !is_redirect(response->status)) {
      return response;
    }
    const auto location = response->header("Location");
    if (!location || hop >= k_max_redirects) {
      return fail(ErrorCode::registry,
                  fmt::format("{}: the TUF mirror {} answered {} {}", what, s.base.origin(), response->status,
                              location ? "too many times in a row" : "without a Location"));
    }
    auto next = http::resolve_url(url, *location);
    if (!next) {
      return fail(next.error().context(fmt::format("{}: a redirect of the TUF mirror {}", what, s.base.origin())));
    }
    SIGIL_TRY(http::follow(s.base, *next));
    url = std::move(*next);
  }
}

} // namespace

Result<std::optional<std::string>> download_optional(const Session& s, std::string_view remote, std::uint64_t cap,
                                                     std::string_view what)
{
  http::Url url = s.base;
  while (!url.target.empty() && url.target.back() == '/') {
    url.target.pop_back();
  }
  url.target += "/" + std::string{remote};
  SIGIL_TRY_ASSIGN(auto response, send_following(s, url, cap, what));
  if (!response) {
    if (response.error().failure == http::TransportFailure::too_large) {
      return fail(ErrorCode::bad_input,
                  fmt::format("{}: the TUF mirror sent more than the {} bytes allowed; refused", what, cap));
    }
    return fail(ErrorCode::registry, fmt::format("{}: cannot reach the TUF mirror {}: {}", what, s.base.origin(),
                                                 response.error().error.message));
  }
  if (response->status == 404 || response->status == 403) {
    return std::optional<std::string>{};
  }
  if (response->status >= 500) {
    return fail(ErrorCode::registry,
                fmt::format("{}: the TUF mirror {} answered {}", what, s.base.origin(), response->status));
  }
  if (response->status != 200) {
    return fail(ErrorCode::bad_input,
                fmt::format("{}: the TUF mirror {} answered {}", what, s.base.origin(), response->status));
  }
  return std::optional<std::string>{std::move(response->body)};
}

Result<std::string> fetch(const Session& s, std::string_view remote, std::string_view cache_name, std::uint64_t cap,
                          std::string_view what)
{
  if (s.online) {
    SIGIL_TRY_ASSIGN(auto bytes, download_optional(s, remote, cap, what));
    if (!bytes) {
      return fail(ErrorCode::bad_input, fmt::format("{}: the TUF mirror {} has no {}", what, s.base.origin(), remote));
    }
    return std::move(*bytes);
  }
  SIGIL_TRY_ASSIGN(auto bytes, s.cache.read(cache_name, cap));
  if (!bytes) {
    return fail(ErrorCode::bad_input, fmt::format("{}: not in the TUF cache {}", what, s.cache.dir().string()));
  }
  return std::move(*bytes);
}

Result<void> keep(const Session& s, std::string_view cache_name, std::string_view bytes)
{
  return s.online ? s.cache.write(cache_name, bytes) : Result<void>{};
}

Result<void> check_expiry(const Envelope& meta, std::int64_t now)
{
  if (meta.expires > now) {
    return {};
  }
  return fail(ErrorCode::bad_input, fmt::format("{} metadata version {} expired at {}: refused (a frozen or stale "
                                                "TUF repository)",
                                                meta.type, meta.version, util::rfc3339_utc(meta.expires)));
}

namespace {

const RoleKeys& role(const Root& root, const char* name)
{
  return root.roles.at(name); // parse_root guarantees the four roles
}

template <typename T, typename Parse>
std::optional<T> cached_verified(const Session& s, const char* name, std::uint64_t cap, const Root& root, Parse parse,
                                 const char* role_name)
{
  auto bytes = s.cache.read(name, cap);
  if (!bytes || !*bytes) {
    return std::nullopt;
  }
  auto parsed = parse(**bytes);
  if (!parsed || !check_threshold(parsed->meta, root.keys, role(root, role_name), role_name)) {
    return std::nullopt;
  }
  return std::move(*parsed);
}

Result<Timestamp> update_timestamp(const Session& s, const Root& root, const Previous& previous)
{
  SIGIL_TRY_ASSIGN(const auto bytes,
                   fetch(s, "timestamp.json", "timestamp.json", s.req.limits.max_timestamp_bytes, "timestamp.json"));
  SIGIL_TRY_ASSIGN(auto ts, parse_timestamp(bytes));
  SIGIL_TRY(check_threshold(ts.meta, root.keys, role(root, "timestamp"),
                            fmt::format("timestamp metadata version {}", ts.meta.version)));
  if (previous.timestamp) {
    const auto& old = *previous.timestamp;
    if (ts.meta.version < old.meta.version) {
      return fail(ErrorCode::bad_input, fmt::format("timestamp metadata version {} is older than the cached version "
                                                    "{}: refused (rollback)",
                                                    ts.meta.version, old.meta.version));
    }
    if (ts.snapshot.version < old.snapshot.version) {
      return fail(ErrorCode::bad_input, fmt::format("timestamp metadata names snapshot version {}, older than the "
                                                    "cached {}: refused (rollback)",
                                                    ts.snapshot.version, old.snapshot.version));
    }
  }
  SIGIL_TRY(check_expiry(ts.meta, s.req.now));
  SIGIL_TRY(keep(s, "timestamp.json", bytes));
  return ts;
}

// The cached copy when it is the version `meta` names and matches its length and hashes
// (no download then), else the mirror's.
template <typename Parse>
Result<std::string> fetch_listed(const Session& s, const MetaFile& meta, std::string_view remote,
                                 std::string_view cache_name, std::uint64_t cap, std::string_view what, Parse parse)
{
  if (s.online) {
    auto cached = s.cache.read(cache_name, cap);
    if (cached && *cached && check_file(**cached, meta.length, meta.hashes, what)) {
      auto parsed = parse(**cached);
      if (parsed && parsed->meta.version == meta.version) {
        return std::move(**cached);
      }
    }
  }
  return fetch(s, remote, cache_name, cap, what);
}

Result<void> check_no_rollback(const Snapshot& snap, const Snapshot& old)
{
  for (const auto& [name, file] : old.files) {
    const auto it = snap.files.find(name);
    if (it == snap.files.end()) {
      return fail(
          ErrorCode::bad_input,
          fmt::format("snapshot metadata version {} no longer lists {}: refused (rollback)", snap.meta.version, name));
    }
    if (it->second.version < file.version) {
      return fail(ErrorCode::bad_input, fmt::format("snapshot metadata version {} lists {} version {}, older than the "
                                                    "cached {}: refused (rollback)",
                                                    snap.meta.version, name, it->second.version, file.version));
    }
  }
  return {};
}

Result<Snapshot> update_snapshot(const Session& s, const Root& root, const Timestamp& ts, const Previous& previous)
{
  const auto& meta = ts.snapshot;
  const auto remote =
      root.consistent_snapshot ? fmt::format("{}.snapshot.json", meta.version) : std::string{"snapshot.json"};
  const auto cap = meta.length.value_or(s.req.limits.max_snapshot_bytes);
  SIGIL_TRY_ASSIGN(const auto bytes, fetch_listed(s, meta, remote, "snapshot.json", cap, "snapshot metadata",
                                                  [](std::string_view b) { return parse_snapshot(b); }));
  SIGIL_TRY(check_file(bytes, meta.length, meta.hashes, "snapshot metadata"));
  SIGIL_TRY_ASSIGN(auto snap, parse_snapshot(bytes));
  SIGIL_TRY(check_threshold(snap.meta, root.keys, role(root, "snapshot"),
                            fmt::format("snapshot metadata version {}", snap.meta.version)));
  if (snap.meta.version != meta.version) {
    return fail(ErrorCode::bad_input, fmt::format("snapshot metadata is version {}, the timestamp names version {}: "
                                                  "refused (mix-and-match)",
                                                  snap.meta.version, meta.version));
  }
  if (previous.snapshot) {
    SIGIL_TRY(check_no_rollback(snap, *previous.snapshot));
  }
  SIGIL_TRY(check_expiry(snap.meta, s.req.now));
  SIGIL_TRY(keep(s, "snapshot.json", bytes));
  return snap;
}

Result<Targets> update_targets(const Session& s, const Root& root, const Snapshot& snap)
{
  const auto& meta = snap.files.at("targets.json"); // parse_snapshot guarantees it
  const auto remote =
      root.consistent_snapshot ? fmt::format("{}.targets.json", meta.version) : std::string{"targets.json"};
  const auto cap = meta.length.value_or(s.req.limits.max_targets_bytes);
  SIGIL_TRY_ASSIGN(const auto bytes, fetch_listed(s, meta, remote, "targets.json", cap, "targets metadata",
                                                  [](std::string_view b) { return parse_targets(b); }));
  SIGIL_TRY(check_file(bytes, meta.length, meta.hashes, "targets metadata"));
  SIGIL_TRY_ASSIGN(auto targets, parse_targets(bytes));
  SIGIL_TRY(check_threshold(targets.meta, root.keys, role(root, "targets"),
                            fmt::format("targets metadata version {}", targets.meta.version)));
  if (targets.meta.version != meta.version) {
    return fail(ErrorCode::bad_input, fmt::format("targets metadata is version {}, the snapshot names version {}: "
                                                  "refused (mix-and-match)",
                                                  targets.meta.version, meta.version));
  }
  SIGIL_TRY(check_expiry(targets.meta, s.req.now));
  SIGIL_TRY(keep(s, "targets.json", bytes));
  return targets;
}

} // namespace

Previous load_previous(const Session& s, const Root& root)
{
  Previous out;
  out.timestamp = cached_verified<Timestamp>(
      s, "timestamp.json", s.req.limits.max_timestamp_bytes, root,
      [](std::string_view b) { return parse_timestamp(b); }, "timestamp");
  out.snapshot = cached_verified<Snapshot>(
      s, "snapshot.json", s.req.limits.max_snapshot_bytes, root, [](std::string_view b) { return parse_snapshot(b); },
      "snapshot");
  return out;
}

Result<Chain> update_chain(const Session& s, const Root& root, const Previous& previous)
{
  SIGIL_TRY_ASSIGN(auto ts, update_timestamp(s, root, previous));
  SIGIL_TRY_ASSIGN(auto snap, update_snapshot(s, root, ts, previous));
  SIGIL_TRY_ASSIGN(auto targets, update_targets(s, root, snap));
  return Chain{std::move(ts), std::move(snap), std::move(targets)};
}

} // namespace sigil::tuf::detail
