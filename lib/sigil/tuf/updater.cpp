// The trusted root, root rotation (TUF specification 5.2 and 5.3), the refresh period and the
// offline fallback; the rest of the chain is chain.cpp and targets.cpp.
#include "sigil/tuf/updater.hpp"

#include "sigil/tuf/session.hpp"
#include "sigil/util/host.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/number.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace sigil::tuf {

namespace {

using detail::Session;

Result<Root> self_signed_root(std::string_view bytes, std::string_view what)
{
  auto root = parse_root(bytes);
  if (!root) {
    return fail(root.error().context(what));
  }
  SIGIL_TRY(check_threshold(root->meta, root->keys, root->roles.at("root"),
                            fmt::format("{} (version {})", what, root->meta.version)));
  return std::move(*root);
}

// signed.version without parsing the keys (0 when there is none): which root to load.
std::uint64_t peek_version(std::string_view bytes)
{
  auto doc = util::parse_json(bytes);
  if (!doc || !doc->is_object() || !doc->contains("signed") || !(*doc)["signed"].is_object()) {
    return 0;
  }
  const auto& v = (*doc)["signed"]["version"];
  return v.is_number_unsigned() ? v.get<std::uint64_t>() : 0;
}

// The cached root when it is valid and at least as new as the initial one, else the initial.
// (Only the root chosen is parsed: keys are most of a warm start's work.)
Result<Root> trusted_root(const Session& s)
{
  auto cached_bytes = s.cache.read("root.json", s.req.limits.max_root_bytes);
  if (cached_bytes && *cached_bytes && peek_version(**cached_bytes) >= peek_version(s.req.initial_root)) {
    auto cached = self_signed_root(**cached_bytes, "the cached TUF root");
    if (cached) {
      return std::move(*cached);
    }
  }
  SIGIL_TRY_ASSIGN(auto initial, self_signed_root(s.req.initial_root, "the initial TUF root"));
  if (s.online) {
    SIGIL_TRY(s.cache.write("root.json", s.req.initial_root));
  }
  return initial;
}

std::set<std::string> key_ids(const Root& root, const char* role)
{
  const auto& ids = root.roles.at(role).keyids;
  return {ids.begin(), ids.end()};
}

Result<Root> rotate(const Session& s, Root trusted)
{
  for (int step = 0; step < s.req.limits.max_root_rotations; ++step) {
    const auto next = trusted.meta.version + 1;
    const auto name = fmt::format("{}.root.json", next);
    SIGIL_TRY_ASSIGN(const auto bytes, detail::download_optional(s, name, s.req.limits.max_root_bytes, name));
    if (!bytes) {
      break; // 404/403: trusted is the newest root
    }
    auto candidate = parse_root(*bytes);
    if (!candidate) {
      return fail(candidate.error().context(name));
    }
    SIGIL_TRY(
        check_threshold(candidate->meta, trusted.keys, trusted.roles.at("root"),
                        fmt::format("root version {}: by the root keys of version {}", next, trusted.meta.version)));
    SIGIL_TRY(check_threshold(candidate->meta, candidate->keys, candidate->roles.at("root"),
                              fmt::format("root version {}: by its own root keys", next)));
    if (candidate->meta.version != next) {
      return fail(ErrorCode::bad_input,
                  fmt::format("{} holds root version {}: refused", name, candidate->meta.version));
    }
    if (key_ids(trusted, "timestamp") != key_ids(*candidate, "timestamp") ||
        key_ids(trusted, "snapshot") != key_ids(*candidate, "snapshot")) {
      SIGIL_TRY(s.cache.remove("timestamp.json")); // spec 5.3.11: their keys were rotated
      SIGIL_TRY(s.cache.remove("snapshot.json"));
    }
    SIGIL_TRY(s.cache.write("root.json", *bytes));
    trusted = std::move(*candidate);
  }
  return trusted;
}

Result<SigstoreTrust> collect(const Session& s, const Root& root, const detail::Chain& chain)
{
  SigstoreTrust out;
  SIGIL_TRY_ASSIGN(const auto tr, detail::find_target(s, root, chain, "TrustedRoot", "trusted_root.json"));
  if (!tr) {
    return fail(ErrorCode::bad_input,
                fmt::format("the TUF repository {} has no trusted_root.json target", s.base.origin()));
  }
  SIGIL_TRY_ASSIGN(out.trusted_root, detail::target_bytes(s, root, *tr));
  SIGIL_TRY_ASSIGN(const auto sc, detail::find_target(s, root, chain, "SigningConfig", "signing_config.v0.2.json"));
  if (sc) {
    SIGIL_TRY_ASSIGN(out.signing_config, detail::target_bytes(s, root, *sc));
  }
  out.root_version = root.meta.version;
  out.timestamp_version = chain.timestamp.meta.version;
  out.expires = std::min(
      {root.meta.expires, chain.timestamp.meta.expires, chain.snapshot.meta.expires, chain.targets.meta.expires});
  return out;
}

std::int64_t last_refresh(const Session& s)
{
  auto text = s.cache.read("last-refresh", 64);
  if (!text || !*text) {
    return 0;
  }
  auto value = util::parse_uint(**text, INT64_MAX);
  return value ? static_cast<std::int64_t>(*value) : 0;
}

// Everything from the cache, with every check but the rollback ones (nothing to compare with).
Result<SigstoreTrust> from_cache(const UpdateRequest& req, const http::Url& base)
{
  const Session s{req, Cache{req.cache_dir}, base, false};
  SIGIL_TRY_ASSIGN(const auto root, trusted_root(s));
  SIGIL_TRY(detail::check_expiry(root.meta, req.now));
  SIGIL_TRY_ASSIGN(const auto chain, detail::update_chain(s, root, {}));
  SIGIL_TRY_ASSIGN(auto out, collect(s, root, chain));
  out.last_refresh = last_refresh(s);
  return out;
}

Result<SigstoreTrust> from_mirror(const UpdateRequest& req, const http::Url& base)
{
  const Session s{req, Cache{req.cache_dir}, base, true};
  SIGIL_TRY_ASSIGN(auto root, trusted_root(s));
  SIGIL_TRY_ASSIGN(root, rotate(s, std::move(root)));
  SIGIL_TRY(detail::check_expiry(root.meta, req.now));
  const auto previous = detail::load_previous(s, root);
  SIGIL_TRY_ASSIGN(const auto chain, detail::update_chain(s, root, previous));
  SIGIL_TRY_ASSIGN(auto out, collect(s, root, chain));
  SIGIL_TRY(s.cache.write("last-refresh", fmt::format("{}", req.now)));
  out.last_refresh = req.now;
  return out;
}

Result<http::Url> mirror_url(std::string_view text)
{
  auto url = http::parse_url(text);
  if (!url) {
    return fail(ErrorCode::usage, fmt::format("TUF mirror: {}", url.error().message));
  }
  if (!url->https() && !util::is_loopback_host(url->host)) {
    return fail(ErrorCode::usage,
                fmt::format("TUF mirror: {} is plain http to a host that is not loopback; use https", url->origin()));
  }
  if (url->target.find('?') != std::string::npos) {
    return fail(ErrorCode::usage, "TUF mirror: the URL takes no query");
  }
  return url;
}

} // namespace

Result<SigstoreTrust> sigstore_trust(const UpdateRequest& req)
{
  SIGIL_TRY_ASSIGN(const auto base, mirror_url(req.mirror));
  if (!req.force) {
    const auto last = last_refresh(Session{req, Cache{req.cache_dir}, base, false});
    if (last > 0 && last <= req.now && req.now - last < req.refresh_period.count()) {
      auto cached = from_cache(req, base);
      if (cached) {
        cached->freshness = Freshness::cached;
        return cached;
      }
    }
  }
  auto updated = from_mirror(req, base);
  if (updated || updated.error().code != ErrorCode::registry) {
    return updated;
  }
  auto cached = from_cache(req, base);
  if (!cached) {
    return fail(ErrorCode::registry,
                fmt::format("{}; the TUF cache cannot stand in ({}): reconnect, or pass --trusted-root FILE",
                            updated.error().message, cached.error().message));
  }
  cached->freshness = Freshness::offline;
  return cached;
}

} // namespace sigil::tuf
