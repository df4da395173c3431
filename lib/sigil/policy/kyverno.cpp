// sigil policy export --kyverno: the trust policy as a Kyverno ClusterPolicy (yaml-cpp's emitter).
#include "sigil/policy/kyverno.hpp"

#include <fmt/format.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

namespace sigil::policy {

namespace {

bool is_identifier(std::string_view s)
{
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front())) != 0) {
    return false;
  }
  for (const char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') {
      return false;
    }
  }
  return true;
}

std::string jmes_quoted(std::string_view s)
{
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

// Kyverno's imageReferences: "*" matches any run of characters, "/" included, against the
// whole reference (tag or digest included).
std::vector<std::string> image_references(const Rule& rule, std::vector<std::string>& notes)
{
  std::vector<std::string> refs;
  for (const auto& p : rule.images) {
    std::string k;
    for (std::size_t i = 0; i < p.normalized.size(); ++i) {
      k += p.normalized[i];
      if (p.normalized[i] == '*' && i + 1 < p.normalized.size() && p.normalized[i + 1] == '*') {
        ++i;
      }
    }
    if (p.normalized.find('*') != std::string::npos && p.double_stars == 0) {
      notes.push_back(fmt::format("rule \"{}\": pattern {} becomes {} in Kyverno, whose \"*\" also matches \"/\" "
                                  "(deeper repositories match too)",
                                  rule.name, p.text, k));
    }
    // Kyverno names Docker Hub images docker.io/..., sigil index.docker.io/...
    constexpr std::string_view hub = "index.docker.io/";
    if (k.starts_with(hub)) {
      k = "docker.io/" + k.substr(hub.size());
    }
    refs.push_back(k + ":*");
    refs.push_back(k + "@*");
  }
  return refs;
}

struct Writer {
  YAML::Emitter out;
  const KyvernoInputs& in;
  std::vector<std::string> notes;

  Result<void> keyless(const Rule& rule, const Authority& a)
  {
    const auto& k = *a.keyless;
    out << YAML::Key << "keyless" << YAML::Value << YAML::BeginMap;
    if (k.gitlab) {
      const auto ref = k.gitlab->ref.value_or("*");
      const auto full_ref = ref.starts_with("refs/") || ref == "*" ? ref : "refs/heads/" + ref;
      out << YAML::Key << "issuer" << YAML::Value << k.gitlab->url;
      out << YAML::Key << "subject" << YAML::Value
          << fmt::format("{}/{}//{}@{}", k.gitlab->url, k.gitlab->project, k.gitlab->ci_config, full_ref);
      notes.push_back(fmt::format("rule \"{}\", authority \"{}\": the GitLab source repository and ref extensions "
                                  "(1.3.6.1.4.1.57264.1.12, .14) are not checked by Kyverno; the subject still "
                                  "names the project and ref",
                                  rule.name, a.name));
    } else {
      if (k.subject) {
        out << YAML::Key << "subject" << YAML::Value << *k.subject;
      } else {
        out << YAML::Key << "subjectRegExp" << YAML::Value << fmt::format("^(?:{})$", *k.subject_regexp);
      }
      if (k.issuer) {
        out << YAML::Key << "issuer" << YAML::Value << *k.issuer;
      } else {
        out << YAML::Key << "issuerRegExp" << YAML::Value << fmt::format("^(?:{})$", *k.issuer_regexp);
      }
    }
    for (const auto& [name, value] : k.extensions) {
      notes.push_back(fmt::format("rule \"{}\", authority \"{}\": Fulcio extension {} = {} is not checked by Kyverno",
                                  rule.name, a.name, name, value));
    }
    out << YAML::Key << "rekor" << YAML::Value << YAML::BeginMap << YAML::Key << "url" << YAML::Value
        << "https://rekor.sigstore.dev" << YAML::EndMap;
    out << YAML::EndMap;
    return {};
  }

  Result<void> attestors(const Rule& rule, const Signatures& s)
  {
    out << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "count" << YAML::Value << s.count;
    const auto keyless_authorities = std::ranges::count_if(s.authorities, [](const auto& a) { return !a.key; });
    if (s.count > 1 && keyless_authorities > 1) {
      notes.push_back(fmt::format("rule \"{}\": count {}: Kyverno counts the entries that verify, each on its own, "
                                  "so one keyless identity that several entries accept counts for each of them "
                                  "(sigil counts distinct signers)",
                                  rule.name, s.count));
    }
    out << YAML::Key << "entries" << YAML::Value << YAML::BeginSeq;
    for (const auto& a : s.authorities) {
      out << YAML::BeginMap;
      if (a.key) {
        SIGIL_TRY_ASSIGN(const auto pem, in.key_pem(a));
        out << YAML::Key << "keys" << YAML::Value << YAML::BeginMap << YAML::Key << "publicKeys" << YAML::Value
            << YAML::Literal << pem << YAML::EndMap;
      } else {
        SIGIL_TRY(keyless(rule, a));
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq;
    return {};
  }

  void condition(const Rule& rule, const RequiredAttestation& a, const std::string& pointer,
                 const std::vector<std::string>& tokens, const std::string& value, bool& any)
  {
    const auto path = predicate_jmespath(tokens);
    if (!path) {
      notes.push_back(fmt::format("rule \"{}\", attestation \"{}\": {} is outside the predicate; Kyverno's conditions "
                                  "see only the predicate",
                                  rule.name, a.name, pointer.empty() ? "(the statement)" : pointer));
      return;
    }
    if (!any) {
      out << YAML::Key << "conditions" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "all"
          << YAML::Value << YAML::BeginSeq;
      any = true;
    }
    out << YAML::BeginMap << YAML::Key << "key" << YAML::Value << fmt::format("{{{{ {} }}}}", *path) << YAML::Key
        << "operator" << YAML::Value << "Equals" << YAML::Key << "value" << YAML::Value << value << YAML::EndMap;
  }

  void conditions(const Rule& rule, const RequiredAttestation& a)
  {
    bool any = false;
    const auto& p = a.provenance;
    if (p.builder_id) {
      const bool prefix = p.builder_id->ends_with('/') || p.builder_id->ends_with('*');
      auto value = *p.builder_id;
      if (value.ends_with('*')) {
        value.pop_back();
      }
      condition(rule, a, "/predicate/runDetails/builder/id", {"predicate", "runDetails", "builder", "id"},
                prefix ? value + "*" : value, any);
    }
    if (p.source_uri || p.source_ref) {
      notes.push_back(fmt::format("rule \"{}\", attestation \"{}\": sourceUri/sourceRef are read by sigil from several "
                                  "provenance fields with normalisation (git+ prefixes, .git, @ref); not exported",
                                  rule.name, a.name));
    }
    for (const auto& c : a.conditions) {
      if (c.match == Match::regexp) {
        notes.push_back(fmt::format("rule \"{}\", attestation \"{}\": regexp condition on {} has no Kyverno operator; "
                                    "not exported",
                                    rule.name, a.name, c.pointer));
        continue;
      }
      condition(rule, a, c.pointer, c.tokens, c.expected, any);
    }
    if (any) {
      out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq;
    }
  }

  Result<void> rule(const Rule& r)
  {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << r.name;
    out << YAML::Key << "match" << YAML::Value << YAML::BeginMap << YAML::Key << "any" << YAML::Value << YAML::BeginSeq
        << YAML::BeginMap << YAML::Key << "resources" << YAML::Value << YAML::BeginMap << YAML::Key << "kinds"
        << YAML::Value << YAML::Flow << YAML::BeginSeq << "Pod" << YAML::EndSeq << YAML::EndMap << YAML::EndMap
        << YAML::EndSeq << YAML::EndMap;
    out << YAML::Key << "verifyImages" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "imageReferences" << YAML::Value << image_references(r, notes);
    out << YAML::Key << "failureAction" << YAML::Value << (r.mode == Mode::audit ? "Audit" : "Enforce");
    out << YAML::Key << "mutateDigest" << YAML::Value << true << YAML::Key << "verifyDigest" << YAML::Value << true;
    out << YAML::Key << "required" << YAML::Value << true;
    out << YAML::Key << "attestors" << YAML::Value;
    SIGIL_TRY(attestors(r, *r.signatures));
    if (!r.attestations.empty()) {
      out << YAML::Key << "attestations" << YAML::Value << YAML::BeginSeq;
      for (const auto& a : r.attestations) {
        out << YAML::BeginMap << YAML::Key << "type" << YAML::Value << in.type_uri(a);
        out << YAML::Key << "attestors" << YAML::Value;
        SIGIL_TRY(attestors(r, a.signatures ? *a.signatures : *r.signatures));
        conditions(r, a);
        out << YAML::EndMap;
      }
      out << YAML::EndSeq;
    }
    out << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
    if (!r.trust.empty()) {
      notes.push_back(fmt::format("rule \"{}\": its trust (trusted root / TUF) is not exported; Kyverno uses its own "
                                  "Sigstore trust (set keyless roots, rekor and ctlog keys by hand for a private "
                                  "Sigstore)",
                                  r.name));
    }
    return {};
  }
};

std::string policy_name(const TrustPolicy& policy)
{
  std::string name;
  for (const char c : policy.name.empty() ? std::string{"sigil-trust-policy"} : policy.name) {
    const auto l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    name += std::isalnum(static_cast<unsigned char>(l)) != 0 || l == '-' || l == '.' ? l : '-';
  }
  return name.substr(0, 253);
}

} // namespace

std::optional<std::string> predicate_jmespath(const std::vector<std::string>& tokens)
{
  if (tokens.size() < 2 || tokens.front() != "predicate") {
    return std::nullopt;
  }
  std::string path;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const auto& t = tokens[i];
    if (!t.empty() && t.find_first_not_of("0123456789") == std::string::npos) {
      path += fmt::format("[{}]", t);
    } else {
      path += (path.empty() ? "" : ".") + (is_identifier(t) ? t : jmes_quoted(t));
    }
  }
  return path;
}

Result<KyvernoExport> export_kyverno(const TrustPolicy& policy, const KyvernoInputs& inputs)
{
  Writer w{{}, inputs, {}};
  auto& out = w.out;
  out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "kyverno.io/v1";
  out << YAML::Key << "kind" << YAML::Value << "ClusterPolicy";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value
      << policy_name(policy) << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap << YAML::Key
      << "sigil.dev/exported-from" << YAML::Value << policy.file << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "background" << YAML::Value << false;
  out << YAML::Key << "webhookTimeoutSeconds" << YAML::Value << 30;
  out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (const auto& r : policy.rules) {
    if (r.mode == Mode::skip) {
      w.notes.push_back(fmt::format("rule \"{}\" (mode skip) is not exported; in Kyverno a broader rule may still "
                                    "check its images",
                                    r.name));
      continue;
    }
    SIGIL_TRY(w.rule(r));
  }
  out << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
  if (policy.rules.size() > 1) {
    w.notes.emplace_back("Kyverno applies every rule whose imageReferences match an image (sigil applies only the "
                         "most specific): an image matched by several rules must satisfy all of them in the cluster");
  }
  if (policy.default_rule) {
    w.notes.push_back(fmt::format("spec.default (mode {}) is not exported: Kyverno does not check images no rule "
                                  "names",
                                  mode_name(policy.default_rule->mode)));
  } else {
    w.notes.emplace_back("images no rule matches are rejected by sigil, but admitted by this ClusterPolicy (Kyverno "
                         "has no default rule for verifyImages)");
  }
  if (!out.good()) {
    return fail(ErrorCode::internal, fmt::format("writing the Kyverno policy: {}", out.GetLastError()));
  }
  return KyvernoExport{std::string{out.c_str()} + "\n", std::move(w.notes)};
}

} // namespace sigil::policy
