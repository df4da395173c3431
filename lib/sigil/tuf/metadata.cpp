#include "sigil/tuf/metadata.hpp"

#include "sigil/tuf/canonical_json.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json_strict.hpp"
#include "sigil/util/terminal.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <array>

namespace sigil::tuf {

namespace {

Error bad(std::string_view what, std::string_view why)
{
  return Error{ErrorCode::bad_input, fmt::format("{}: {}", what, why)};
}

Result<std::uint64_t> positive(const util::Json& object, std::string_view key, std::string_view what)
{
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer() || it->get<std::int64_t>() < 1) {
    return fail(bad(what, fmt::format("\"{}\" must be an integer of at least 1", key)));
  }
  return it->get<std::uint64_t>();
}

Result<const util::Json*> member(const util::Json& object, std::string_view key, util::Json::value_t type,
                                 std::string_view what)
{
  const auto it = object.find(key);
  if (it == object.end() || it->type() != type) {
    return fail(bad(what, fmt::format("\"{}\" is missing or of the wrong type", key)));
  }
  return &*it;
}

Result<std::string> text(const util::Json& object, std::string_view key, std::string_view what)
{
  SIGIL_TRY_ASSIGN(const auto* v, member(object, key, util::Json::value_t::string, what));
  return v->get<std::string>();
}

Result<std::vector<Signature>> parse_signatures(const util::Json& doc, std::string_view what)
{
  SIGIL_TRY_ASSIGN(const auto* list, member(doc, "signatures", util::Json::value_t::array, what));
  std::vector<Signature> out;
  for (const auto& s : *list) {
    if (!s.is_object()) {
      return fail(bad(what, "a signature is not an object"));
    }
    SIGIL_TRY_ASSIGN(auto keyid, text(s, "keyid", what));
    SIGIL_TRY_ASSIGN(const auto sig, text(s, "sig", what));
    auto bytes = util::hex_decode(sig);
    out.push_back(Signature{std::move(keyid), bytes ? std::move(*bytes) : util::Bytes{}});
  }
  return out;
}

// The envelope and the "signed" object (owned by `doc`).
Result<std::pair<Envelope, const util::Json*>> parse_envelope(const util::Json& doc, std::string_view type)
{
  const auto what = fmt::format("{} metadata", type);
  if (!doc.is_object()) {
    return fail(bad(what, "not a JSON object"));
  }
  SIGIL_TRY_ASSIGN(const auto* signed_part, member(doc, "signed", util::Json::value_t::object, what));
  Envelope env;
  SIGIL_TRY_ASSIGN(env.signatures, parse_signatures(doc, what));
  SIGIL_TRY_ASSIGN(env.type, text(*signed_part, "_type", what));
  if (env.type != type) {
    return fail(bad(what, fmt::format("\"_type\" is \"{}\"", util::escape_for_terminal(env.type).substr(0, 40))));
  }
  SIGIL_TRY_ASSIGN(env.version, positive(*signed_part, "version", what));
  SIGIL_TRY_ASSIGN(const auto spec, text(*signed_part, "spec_version", what));
  if (spec != "1" && !spec.starts_with("1.")) {
    return fail(bad(what, "unsupported \"spec_version\" (1.x is)"));
  }
  SIGIL_TRY_ASSIGN(const auto expires, text(*signed_part, "expires", what));
  const auto when = util::parse_rfc3339(expires);
  if (!when) {
    return fail(bad(what, "\"expires\" is not an RFC 3339 time"));
  }
  env.expires = when->seconds;
  auto canonical = canonical_json(*signed_part);
  if (!canonical) {
    return fail(canonical.error().context(what));
  }
  env.canonical = std::move(*canonical);
  return std::pair{std::move(env), signed_part};
}

Result<util::Json> parse_document(std::string_view bytes, std::string_view type)
{
  auto doc = util::parse_json_strict(bytes);
  if (!doc) {
    return fail(doc.error().context(fmt::format("{} metadata", type)));
  }
  return std::move(*doc);
}

Result<RoleKeys> parse_role_keys(const util::Json& role, std::string_view what)
{
  RoleKeys out;
  SIGIL_TRY_ASSIGN(const auto* ids, member(role, "keyids", util::Json::value_t::array, what));
  for (const auto& id : *ids) {
    if (!id.is_string()) {
      return fail(bad(what, "a key id is not a string"));
    }
    out.keyids.push_back(id.get<std::string>());
  }
  SIGIL_TRY_ASSIGN(out.threshold, positive(role, "threshold", what));
  return out;
}

Result<KeyMap> parse_keys(const util::Json& keys, std::string_view what)
{
  KeyMap out;
  for (const auto& [id, value] : keys.items()) {
    SIGIL_TRY_ASSIGN(auto key, parse_key(value, what));
    out.emplace(id, std::move(key));
  }
  return out;
}

Result<std::map<std::string, std::string>> parse_hashes(const util::Json& object, std::string_view what)
{
  std::map<std::string, std::string> out;
  const auto it = object.find("hashes");
  if (it == object.end()) {
    return out;
  }
  if (!it->is_object()) {
    return fail(bad(what, "\"hashes\" is not an object"));
  }
  for (const auto& [alg, value] : it->items()) {
    if (!value.is_string()) {
      return fail(bad(what, "a hash is not a string"));
    }
    out.emplace(alg, value.get<std::string>());
  }
  return out;
}

Result<MetaFile> parse_meta_file(const util::Json& value, std::string_view what)
{
  if (!value.is_object()) {
    return fail(bad(what, "a \"meta\" entry is not an object"));
  }
  MetaFile out;
  SIGIL_TRY_ASSIGN(out.version, positive(value, "version", what));
  if (value.contains("length")) {
    SIGIL_TRY_ASSIGN(out.length, positive(value, "length", what));
  }
  SIGIL_TRY_ASSIGN(out.hashes, parse_hashes(value, what));
  return out;
}

Result<std::map<std::string, MetaFile>> parse_meta(const util::Json& signed_part, std::string_view what)
{
  SIGIL_TRY_ASSIGN(const auto* meta, member(signed_part, "meta", util::Json::value_t::object, what));
  std::map<std::string, MetaFile> out;
  for (const auto& [name, value] : meta->items()) {
    SIGIL_TRY_ASSIGN(auto file, parse_meta_file(value, what));
    out.emplace(name, std::move(file));
  }
  return out;
}

} // namespace

Result<Root> parse_root(std::string_view bytes)
{
  SIGIL_TRY_ASSIGN(const auto doc, parse_document(bytes, "root"));
  SIGIL_TRY_ASSIGN(auto parsed, parse_envelope(doc, "root"));
  const auto& s = *parsed.second;
  Root root{.meta = std::move(parsed.first)};
  SIGIL_TRY_ASSIGN(const auto* cs, member(s, "consistent_snapshot", util::Json::value_t::boolean, "root metadata"));
  root.consistent_snapshot = cs->get<bool>();
  SIGIL_TRY_ASSIGN(const auto* keys, member(s, "keys", util::Json::value_t::object, "root metadata"));
  SIGIL_TRY_ASSIGN(root.keys, parse_keys(*keys, "root metadata"));
  SIGIL_TRY_ASSIGN(const auto* roles, member(s, "roles", util::Json::value_t::object, "root metadata"));
  constexpr std::array<std::string_view, 4> k_roles{"root", "timestamp", "snapshot", "targets"};
  for (const auto name : k_roles) {
    const auto what = fmt::format("root metadata: role {}", name);
    SIGIL_TRY_ASSIGN(const auto* role, member(*roles, name, util::Json::value_t::object, what));
    SIGIL_TRY_ASSIGN(auto keys_of_role, parse_role_keys(*role, what));
    root.roles.emplace(std::string{name}, std::move(keys_of_role));
  }
  return root;
}

Result<Timestamp> parse_timestamp(std::string_view bytes)
{
  SIGIL_TRY_ASSIGN(const auto doc, parse_document(bytes, "timestamp"));
  SIGIL_TRY_ASSIGN(auto parsed, parse_envelope(doc, "timestamp"));
  SIGIL_TRY_ASSIGN(auto meta, parse_meta(*parsed.second, "timestamp metadata"));
  const auto it = meta.find("snapshot.json");
  if (it == meta.end()) {
    return fail(ErrorCode::bad_input, "timestamp metadata: \"meta\" does not name snapshot.json");
  }
  return Timestamp{std::move(parsed.first), it->second};
}

Result<Snapshot> parse_snapshot(std::string_view bytes)
{
  SIGIL_TRY_ASSIGN(const auto doc, parse_document(bytes, "snapshot"));
  SIGIL_TRY_ASSIGN(auto parsed, parse_envelope(doc, "snapshot"));
  SIGIL_TRY_ASSIGN(auto meta, parse_meta(*parsed.second, "snapshot metadata"));
  if (!meta.contains("targets.json")) {
    return fail(ErrorCode::bad_input, "snapshot metadata: \"meta\" does not name targets.json");
  }
  return Snapshot{std::move(parsed.first), std::move(meta)};
}

namespace {

Result<TargetFile> parse_target(const util::Json& value, std::string_view what)
{
  if (!value.is_object()) {
    return fail(bad(what, "a target is not an object"));
  }
  TargetFile out;
  const auto len = value.find("length");
  if (len == value.end() || !len->is_number_integer() || len->get<std::int64_t>() < 0) {
    return fail(bad(what, "a target's \"length\" must be a non-negative integer"));
  }
  out.length = len->get<std::uint64_t>();
  SIGIL_TRY_ASSIGN(out.hashes, parse_hashes(value, what));
  if (out.hashes.empty()) {
    return fail(bad(what, "a target has no \"hashes\""));
  }
  const auto custom = value.find("custom");
  if (custom != value.end() && custom->is_object()) {
    const auto sig = custom->find("sigstore");
    if (sig != custom->end() && sig->is_object() && sig->contains("usage") && (*sig)["usage"].is_string()) {
      out.usage = (*sig)["usage"].get<std::string>();
    }
  }
  return out;
}

Result<DelegatedRole> parse_delegated_role(const util::Json& value, std::string_view what)
{
  if (!value.is_object()) {
    return fail(bad(what, "a delegated role is not an object"));
  }
  DelegatedRole out;
  SIGIL_TRY_ASSIGN(out.name, text(value, "name", what));
  SIGIL_TRY_ASSIGN(out.keys, parse_role_keys(value, what));
  const auto term = value.find("terminating");
  out.terminating = term != value.end() && term->is_boolean() && term->get<bool>();
  const auto paths = value.find("paths");
  if (paths != value.end() && paths->is_array()) {
    for (const auto& p : *paths) {
      if (p.is_string()) {
        out.paths.push_back(p.get<std::string>());
      }
    }
  }
  return out;
}

} // namespace

Result<Targets> parse_targets(std::string_view bytes)
{
  SIGIL_TRY_ASSIGN(const auto doc, parse_document(bytes, "targets"));
  SIGIL_TRY_ASSIGN(auto parsed, parse_envelope(doc, "targets"));
  const auto& s = *parsed.second;
  constexpr std::string_view what = "targets metadata";
  Targets out{.meta = std::move(parsed.first)};
  SIGIL_TRY_ASSIGN(const auto* targets, member(s, "targets", util::Json::value_t::object, what));
  for (const auto& [name, value] : targets->items()) {
    SIGIL_TRY_ASSIGN(auto target, parse_target(value, what));
    out.targets.emplace(name, std::move(target));
  }
  const auto del = s.find("delegations");
  if (del != s.end()) {
    if (!del->is_object()) {
      return fail(bad(what, "\"delegations\" is not an object"));
    }
    SIGIL_TRY_ASSIGN(const auto* keys, member(*del, "keys", util::Json::value_t::object, what));
    SIGIL_TRY_ASSIGN(out.delegated_keys, parse_keys(*keys, what));
    SIGIL_TRY_ASSIGN(const auto* roles, member(*del, "roles", util::Json::value_t::array, what));
    for (const auto& r : *roles) {
      SIGIL_TRY_ASSIGN(auto role, parse_delegated_role(r, what));
      out.delegations.push_back(std::move(role));
    }
  }
  return out;
}

} // namespace sigil::tuf
