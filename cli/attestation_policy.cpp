#include "attestation_policy.hpp"

#include "output.hpp"
#include "predicate_flags.hpp"

#include "sigil/intoto/statement.hpp"
#include "sigil/verify/trust.hpp"

#include <fmt/format.h>

namespace sigil::cli {

void add_policy_flags(CLI::App* app, PolicyFlags& o)
{
  app->add_option("--key", o.keys, "Trusted public key (path or env://VAR); repeat for key rotation");
  app->add_option("--type", o.type, "Predicate type required: one of the names listed, or a URI")
      ->type_name(predicate_type_choices())
      ->capture_default_str();
  app->add_option("--source-uri", o.source_uri, "Provenance: the source repository (e.g. gitlab.com/group/project)");
  app->add_option("--source-ref", o.source_ref,
                  "Provenance: branch or tag (refs/tags/v* globs allowed; a name without refs/ is the tag or the branch)");
  app->add_option("--builder-id", o.builder_id, "Provenance: builder id (exact; a prefix when it ends with / or *)");
  app->add_option("--match", o.match, "POINTER=VALUE: RFC 6901 JSON pointer into the statement must equal VALUE");
  app->add_option("--match-regexp", o.match_regexp, "POINTER=REGEXP: value must match REGEXP (anchored)");
  app->add_option("-o,--output", o.output, "Verified statements on stdout as json lines, or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  app->add_flag("--explain", o.explain, "One line per attestation considered, with why it was accepted or rejected");
  app->add_option("--check-claims", o.check_claims, "Check that the statement's subject is this digest")
      ->capture_default_str();
  add_keyless_flags(app, o.keyless);
}

Result<PolicyRequest> policy_request(const PolicyFlags& o)
{
  PolicyRequest p;
  if (o.keys.empty() && !o.keyless.wants_keyless()) {
    return fail(ErrorCode::usage, "say who you trust: --key PUBLIC_KEY, or --certificate-identity and "
                                  "--certificate-oidc-issuer (keyless), or --gitlab-project GROUP/PROJECT");
  }
  SIGIL_TRY_ASSIGN(p.keys, verify::load_trusted_keys(o.keys));
  verify::prewarm(p.keys); // while libcurl loads on the preload thread (main.cpp)
  SIGIL_TRY_ASSIGN(p.keyless, make_keyless_setup(o.keyless));
  if (o.keyless.wants_keyless() && !p.keyless.policy.identity.complete()) {
    return fail(ErrorCode::usage, "keyless verification needs --certificate-identity (or -regexp) and "
                                  "--certificate-oidc-issuer (or -regexp), or --gitlab-project");
  }
  SIGIL_TRY_ASSIGN(p.predicate_type, intoto::predicate_type_uri(o.type));
  for (const auto& [list, match] :
       {std::pair{&o.match, policy::Match::exact}, std::pair{&o.match_regexp, policy::Match::regexp}}) {
    for (const auto& text : *list) {
      SIGIL_TRY_ASSIGN(auto condition, policy::parse_condition(text, match));
      p.policy.conditions.push_back(std::move(condition));
    }
  }
  auto opt = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); };
  p.policy.provenance = {opt(o.source_uri), opt(o.source_ref), opt(o.builder_id)};
  return p;
}

namespace {

void print_reasons(const std::vector<verify::SignatureReport>& reports)
{
  for (const auto& r : reports) {
    print_info("  {} {}: {}", r.verified ? "accepted" : "rejected", r.source, r.reason);
  }
}

// text: one line per verified attestation, type and subjects.
void print_statement_line(const intoto::Statement& statement)
{
  std::string subjects;
  for (const auto& sub : statement.subjects) {
    const auto hex = sub.digest.find("sha256");
    subjects += fmt::format("{}{}{}", subjects.empty() ? "" : ", ", sub.name,
                            hex == sub.digest.end() || hex->second.empty() ? "" : "@sha256:" + hex->second);
  }
  print_text("{} {}\n", statement.predicate_type, subjects);
}

} // namespace

Result<int> render_decision(const PolicyFlags& o, const std::string& subject,
                            const std::vector<verify::SignatureReport>& reports,
                            const verify::AttestationDecision& decision, const std::string& predicate_type)
{
  if (o.explain) {
    print_reasons(reports);
  }
  for (const auto& w : decision.warnings) {
    print_warning("{}", w);
  }
  if (!decision.ok) {
    if (!o.explain) {
      print_reasons(reports);
    }
    return fail(decision.code, fmt::format("{}: {}", subject, decision.message));
  }
  print_info("\nVerification for {} --\nThe following checks were performed on each of these attestations:", subject);
  if (!o.keys.empty()) {
    print_info("  - The DSSE signature was verified against the specified public key(s)");
  }
  if (o.keyless.wants_keyless()) {
    print_info("  - Keyless: the certificate chains to a trusted Fulcio CA at the verified signing time, its SCT and "
               "transparency log entry verify, and its identity matches");
  }
  if (o.check_claims) {
    print_info("  - The statement's subject is this digest");
  } else {
    print_warning("--check-claims=false: the statement's subject was NOT checked against the digest");
  }
  print_info("  - The signed predicate type is {}", predicate_type);
  for (const auto& c : decision.checks) {
    print_info("  - {}", c);
  }
  for (const auto i : decision.passed) {
    if (o.output == "json") {
      print_result(reports[i].payload + "\n"); // parsed as strict JSON by the library: no raw control bytes
    } else if (reports[i].statement) {
      print_statement_line(*reports[i].statement);
    }
  }
  return 0;
}

} // namespace sigil::cli
