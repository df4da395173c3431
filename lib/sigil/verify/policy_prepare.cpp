// prepare_policy: the trust material each rule names, loaded once and kept immutable.
#include "sigil/verify/policy_eval.hpp"

#include "sigil/crypto/key.hpp"
#include "sigil/crypto/key_file.hpp"
#include "sigil/intoto/statement.hpp"

#include <fmt/format.h>

namespace sigil::verify {

const PreparedRule* PreparedPolicy::prepared(const policy::Rule* rule) const
{
  if (rule == nullptr) {
    return nullptr;
  }
  if (default_rule && default_rule->rule == rule) {
    return &*default_rule;
  }
  for (const auto& r : rules) {
    if (r.rule == rule) {
      return &r;
    }
  }
  return nullptr;
}

namespace {

using policy::policy_error;

std::string resolve_path(const PrepareOptions& o, const std::string& path)
{
  const std::filesystem::path p{path};
  return p.is_absolute() || o.base_dir.empty() ? path : (o.base_dir / p).string();
}

Result<crypto::PublicKey> load_key(const PrepareOptions& o, const policy::Authority& a)
{
  const auto& k = *a.key;
  const auto where = a.where.path.empty() ? a.where : policy::Where{a.where.file, a.where.line, a.where.path + ".key"};
  Result<crypto::PublicKey> key = fail(ErrorCode::internal, "unreachable");
  switch (k.source) {
  case policy::KeyAuthority::Source::file: key = crypto::load_public_key(resolve_path(o, k.value)); break;
  case policy::KeyAuthority::Source::env: key = crypto::load_public_key("env://" + k.value); break;
  case policy::KeyAuthority::Source::pem: key = crypto::PublicKey::from_pem(k.value); break;
  }
  if (!key) {
    return fail(policy_error(where, key.error().message));
  }
  return key;
}

Result<keyless::ValueMatcher> matcher(const std::optional<std::string>& exact, const std::optional<std::string>& regexp)
{
  if (exact) {
    return keyless::ValueMatcher::exact(*exact);
  }
  return keyless::ValueMatcher::regexp(*regexp);
}

Result<keyless::IdentityPolicy> make_identity(const policy::Authority& a)
{
  const auto& k = *a.keyless;
  keyless::IdentityPolicy id;
  const policy::Where where{a.where.file, a.where.line, a.where.path + ".keyless"};
  if (k.gitlab) {
    auto done = keyless::add_gitlab_shorthand(
      id, {.project = k.gitlab->project, .ref = k.gitlab->ref, .url = k.gitlab->url, .ci_config = k.gitlab->ci_config});
    if (!done) {
      return fail(policy_error({where.file, where.line, where.path + ".gitlab"}, done.error().message));
    }
  } else {
    SIGIL_TRY_ASSIGN(id.subject, matcher(k.subject, k.subject_regexp));
    SIGIL_TRY_ASSIGN(id.issuer, matcher(k.issuer, k.issuer_regexp));
  }
  for (const auto& [name, value] : k.extensions) {
    const keyless::ExtensionInfo* found = nullptr;
    std::string known;
    for (const auto& info : keyless::known_extensions()) {
      known += fmt::format("{}{}", known.empty() ? "" : ", ", info.json);
      if (info.json == name && info.oid_n != 8) {
        found = &info;
      }
    }
    if (found == nullptr) {
      return fail(policy_error(k.extension_where.at(name),
                               fmt::format("unknown Fulcio extension \"{}\" (known: {}; the issuer has its own field)",
                                           name, known)));
    }
    id.extensions.push_back({found->oid_n, keyless::ValueMatcher::exact(value)});
  }
  return id;
}

struct RuleBuilder {
  const PrepareOptions& options;
  PreparedRule& out;
  bool keyless = false;

  // The index of the key in out.keys; a key already named (by another authority of the rule or
  // of an attestation) keeps its index, so that a signature's key_index names it whichever named it.
  Result<std::size_t> add_key(const policy::Authority& a)
  {
    SIGIL_TRY_ASSIGN(auto key, load_key(options, a));
    for (std::size_t i = 0; i < out.keys.size(); ++i) {
      if (out.keys[i].key.same_key(key)) {
        return i;
      }
    }
    out.keys.push_back({a.name, std::move(key)});
    return out.keys.size() - 1;
  }

  Result<PreparedSignatures> signatures(const policy::Signatures& s)
  {
    PreparedSignatures p;
    p.count = s.count;
    for (const auto& a : s.authorities) {
      PreparedAuthority pa{a.name, a.where, std::nullopt, std::nullopt};
      if (a.key) {
        SIGIL_TRY_ASSIGN(pa.key_index, add_key(a));
        for (const auto& earlier : p.authorities) {
          if (earlier.key_index == pa.key_index) {
            return fail(policy_error(a.where, fmt::format("the same key as authority \"{}\": N of M counts distinct "
                                                          "keys, list each key once",
                                                          earlier.name)));
          }
        }
      } else {
        SIGIL_TRY_ASSIGN(pa.identity, make_identity(a));
        keyless = true;
      }
      p.authorities.push_back(std::move(pa));
    }
    return p;
  }

  Result<PreparedAttestation> attestation(const policy::RequiredAttestation& a, const PreparedSignatures& rule_sigs)
  {
    PreparedAttestation p;
    p.name = a.name;
    auto uri = intoto::predicate_type_uri(a.predicate_type);
    if (!uri) {
      return fail(policy_error(a.predicate_type_where, uri.error().message));
    }
    p.predicate_type = std::move(*uri);
    p.policy.conditions = a.conditions;
    p.policy.provenance = a.provenance;
    if (a.signatures) {
      SIGIL_TRY_ASSIGN(p.signatures, signatures(*a.signatures));
    } else {
      p.signatures = rule_sigs;
    }
    return p;
  }
};

Result<std::shared_ptr<const trust::TrustedRoot>> load_rule_root(const PrepareOptions& o, const policy::Rule& rule)
{
  if (rule.trust.trusted_root) {
    auto root = trust::load_trusted_root_file(resolve_path(o, *rule.trust.trusted_root));
    if (!root) {
      return fail(policy_error({rule.where.file, rule.where.line, rule.where.path + ".trust.trustedRoot"},
                               root.error().message));
    }
    return std::make_shared<const trust::TrustedRoot>(std::move(*root));
  }
  if (!o.load_root) {
    return fail(policy_error(rule.where, "a keyless authority needs a trusted root: set trust.trustedRoot"));
  }
  auto root = o.load_root(rule.trust);
  if (!root) {
    return fail(root.error().context(fmt::format("{}: the trusted root for rule \"{}\"", rule.where.str(), rule.name)));
  }
  return root;
}

Result<PreparedRule> prepare_rule(const PrepareOptions& o, const policy::Rule& rule)
{
  PreparedRule out;
  out.rule = &rule;
  RuleBuilder b{o, out};
  if (rule.signatures) {
    SIGIL_TRY_ASSIGN(out.signatures, b.signatures(*rule.signatures));
  }
  for (const auto& a : rule.attestations) {
    SIGIL_TRY_ASSIGN(auto att, b.attestation(a, out.signatures));
    out.attestations.push_back(std::move(att));
  }
  out.sigstore.keys = out.keys;
  if (b.keyless) {
    // Verify every certificate once under the rule's root, whoever it names; each keyless
    // authority is then matched against the verified identity (keyless::check_identity).
    out.sigstore.identity.subject = *keyless::ValueMatcher::regexp(".+");
    out.sigstore.identity.issuer = *keyless::ValueMatcher::regexp(".+");
    if (o.load_roots) {
      SIGIL_TRY_ASSIGN(out.root, load_rule_root(o, rule));
      out.sigstore.root = out.root.get();
    }
  }
  return out;
}

} // namespace

Result<std::shared_ptr<const PreparedPolicy>> prepare_policy(policy::TrustPolicy policy, const PrepareOptions& options)
{
  auto prepared = std::make_shared<PreparedPolicy>();
  prepared->policy = std::move(policy);
  for (const auto& rule : prepared->policy.rules) {
    if (rule.mode == policy::Mode::skip) {
      prepared->rules.push_back(PreparedRule{.rule = &rule});
      continue;
    }
    SIGIL_TRY_ASSIGN(auto r, prepare_rule(options, rule));
    prepared->rules.push_back(std::move(r));
  }
  if (prepared->policy.default_rule) {
    const auto& rule = *prepared->policy.default_rule;
    if (rule.mode == policy::Mode::skip) {
      prepared->default_rule = PreparedRule{.rule = &rule};
    } else {
      SIGIL_TRY_ASSIGN(prepared->default_rule, prepare_rule(options, rule));
    }
  }
  return std::shared_ptr<const PreparedPolicy>{std::move(prepared)};
}

} // namespace sigil::verify
