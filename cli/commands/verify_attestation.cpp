// sigil verify-attestation, sigil verify-blob-attestation
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/intoto/statement.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"
#include "sigil/verify/attestation.hpp"
#include "sigil/verify/trust.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string target;
  std::vector<std::string> keys;
  std::string type = "custom";
  std::string source_uri;
  std::string source_ref;
  std::string builder_id;
  std::vector<std::string> match;
  std::vector<std::string> match_regexp;
  std::string output = "json";
  bool explain = false;
  bool check_claims = true;
  std::string bundle;
  RegistryFlags registry;
};

void add_policy_flags(CLI::App* app, Options& o)
{
  app->add_option("--key", o.keys, "Trusted public key (path or env://VAR); repeat for key rotation")->required();
  app->add_option("--type", o.type, "Predicate type required (cosign name or URI)")->capture_default_str();
  app->add_option("--source-uri", o.source_uri, "Provenance: the source repository (e.g. gitlab.com/group/project)");
  app->add_option("--source-ref", o.source_ref, "Provenance: branch or tag (refs/tags/v* globs allowed)");
  app->add_option("--builder-id", o.builder_id, "Provenance: builder id (exact; a prefix when it ends with / or *)");
  app->add_option("--match", o.match, "POINTER=VALUE: RFC 6901 JSON pointer into the statement must equal VALUE");
  app->add_option("--match-regexp", o.match_regexp, "POINTER=REGEXP: value must match REGEXP (anchored)");
  app->add_option("-o,--output", o.output, "Verified statements on stdout as json lines, or text")
    ->check(CLI::IsMember({"json", "text"}))
    ->capture_default_str();
  app->add_flag("--explain", o.explain, "One line per attestation considered, with why it was accepted or rejected");
  app->add_option("--check-claims", o.check_claims, "Check that the statement's subject is this digest")
    ->capture_default_str();
}

struct Prepared {
  std::vector<verify::TrustedKey> keys;
  std::string type_uri;
  verify::AttestationPolicy policy;
};

Result<Prepared> prepare(const Options& o)
{
  Prepared p;
  SIGIL_TRY_ASSIGN(p.keys, verify::load_trusted_keys(o.keys));
  auto uri = intoto::predicate_type_uri(o.type);
  if (!uri) {
    return fail(uri.error());
  }
  p.type_uri = *uri;
  for (const auto& [list, match] : {std::pair{&o.match, policy::Match::exact}, std::pair{&o.match_regexp, policy::Match::regexp}}) {
    for (const auto& text : *list) {
      auto c = policy::parse_condition(text, match);
      if (!c) {
        return fail(c.error());
      }
      p.policy.conditions.push_back(std::move(*c));
    }
  }
  auto opt = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); };
  p.policy.provenance = {opt(o.source_uri), opt(o.source_ref), opt(o.builder_id)};
  return p;
}

Result<int> render(const Options& o, const std::string& subject, const std::vector<verify::SignatureReport>& reports,
                   const Prepared& p)
{
  if (o.explain) {
    for (const auto& r : reports) {
      print_info("  {} {}: {}", r.verified ? "accepted" : "rejected", r.source, r.reason);
    }
  }
  const auto decision = verify::decide(reports, p.type_uri, p.policy);
  for (const auto& w : decision.warnings) {
    print_warning("{}", w);
  }
  if (!decision.ok) {
    if (!o.explain) {
      for (const auto& r : reports) {
        print_info("  {} {}: {}", r.verified ? "accepted" : "rejected", r.source, r.reason);
      }
    }
    return fail(decision.code, fmt::format("{}: {}", subject, decision.message));
  }
  print_info("\nVerification for {} --\nThe following checks were performed on each of these attestations:", subject);
  print_info("  - The DSSE signature was verified against the specified public key(s)");
  if (o.check_claims) {
    print_info("  - The statement's subject is this digest");
  } else {
    print_warning("--check-claims=false: the statement's subject was NOT checked against the digest");
  }
  print_info("  - The signed predicate type is {}", p.type_uri);
  for (const auto& c : decision.checks) {
    print_info("  - {}", c);
  }
  for (const auto& s : decision.statements) {
    if (o.output == "json") {
      print_result(s + "\n"); // parsed as strict JSON by the library: no raw control bytes
      continue;
    }
    // text: one line per verified attestation, type and subjects.
    auto doc = util::parse_json(s);
    std::string subjects;
    if (doc && doc->contains("subject") && (*doc)["subject"].is_array()) {
      for (const auto& sub : (*doc)["subject"]) {
        const std::string name = sub.value("name", "");
        const std::string hex = sub.contains("digest") && sub["digest"].is_object() ? sub["digest"].value("sha256", "") : "";
        subjects += fmt::format("{}{}{}", subjects.empty() ? "" : ", ", name, hex.empty() ? "" : "@sha256:" + hex);
      }
    }
    print_text("{} {}\n", doc ? doc->value("predicateType", "") : "", subjects);
  }
  return 0;
}

Result<int> run_image(const Options& o, const GlobalOptions& global)
{
  auto p = prepare(o);
  if (!p) {
    return fail(p.error());
  }
  auto ref = parse_image(o.target);
  if (!ref) {
    return fail(ref.error());
  }
  auto session = open_session(o.registry, global);
  auto result = verify::verify_image_attestations(session->client(),
                                                  {.image = *ref,
                                                   .signature_repo = std::nullopt,
                                                   .keys = p->keys,
                                                   .predicate_type = p->type_uri,
                                                   .check_claims = o.check_claims});
  if (!result) {
    return fail(result.error());
  }
  return render(o, result->image.str(), result->attestations, *p);
}

Result<int> run_blob(const Options& o)
{
  auto p = prepare(o);
  if (!p) {
    return fail(p.error());
  }
  auto json = util::read_file(o.bundle, std::uint64_t{32} << 20);
  if (!json) {
    return fail(json.error());
  }
  auto reports = verify::verify_blob_attestation(
    {.input = o.target, .keys = p->keys, .bundle_json = *json, .predicate_type = p->type_uri, .check_claims = o.check_claims});
  if (!reports) {
    return fail(reports.error().context(fmt::format("verifying {}", o.target)));
  }
  auto status = render(o, o.target, *reports, *p);
  if (status && *status == 0) {
    print_info("Verified OK");
  }
  return status;
}

} // namespace

void register_verify_attestation(Commands& commands)
{
  auto* app = commands.add(
    "verify-attestation",
    "Verify an image's attestations of a type, and check provenance and policy conditions on the signed statement.\n"
    "Exit: 0 ok, 12 none verified, 14 no attestation of the type, 15 verified but a condition failed.",
    "  sigil verify-attestation registry.example.com/app@sha256:... --key sigil.pub --type slsaprovenance1 \\\n"
    "      --source-uri gitlab.com/group/project --source-ref 'refs/tags/v*'\n"
    "  sigil verify-attestation IMAGE --key sigil.pub --type spdxjson --match /predicate/spdxVersion=SPDX-2.3\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->target, "Image reference")->required();
  add_policy_flags(app, *o);
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()] { return run_image(*o, global); });
}

void register_verify_blob_attestation(Commands& commands)
{
  auto* app = commands.add(
    "verify-blob-attestation",
    "Verify a file's attestation bundle (Sigstore bundle with a DSSE envelope, as attest-blob and cosign write).",
    "  sigil verify-blob-attestation app.tar.gz --key sigil.pub --bundle app.intoto.json --type slsaprovenance1\n");
  auto o = std::make_shared<Options>();
  app->add_option("file", o->target, "File the attestation is about, or - for stdin")->required();
  app->add_option("--bundle", o->bundle, "The attestation bundle")->required();
  add_policy_flags(app, *o);
  commands.set_run(app, [o] { return run_blob(*o); });
}

} // namespace sigil::cli
