// Target lookup (top-level by custom.sigstore.usage, then by name, then delegated roles
// depth-first) and target download (TUF specification 5.6.7 and 5.7).
#include "sigil/tuf/session.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/util/encoding.hpp"

#include <fmt/format.h>

#include <memory>
#include <vector>

namespace sigil::tuf::detail {

namespace {

Result<Targets> load_delegated(const Session& s, const Root& root, const Chain& chain, const Targets& parent,
                               const DelegatedRole& role)
{
  const auto what = fmt::format("delegated targets role {}", escape_mirror(role.name));
  const auto listed = chain.snapshot.files.find(role.name + ".json");
  if (listed == chain.snapshot.files.end()) {
    return fail(ErrorCode::bad_input, fmt::format("{}: not listed in the snapshot", what));
  }
  const auto& meta = listed->second;
  const auto remote =
      root.consistent_snapshot ? fmt::format("{}.{}.json", meta.version, role.name) : fmt::format("{}.json", role.name);
  const auto cache_name = fmt::format("delegated/{}.json", escape_mirror(role.name));
  SIGIL_TRY_ASSIGN(const auto bytes,
                   fetch(s, remote, cache_name, meta.length.value_or(s.req.limits.max_targets_bytes), what));
  SIGIL_TRY(check_file(bytes, meta.length, meta.hashes, what));
  SIGIL_TRY_ASSIGN(auto targets, parse_targets(bytes));
  SIGIL_TRY(check_threshold(targets.meta, parent.delegated_keys, role.keys, what));
  if (targets.meta.version != meta.version) {
    return fail(ErrorCode::bad_input, fmt::format("{}: version {}, the snapshot names version {}: refused "
                                                  "(mix-and-match)",
                                                  what, targets.meta.version, meta.version));
  }
  SIGIL_TRY(check_expiry(targets.meta, s.req.now));
  SIGIL_TRY(keep(s, cache_name, bytes));
  return targets;
}

// Pre-order depth-first search of the delegations for `name`, as the spec's 5.6.7.2.
Result<std::optional<FoundTarget>> find_delegated(const Session& s, const Root& root, const Chain& chain,
                                                  std::string_view name)
{
  std::vector<std::unique_ptr<Targets>> loaded; // keeps every parent alive while searching
  std::vector<std::pair<const Targets*, std::size_t>> stack{{&chain.targets, 0}};
  int visited = 0;
  while (!stack.empty()) {
    auto& [parent, index] = stack.back();
    if (index >= parent->delegations.size()) {
      stack.pop_back();
      continue;
    }
    const auto& role = parent->delegations[index++];
    if (!role_covers(role, name)) {
      continue;
    }
    if (++visited > s.req.limits.max_delegations) {
      return fail(ErrorCode::bad_input,
                  fmt::format("target {}: more than {} delegated roles visited", name, s.req.limits.max_delegations));
    }
    SIGIL_TRY_ASSIGN(auto targets, load_delegated(s, root, chain, *parent, role));
    loaded.push_back(std::make_unique<Targets>(std::move(targets)));
    const auto it = loaded.back()->targets.find(std::string{name});
    if (it != loaded.back()->targets.end()) {
      return std::optional<FoundTarget>{FoundTarget{it->first, it->second}};
    }
    if (role.terminating) {
      break;
    }
    stack.emplace_back(loaded.back().get(), 0);
  }
  return std::optional<FoundTarget>{};
}

// targets/NAME, or targets/DIR/HASH.BASENAME with consistent snapshots.
std::string target_path(const Root& root, const FoundTarget& t)
{
  if (!root.consistent_snapshot) {
    return "targets/" + t.name;
  }
  const auto sha = t.file.hashes.find("sha256");
  const auto& hash = sha != t.file.hashes.end() ? sha->second : t.file.hashes.begin()->second;
  const auto slash = t.name.rfind('/');
  const auto dir = slash == std::string::npos ? std::string{} : t.name.substr(0, slash + 1);
  const auto base = slash == std::string::npos ? t.name : t.name.substr(slash + 1);
  return fmt::format("targets/{}{}.{}", dir, hash, base);
}

} // namespace

Result<std::optional<FoundTarget>> find_target(const Session& s, const Root& root, const Chain& chain,
                                               std::string_view usage, std::string_view name)
{
  for (const auto& [target_name, file] : chain.targets.targets) {
    if (file.usage == usage) {
      return std::optional<FoundTarget>{FoundTarget{target_name, file}};
    }
  }
  const auto it = chain.targets.targets.find(std::string{name});
  if (it != chain.targets.targets.end()) {
    return std::optional<FoundTarget>{FoundTarget{it->first, it->second}};
  }
  return find_delegated(s, root, chain, name);
}

Result<std::string> target_bytes(const Session& s, const Root& root, const FoundTarget& target)
{
  const auto what = fmt::format("target {}", escape_mirror(target.name));
  const auto cache_name = "targets/" + escape_mirror(target.name);
  auto cached = s.cache.read(cache_name, target.file.length);
  if (cached && *cached && check_file(**cached, target.file.length, target.file.hashes, what)) {
    return std::move(**cached);
  }
  if (!s.online) {
    return fail(ErrorCode::bad_input, fmt::format("{}: not in the TUF cache {}", what, s.cache.dir().string()));
  }
  SIGIL_TRY_ASSIGN(auto bytes, download_optional(s, target_path(root, target), target.file.length, what));
  if (!bytes) {
    return fail(ErrorCode::bad_input, fmt::format("{}: the TUF mirror {} does not have it", what, s.base.origin()));
  }
  SIGIL_TRY(check_file(*bytes, target.file.length, target.file.hashes, what));
  SIGIL_TRY(keep(s, cache_name, *bytes));
  return std::move(*bytes);
}

} // namespace sigil::tuf::detail
