// The trust policy reader, document level: the header, spec, rules, attestations, trust.
// yaml-cpp throws; every call into it runs inside parse_trust_policy's try (nothing escapes).
#include "sigil/policy/trust_policy_yaml.hpp"


#include <fmt/format.h>

#include <set>

namespace sigil::policy {

Error policy_error(const Where& where, std::string_view message)
{
  return Error{ErrorCode::bad_input, fmt::format("{}: {}", where.str(), message)};
}

std::string_view mode_name(Mode mode)
{
  switch (mode) {
  case Mode::enforce: return "enforce";
  case Mode::audit: return "audit";
  case Mode::skip: return "skip";
  }
  return "enforce";
}

namespace {

using namespace detail;

Result<void> parse_conditions(const Ctx& c, const YAML::Node& node, const std::string& path, RequiredAttestation& a)
{
  SIGIL_TRY_ASSIGN(const auto items, list(c, node, path));
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto ipath = item(path, i);
    SIGIL_TRY(check_map(c, items[i], ipath, {"path", "equals", "regexp"}));
    SIGIL_TRY_ASSIGN(const auto pointer, required(c, items[i], ipath, "path", "an RFC 6901 JSON pointer"));
    SIGIL_TRY_ASSIGN(const auto equals, opt_scalar(c, items[i], ipath, "equals"));
    SIGIL_TRY_ASSIGN(const auto regexp, opt_scalar(c, items[i], ipath, "regexp"));
    if (equals.has_value() == regexp.has_value()) {
      return fail(policy_error(c.at(items[i], ipath), "give exactly one of equals, regexp"));
    }
    if (pointer.find('=') != std::string::npos) {
      return fail(policy_error(c.at(items[i]["path"], join(ipath, "path")), "a JSON pointer cannot contain \"=\""));
    }
    const auto text = fmt::format("{}={}", pointer, equals ? *equals : *regexp);
    auto condition = parse_condition(text, equals ? Match::exact : Match::regexp);
    if (!condition) {
      const auto field = equals ? "path" : "regexp";
      return fail(policy_error(c.at(items[i][field], join(ipath, field)), condition.error().message));
    }
    a.conditions.push_back(std::move(*condition));
  }
  return {};
}

Result<RequiredAttestation> parse_attestation(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  SIGIL_TRY(check_map(c, node, path, {"name", "predicateType", "signatures", "count", "sourceUri", "sourceRef",
                                      "builderId", "conditions"}));
  RequiredAttestation a;
  a.where = c.at(node, path);
  SIGIL_TRY_ASSIGN(const auto type, required(c, node, path, "predicateType",
                                             "a cosign name (slsaprovenance1, spdxjson, ...) or a URI"));
  a.predicate_type = type;
  a.predicate_type_where = c.at(node["predicateType"], join(path, "predicateType"));
  SIGIL_TRY_ASSIGN(const auto name, opt_scalar(c, node, path, "name"));
  a.name = name.value_or(a.predicate_type);
  SIGIL_TRY_ASSIGN(a.signatures, parse_signatures(c, node, path));
  SIGIL_TRY_ASSIGN(a.provenance.source_uri, opt_scalar(c, node, path, "sourceUri"));
  SIGIL_TRY_ASSIGN(a.provenance.source_ref, opt_scalar(c, node, path, "sourceRef"));
  SIGIL_TRY_ASSIGN(a.provenance.builder_id, opt_scalar(c, node, path, "builderId"));
  if (a.provenance.source_ref && !is_valid_git_ref(normalize_ref(*a.provenance.source_ref)) &&
      a.provenance.source_ref->find('*') == std::string::npos) {
    return fail(policy_error(c.at(node["sourceRef"], join(path, "sourceRef")),
                             "not a git ref (e.g. main, refs/tags/v*)"));
  }
  if (const auto conditions = node["conditions"]) {
    SIGIL_TRY(parse_conditions(c, conditions, join(path, "conditions"), a));
  }
  return a;
}

Result<TrustSettings> parse_trust(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  SIGIL_TRY(check_map(c, node, path, {"trustedRoot", "tuf"}));
  TrustSettings t;
  SIGIL_TRY_ASSIGN(t.trusted_root, opt_scalar(c, node, path, "trustedRoot"));
  if (const auto tuf = node["tuf"]) {
    const auto tpath = join(path, "tuf");
    if (t.trusted_root) {
      return fail(policy_error(c.at(tuf, tpath), "give trustedRoot or tuf, not both"));
    }
    SIGIL_TRY(check_map(c, tuf, tpath, {"mirror", "root"}));
    SIGIL_TRY_ASSIGN(t.tuf_mirror, opt_scalar(c, tuf, tpath, "mirror"));
    SIGIL_TRY_ASSIGN(t.tuf_root, opt_scalar(c, tuf, tpath, "root"));
    if (!t.tuf_mirror && !t.tuf_root) {
      return fail(policy_error(c.at(tuf, tpath), "give mirror and/or root"));
    }
  }
  return t;
}

Result<Mode> parse_mode(const Ctx& c, const YAML::Node& node, const std::string& path)
{
  SIGIL_TRY_ASSIGN(const auto text, scalar(c, node, path));
  for (const auto m : {Mode::enforce, Mode::audit, Mode::skip}) {
    if (text == mode_name(m)) {
      return m;
    }
  }
  return fail(policy_error(c.at(node, path), fmt::format("unknown mode \"{}\": enforce, audit or skip", text)));
}

Result<void> parse_images(const Ctx& c, const YAML::Node& node, const std::string& path, Rule& rule)
{
  SIGIL_TRY_ASSIGN(const auto items, list(c, node, path));
  for (std::size_t i = 0; i < items.size(); ++i) {
    SIGIL_TRY_ASSIGN(const auto text, scalar(c, items[i], item(path, i)));
    auto pattern = parse_image_pattern(text);
    if (!pattern) {
      return fail(policy_error(c.at(items[i], item(path, i)), pattern.error().message));
    }
    rule.images.push_back(std::move(*pattern));
  }
  return {};
}

Result<void> check_rule(const Ctx& c, const YAML::Node& node, const std::string& path, const Rule& rule)
{
  if (rule.mode == Mode::skip) {
    if (rule.signatures || !rule.attestations.empty()) {
      return fail(policy_error(c.at(node["mode"], join(path, "mode")),
                               "mode skip verifies nothing: drop signatures and attestations, or use audit"));
    }
    return {};
  }
  if (!rule.signatures) {
    return fail(policy_error(rule.where, fmt::format("missing \"signatures\": who must have signed (mode {})",
                                                     mode_name(rule.mode))));
  }
  return {};
}

Result<Rule> parse_rule(const Ctx& c, const YAML::Node& node, const std::string& path, bool is_default)
{
  if (is_default) {
    SIGIL_TRY(check_map(c, node, path, {"name", "mode", "signatures", "count", "attestations", "trust"}));
  } else {
    SIGIL_TRY(check_map(c, node, path, {"name", "images", "mode", "signatures", "count", "attestations", "trust"}));
  }
  Rule rule;
  rule.where = c.at(node, path);
  SIGIL_TRY_ASSIGN(const auto name, opt_scalar(c, node, path, "name"));
  rule.name = name.value_or(is_default ? "default" : path);
  if (!is_default) {
    if (!node["images"]) {
      return fail(policy_error(rule.where, "missing \"images\": the image patterns this rule is about"));
    }
    SIGIL_TRY(parse_images(c, node["images"], join(path, "images"), rule));
  }
  if (const auto mode = node["mode"]) {
    SIGIL_TRY_ASSIGN(rule.mode, parse_mode(c, mode, join(path, "mode")));
  }
  SIGIL_TRY_ASSIGN(rule.signatures, parse_signatures(c, node, path));
  if (const auto atts = node["attestations"]) {
    const auto apath = join(path, "attestations");
    SIGIL_TRY_ASSIGN(const auto items, list(c, atts, apath));
    for (std::size_t i = 0; i < items.size(); ++i) {
      SIGIL_TRY_ASSIGN(auto a, parse_attestation(c, items[i], item(apath, i)));
      rule.attestations.push_back(std::move(a));
    }
  }
  if (const auto trust = node["trust"]) {
    SIGIL_TRY_ASSIGN(rule.trust, parse_trust(c, trust, join(path, "trust")));
  }
  SIGIL_TRY(check_rule(c, node, path, rule));
  return rule;
}

Result<void> parse_spec(const Ctx& c, const YAML::Node& spec, TrustPolicy& policy)
{
  SIGIL_TRY(check_map(c, spec, "spec", {"rules", "default"}));
  if (!spec["rules"]) {
    return fail(policy_error(c.at(spec, "spec"), "missing \"rules\": at least one rule"));
  }
  const auto rules = spec["rules"];
  if (rules.IsSequence() && rules.size() > k_max_rules) {
    return fail(policy_error(c.at(rules, "spec.rules"), fmt::format("more than {} rules", k_max_rules)));
  }
  if (!rules.IsSequence() || rules.size() == 0) {
    return fail(policy_error(c.at(rules, "spec.rules"), rules.IsSequence() ? "the list is empty"
                                                                           : "expected a list of rules"));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    SIGIL_TRY_ASSIGN(auto rule, parse_rule(c, rules[i], item("spec.rules", i), false));
    if (!names.insert(rule.name).second) {
      return fail(policy_error(c.at(rules[i]["name"], item("spec.rules", i) + ".name"),
                               fmt::format("rule name \"{}\" is used twice", rule.name)));
    }
    policy.rules.push_back(std::move(rule));
  }
  if (const auto def = spec["default"]) {
    SIGIL_TRY_ASSIGN(policy.default_rule, parse_rule(c, def, "spec.default", true));
  }
  return {};
}

Result<void> parse_header(const Ctx& c, const YAML::Node& root, TrustPolicy& policy)
{
  if (!root.IsMap()) {
    return fail(policy_error(c.at(root, ""), fmt::format("expected a mapping with apiVersion: {}, found {}",
                                                                   k_policy_api_version, kind_name(root))));
  }
  SIGIL_TRY(check_map(c, root, "", {"apiVersion", "kind", "metadata", "spec"}));
  SIGIL_TRY_ASSIGN(const auto api, required(c, root, "", "apiVersion", std::string{k_policy_api_version}));
  if (api != k_policy_api_version) {
    return fail(policy_error(c.at(root["apiVersion"], "apiVersion"),
                             fmt::format("unsupported apiVersion \"{}\": this sigil reads {}", api, k_policy_api_version)));
  }
  SIGIL_TRY_ASSIGN(const auto kind, required(c, root, "", "kind", std::string{k_policy_kind}));
  if (kind != k_policy_kind) {
    return fail(policy_error(c.at(root["kind"], "kind"), fmt::format("kind \"{}\": expected {}", kind, k_policy_kind)));
  }
  if (const auto meta = root["metadata"]) {
    SIGIL_TRY(check_map(c, meta, "metadata", {"name"}));
    SIGIL_TRY_ASSIGN(const auto name, opt_scalar(c, meta, "metadata", "name"));
    policy.name = name.value_or("");
  }
  if (!root["spec"]) {
    return fail(policy_error(c.at(root, ""), "missing \"spec\": the rules"));
  }
  return {};
}

Result<TrustPolicy> parse_document(const Ctx& c, std::string_view text)
{
  std::vector<YAML::Node> docs = YAML::LoadAll(std::string{text});
  if (docs.empty() || docs.front().IsNull()) {
    return fail(ErrorCode::bad_input, fmt::format("{}:1: (document): the policy is empty", c.file));
  }
  if (docs.size() > 1) {
    return fail(policy_error(c.at(docs[1], "(document 2)"), "one policy per file: remove the second YAML document"));
  }
  TrustPolicy policy;
  policy.file = c.file;
  SIGIL_TRY(parse_header(c, docs.front(), policy));
  SIGIL_TRY(parse_spec(c, docs.front()["spec"], policy));
  return policy;
}

} // namespace

Result<TrustPolicy> parse_trust_policy(std::string_view text, std::string_view file)
{
  const Ctx c{std::string{file}};
  if (text.size() > k_max_policy_bytes) {
    return fail(ErrorCode::bad_input, fmt::format("{}: the policy is larger than {} bytes", file, k_max_policy_bytes));
  }
  try {
    return parse_document(c, text);
  } catch (const YAML::Exception& e) {
    const auto line = e.mark.is_null() ? 1 : e.mark.line + 1;
    return fail(ErrorCode::bad_input, fmt::format("{}:{}: not valid YAML: {}", file, line, e.msg));
  } catch (const std::exception& e) {
    return fail(ErrorCode::bad_input, fmt::format("{}: not a valid policy: {}", file, e.what()));
  }
}

Selection TrustPolicy::select(std::string_view image_name_as_written) const
{
  const auto image_name = canonical_image_name(image_name_as_written);
  Selection best;
  for (const auto& rule : rules) {
    for (const auto& pattern : rule.images) {
      if (!pattern_matches(pattern, image_name)) {
        continue;
      }
      if (best.pattern == nullptr || compare_specificity(pattern, *best.pattern) < 0) {
        best = Selection{&rule, &pattern};
      }
    }
  }
  if (best.rule == nullptr && default_rule) {
    best.rule = &*default_rule;
  }
  return best;
}

} // namespace sigil::policy
