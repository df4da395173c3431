// sigil policy check: what each rule requires, in words.
#include "sigil/policy/trust_policy.hpp"

#include <fmt/format.h>

namespace sigil::policy {

namespace {

std::string describe_authority(const Authority& a)
{
  if (a.key) {
    switch (a.key->source) {
    case KeyAuthority::Source::file: return fmt::format("\"{}\": a signature verifying with the key in {}", a.name, a.key->value);
    case KeyAuthority::Source::env: return fmt::format("\"{}\": a signature verifying with the key in ${}", a.name, a.key->value);
    case KeyAuthority::Source::pem: return fmt::format("\"{}\": a signature verifying with the inline key", a.name);
    }
  }
  const auto& k = *a.keyless;
  if (k.gitlab) {
    return fmt::format("\"{}\": a keyless signature by GitLab CI of {} at {} (ref {}, CI config {})", a.name,
                       k.gitlab->project, k.gitlab->url, k.gitlab->ref.value_or("any"), k.gitlab->ci_config);
  }
  auto who = k.subject ? fmt::format("subject {}", *k.subject) : fmt::format("subject matching /{}/", *k.subject_regexp);
  auto by = k.issuer ? fmt::format("issuer {}", *k.issuer) : fmt::format("issuer matching /{}/", *k.issuer_regexp);
  std::string ext;
  for (const auto& [name, value] : k.extensions) {
    ext += fmt::format(", {} = {}", name, value);
  }
  return fmt::format("\"{}\": a keyless signature with certificate {}, {}{}", a.name, who, by, ext);
}

void describe_signatures(const Signatures& s, const std::string& indent, std::vector<std::string>& out)
{
  const auto n = s.authorities.size();
  if (n == 1) {
    out.push_back(fmt::format("{}signed by:", indent));
  } else if (s.count == 1) {
    out.push_back(fmt::format("{}signed by any one of these {}:", indent, n));
  } else {
    out.push_back(fmt::format("{}signed by at least {} of these {}:", indent, s.count, n));
  }
  for (const auto& a : s.authorities) {
    out.push_back(fmt::format("{}  - {}", indent, describe_authority(a)));
  }
}

void describe_attestation(const RequiredAttestation& a, std::vector<std::string>& out)
{
  out.push_back(fmt::format("  requires an attestation \"{}\" of type {}", a.name, a.predicate_type));
  if (a.signatures) {
    describe_signatures(*a.signatures, "    ", out);
  } else {
    out.push_back("    signed as the rule's signatures are (same authorities, same count)");
  }
  const auto& p = a.provenance;
  if (p.source_uri) {
    out.push_back(fmt::format("    built from source {}", *p.source_uri));
  }
  if (p.source_ref) {
    out.push_back(fmt::format("    at ref {}", *p.source_ref));
  }
  if (p.builder_id) {
    out.push_back(fmt::format("    by builder {}", *p.builder_id));
  }
  for (const auto& c : a.conditions) {
    out.push_back(fmt::format("    where {} {} {}", c.pointer.empty() ? "(the statement)" : c.pointer,
                              c.match == Match::exact ? "equals" : "matches regexp", c.expected));
  }
}

void describe_rule(const Rule& r, std::vector<std::string>& out)
{
  std::string images;
  for (const auto& p : r.images) {
    images += fmt::format("{}{}", images.empty() ? "" : ", ", p.normalized);
  }
  out.push_back(r.is_default() ? fmt::format("default rule \"{}\" (images no other rule matches), mode {}", r.name,
                                             mode_name(r.mode))
                               : fmt::format("rule \"{}\" for {}, mode {}", r.name, images, mode_name(r.mode)));
  if (r.mode == Mode::skip) {
    out.push_back("  nothing is verified: every image passes");
    return;
  }
  if (r.mode == Mode::audit) {
    out.push_back("  failures are reported but do not fail the verification");
  }
  describe_signatures(*r.signatures, "  ", out);
  for (const auto& a : r.attestations) {
    describe_attestation(a, out);
  }
  if (r.trust.trusted_root) {
    out.push_back(fmt::format("  keyless trust: the trusted root {}", *r.trust.trusted_root));
  } else if (!r.trust.empty()) {
    out.push_back(fmt::format("  keyless trust: TUF mirror {}{}", r.trust.tuf_mirror.value_or("(default)"),
                              r.trust.tuf_root ? " with root " + *r.trust.tuf_root : ""));
  }
}

} // namespace

std::vector<std::string> describe_policy(const TrustPolicy& policy)
{
  std::vector<std::string> out;
  for (const auto& r : policy.rules) {
    describe_rule(r, out);
  }
  if (policy.default_rule) {
    describe_rule(*policy.default_rule, out);
  } else {
    out.emplace_back("images no rule matches are rejected (no spec.default)");
  }
  return out;
}

} // namespace sigil::policy
