// The trust policy reader, field level: scalars, lists, keys, keyless identities, authorities.
// yaml-cpp throws; every call into it runs inside parse_trust_policy's try (nothing escapes).
#include "sigil/policy/trust_policy_yaml.hpp"

#include "sigil/util/number.hpp"

#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>
#include <set>

namespace sigil::policy {

namespace detail {

Where Ctx::at(const YAML::Node& node, std::string path) const
{
  const auto m = node.Mark();
  return Where{file, m.is_null() ? 0 : static_cast<std::size_t>(m.line) + 1, std::move(path)};
}

std::string_view kind_name(const YAML::Node& n)
{
  if (n.IsMap()) {
    return "a mapping";
  }
  if (n.IsSequence()) {
    return "a list";
  }
  if (n.IsNull()) {
    return "nothing";
  }
  return "a scalar";
}

// Checks the node is a mapping whose keys are all in `known` (and each written once).
Result<void> check_map(const Ctx& c, const YAML::Node& node, const std::string& path,
                       std::initializer_list<std::string_view> known)
{
  if (!node.IsMap()) {
    return fail(policy_error(c.at(node, path), fmt::format("expected a mapping, found {}", kind_name(node))));
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : node) {
    const auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
    const auto field = path.empty() ? key : path + "." + key;
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto k : known) {
        list += list.empty() ? std::string{k} : ", " + std::string{k};
      }
      return fail(policy_error(c.at(kv.first, field), fmt::format("unknown field \"{}\" (known here: {})", key, list)));
    }
    if (!seen.insert(key).second) {
      return fail(policy_error(c.at(kv.first, field), "written twice"));
    }
  }
  return {};
}

std::string join(const std::string& path, std::string_view key)
{
  return path.empty() ? std::string{key} : fmt::format("{}.{}", path, key);
}

Result<std::string> scalar(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  if (!node.IsScalar()) {
    return fail(policy_error(c.at(node, path), fmt::format("expected a string, found {}", kind_name(node))));
  }
  if (node.Scalar().empty()) {
    return fail(policy_error(c.at(node, path), "cannot be empty"));
  }
  return node.Scalar();
}

Result<std::optional<std::string>> opt_scalar(const Ctx& c, const YAML::Node& map, const std::string& path,
                                              std::string_view key)
{
  const auto node = map[std::string{key}];
  if (!node) {
    return std::optional<std::string>{};
  }
  SIGIL_TRY_ASSIGN(auto s, scalar(c, node, join(path, key)));
  return std::optional<std::string>{std::move(s)};
}

Result<std::string> required(const Ctx& c, const YAML::Node& map, const std::string& path, std::string_view key,
                             std::string_view what)
{
  const auto node = map[std::string{key}];
  if (!node) {
    return fail(policy_error(c.at(map, path), fmt::format("missing \"{}\": {}", key, what)));
  }
  return scalar(c, node, join(path, key));
}

Result<YAML::Node> list(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  if (!node.IsSequence()) {
    return fail(policy_error(c.at(node, path), fmt::format("expected a list, found {}", kind_name(node))));
  }
  if (node.size() == 0) {
    return fail(policy_error(c.at(node, path), "the list is empty"));
  }
  if (node.size() > k_max_list) {
    return fail(policy_error(c.at(node, path), fmt::format("more than {} entries", k_max_list)));
  }
  return node;
}

std::string item(const std::string& path, std::size_t i)
{
  return fmt::format("{}[{}]", path, i);
}

Result<void> check_regexp(const Ctx& c, const YAML::Node& node, const std::string& path, const std::string& text)
{
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(text, options);
  if (!re.ok()) {
    return fail(policy_error(c.at(node, path), fmt::format("not a valid RE2 regexp: {}", re.error())));
  }
  return {};
}

namespace {

Result<std::size_t> parse_count(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  const auto value = node.IsScalar() ? util::parse_uint(node.Scalar(), k_max_list) : std::nullopt;
  if (!value || *value == 0) {
    return fail(policy_error(c.at(node, path), fmt::format("expected a whole number from 1 to {}", k_max_list)));
  }
  return static_cast<std::size_t>(*value);
}

Result<KeyAuthority> parse_key(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  if (node.IsScalar()) {
    SIGIL_TRY_ASSIGN(auto text, scalar(c, node, path));
    if (text.starts_with("env://")) {
      return KeyAuthority{KeyAuthority::Source::env, text.substr(6)};
    }
    if (text.starts_with("-----BEGIN")) {
      return KeyAuthority{KeyAuthority::Source::pem, text};
    }
    return KeyAuthority{KeyAuthority::Source::file, text};
  }
  SIGIL_TRY(check_map(c, node, path, {"file", "env", "pem"}));
  if (node.size() != 1) {
    return fail(policy_error(c.at(node, path), "give exactly one of file, env, pem"));
  }
  const auto key = node.begin()->first.Scalar();
  SIGIL_TRY_ASSIGN(auto value, scalar(c, node.begin()->second, join(path, key)));
  if (key == "env") {
    if (value.starts_with("env://")) {
      value = value.substr(6);
    }
    return KeyAuthority{KeyAuthority::Source::env, value};
  }
  if (key == "pem" && !value.starts_with("-----BEGIN")) {
    return fail(policy_error(c.at(node.begin()->second, join(path, key)),
                             "expected a PEM public key (-----BEGIN PUBLIC KEY-----)"));
  }
  return KeyAuthority{key == "pem" ? KeyAuthority::Source::pem : KeyAuthority::Source::file, value};
}

Result<GitlabIdentity> parse_gitlab(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  SIGIL_TRY(check_map(c, node, path, {"project", "ref", "url", "ciConfig"}));
  GitlabIdentity g;
  SIGIL_TRY_ASSIGN(g.project, required(c, node, path, "project", "the GROUP/PROJECT whose CI signed"));
  SIGIL_TRY_ASSIGN(g.ref, opt_scalar(c, node, path, "ref"));
  SIGIL_TRY_ASSIGN(auto url, opt_scalar(c, node, path, "url"));
  SIGIL_TRY_ASSIGN(auto ci, opt_scalar(c, node, path, "ciConfig"));
  g.url = url.value_or(g.url);
  g.ci_config = ci.value_or(g.ci_config);
  return g;
}

Result<void> parse_matcher_pair(const Ctx& c, const YAML::Node& node, const std::string& path, std::string_view key,
                                std::optional<std::string>& exact, std::optional<std::string>& regexp)
{
  const auto rkey = fmt::format("{}RegExp", key);
  SIGIL_TRY_ASSIGN(exact, opt_scalar(c, node, path, key));
  SIGIL_TRY_ASSIGN(regexp, opt_scalar(c, node, path, rkey));
  if (exact && regexp) {
    return fail(policy_error(c.at(node[rkey], join(path, rkey)), fmt::format("give {} or {}, not both", key, rkey)));
  }
  if (regexp) {
    SIGIL_TRY(check_regexp(c, node[rkey], join(path, rkey), *regexp));
  }
  return {};
}

Result<KeylessAuthority> parse_keyless(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  SIGIL_TRY(check_map(c, node, path, {"issuer", "issuerRegExp", "subject", "subjectRegExp", "gitlab", "extensions"}));
  KeylessAuthority k;
  SIGIL_TRY(parse_matcher_pair(c, node, path, "issuer", k.issuer, k.issuer_regexp));
  SIGIL_TRY(parse_matcher_pair(c, node, path, "subject", k.subject, k.subject_regexp));
  if (const auto g = node["gitlab"]) {
    if (k.issuer || k.issuer_regexp || k.subject || k.subject_regexp) {
      return fail(policy_error(c.at(g, join(path, "gitlab")),
                               "gitlab sets the issuer and the subject: drop issuer/subject or drop gitlab"));
    }
    SIGIL_TRY_ASSIGN(k.gitlab, parse_gitlab(c, g, join(path, "gitlab")));
  } else if (!(k.issuer || k.issuer_regexp) || !(k.subject || k.subject_regexp)) {
    return fail(policy_error(c.at(node, path), "a keyless authority needs issuer (or issuerRegExp) and subject "
                                               "(or subjectRegExp), or gitlab.project"));
  }
  if (const auto ext = node["extensions"]) {
    const auto epath = join(path, "extensions");
    if (!ext.IsMap() || ext.size() == 0) {
      return fail(policy_error(c.at(ext, epath), "expected a mapping of Fulcio extension names to exact values"));
    }
    for (const auto& kv : ext) {
      const auto name = kv.first.Scalar();
      SIGIL_TRY_ASSIGN(auto value, scalar(c, kv.second, join(epath, name)));
      k.extension_where[name] = c.at(kv.first, join(epath, name));
      k.extensions.emplace_back(name, std::move(value));
    }
  }
  return k;
}

std::string default_name(const Authority& a)
{
  if (a.key) {
    switch (a.key->source) {
    case KeyAuthority::Source::file: return "key " + a.key->value;
    case KeyAuthority::Source::env: return "key env://" + a.key->value;
    case KeyAuthority::Source::pem: return "inline key";
    }
  }
  if (a.keyless->gitlab) {
    return "gitlab " + a.keyless->gitlab->project;
  }
  return "keyless " + a.keyless->subject.value_or(a.keyless->subject_regexp.value_or(""));
}

Result<Authority> parse_authority(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  SIGIL_TRY(check_map(c, node, path, {"name", "key", "keyless"}));
  Authority a;
  a.where = c.at(node, path);
  SIGIL_TRY_ASSIGN(auto name, opt_scalar(c, node, path, "name"));
  const auto key = node["key"];
  const auto keyless = node["keyless"];
  if (key && keyless) {
    return fail(policy_error(c.at(keyless, join(path, "keyless")), "an authority is a key or keyless, not both"));
  }
  if (key) {
    SIGIL_TRY_ASSIGN(a.key, parse_key(c, key, join(path, "key")));
  } else if (keyless) {
    SIGIL_TRY_ASSIGN(a.keyless, parse_keyless(c, keyless, join(path, "keyless")));
  } else {
    return fail(policy_error(a.where, "an authority needs \"key\" or \"keyless\""));
  }
  a.name = name.value_or(default_name(a));
  return a;
}

} // namespace

Result<std::optional<Signatures>> parse_signatures(const Ctx& c, const YAML::Node& owner, const std::string& path)
{
  const auto node = owner["signatures"];
  const auto count = owner["count"];
  if (!node) {
    if (count) {
      return fail(policy_error(c.at(count, join(path, "count")), "count without signatures"));
    }
    return std::optional<Signatures>{};
  }
  Signatures s;
  const auto spath = join(path, "signatures");
  s.where = c.at(node, spath);
  SIGIL_TRY_ASSIGN(const auto items, list(c, node, spath));
  std::set<std::string> names;
  for (std::size_t i = 0; i < items.size(); ++i) {
    SIGIL_TRY_ASSIGN(auto a, parse_authority(c, items[i], item(spath, i)));
    if (!names.insert(a.name).second) {
      return fail(policy_error(a.where, fmt::format("authority name \"{}\" is used twice in this list", a.name)));
    }
    s.authorities.push_back(std::move(a));
  }
  if (count) {
    SIGIL_TRY_ASSIGN(s.count, parse_count(c, count, join(path, "count")));
    if (s.count > s.authorities.size()) {
      return fail(policy_error(c.at(count, join(path, "count")),
                               fmt::format("count {} is more than the {} authorities listed", s.count,
                                           s.authorities.size())));
    }
  }
  return std::optional<Signatures>{std::move(s)};
}

} // namespace detail

} // namespace sigil::policy
