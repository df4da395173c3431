// sigil policy check | test | init | export: the trust policy file (sigil-policy(5)).
#include "command.hpp"
#include "exit_status.hpp"
#include "output.hpp"
#include "policy_file.hpp"
#include "registry_flags.hpp"

#include "sigil/policy/kyverno.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

#include <map>

namespace sigil::cli {

namespace {

Result<int> run_check(const std::string& path)
{
  SIGIL_TRY_ASSIGN(const auto prepared, load_policy_file(path, false));
  for (const auto& line : policy::describe_policy(prepared->policy)) {
    print_text("{}\n", line);
  }
  print_info("{}: valid, {} rule(s){}", path, prepared->policy.rules.size(),
             prepared->policy.default_rule ? " and a default" : "");
  return 0;
}

struct TestOptions {
  std::string policy;
  std::string image;
  std::string expect;
  bool explain = false;
  RegistryFlags registry;
};

// The expectation is about what the rule finds: audit-fail counts as fail, skipped as pass.
Result<int> run_test(const TestOptions& o, const GlobalOptions& global)
{
  SIGIL_TRY_ASSIGN(const auto prepared, load_policy_file(o.policy));
  SIGIL_TRY_ASSIGN(const auto ref, parse_image(o.image));
  auto session = open_session(o.registry, global);
  const auto v = verify::evaluate_image(session->client(), *prepared, ref);
  print_verdict(v, o.explain);
  const bool failed = v.outcome == verify::PolicyOutcome::fail || v.outcome == verify::PolicyOutcome::audit_fail;
  if (failed && v.code != ErrorCode::policy_failed) {
    return fail(v.code, fmt::format("{}: could not be verified, so the expectation was not tested: {}", o.image,
                                    v.reason));
  }
  const auto got = failed ? "fail" : "pass";
  if (got != o.expect) {
    return fail(ErrorCode::policy_failed,
                fmt::format("{}: expected {}, got {} ({})", o.image, o.expect, verify::outcome_name(v.outcome), v.reason));
  }
  print_info("ok: {} {} as expected ({})", o.image, o.expect, verify::outcome_name(v.outcome));
  return 0;
}

struct InitOptions {
  std::vector<std::string> keys;
  std::string identity;
  std::string issuer;
  std::vector<std::string> images;
};

std::string q(const std::string& s)
{
  return util::Json(s).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

Result<int> run_init(const InitOptions& o)
{
  if (o.keys.empty() && o.identity.empty()) {
    return fail(ErrorCode::usage, "say who signs: --key PUBLIC_KEY, or --certificate-identity and "
                                  "--certificate-oidc-issuer");
  }
  if (o.identity.empty() != o.issuer.empty()) {
    return fail(ErrorCode::usage, "--certificate-identity and --certificate-oidc-issuer go together");
  }
  std::string images;
  for (const auto& i : o.images.empty() ? std::vector<std::string>{"**"} : o.images) {
    SIGIL_TRY_CONTEXT(policy::parse_image_pattern(i), fmt::format("--image {}", i));
    images += fmt::format("{}{}", images.empty() ? "" : ", ", q(i));
  }
  std::string text = "# sigil trust policy (sigil-policy(5)); check it with: sigil policy check FILE\n"
                     "apiVersion: sigil.dev/v1\nkind: TrustPolicy\nmetadata:\n  name: starter\nspec:\n  rules:\n"
                     "    - name: images\n      images: [" + images + "]\n      mode: enforce\n"
                     "      # count: 2   # how many of the authorities below must have signed (default: any one)\n"
                     "      signatures:\n";
  for (const auto& k : o.keys) {
    text += fmt::format("        - key: {}\n", q(k));
  }
  if (!o.identity.empty()) {
    text += fmt::format("        - keyless:\n            issuer: {}\n            subject: {}\n", q(o.issuer), q(o.identity));
  }
  text += "      # attestations:\n      #   - predicateType: slsaprovenance1\n"
          "      #     sourceUri: gitlab.com/group/project\n      #     sourceRef: 'refs/tags/v*'\n"
          "  # Images no rule matches are rejected; to let them through unverified:\n"
          "  # default: {mode: skip}\n";
  SIGIL_TRY_CONTEXT(policy::parse_trust_policy(text, "(starter policy)"), "internal: the starter policy");
  print_result(text);
  return 0;
}

Result<int> run_export(const std::string& path)
{
  SIGIL_TRY_ASSIGN(const auto prepared, load_policy_file(path, false));
  std::map<std::string, std::string> pem;  // authority path -> PEM
  std::map<std::string, std::string> type; // attestation path -> predicate type URI
  const auto collect = [&](const verify::PreparedRule& r, const verify::PreparedSignatures& s) {
    for (const auto& a : s.authorities) {
      if (a.key_index) {
        pem[a.where.path] = r.keys[*a.key_index].key.pem();
      }
    }
  };
  for (const auto& rule : prepared->rules) {
    collect(rule, rule.signatures);
    for (std::size_t i = 0; i < rule.attestations.size(); ++i) {
      collect(rule, rule.attestations[i].signatures);
      type[rule.rule->attestations[i].where.path] = rule.attestations[i].predicate_type;
    }
  }
  SIGIL_TRY_ASSIGN(const auto exported,
                   policy::export_kyverno(
                     prepared->policy,
                     {.key_pem = [&](const policy::Authority& a) -> Result<std::string> {
                        const auto it = pem.find(a.where.path);
                        if (it == pem.end()) {
                          return fail(ErrorCode::internal, fmt::format("{}: key not loaded", a.where.str()));
                        }
                        return it->second;
                      },
                      .type_uri = [&](const policy::RequiredAttestation& a) { return type.at(a.where.path); }}));
  for (const auto& note : exported.unexpressed) {
    print_note("not expressed in Kyverno: {}", note);
  }
  print_result(exported.yaml);
  return 0;
}

void register_test(Commands& commands, CLI::App* parent)
{
  auto* app = parent->add_subcommand("test", "Verify one image under the policy and compare with --expect: exit 0 "
                                             "when it holds, 15 when not");
  app->footer("\nExamples:\n  sigil policy test trust-policy.yaml --image registry.example.com/app:1.2 --expect pass\n"
              "  sigil policy test trust-policy.yaml --image registry.example.com/unsigned:1 --expect fail\n"
              "Exit: 0 the expectation holds, 15 it does not, 11/20/21 the image could not be read, 30 invalid policy.\n"
              "audit-fail counts as fail and skipped as pass: the test is about what the rule finds.\n");
  app->fallthrough();
  commands.add_nested(app);
  auto o = std::make_shared<TestOptions>();
  app->add_option("policy", o->policy, "Trust policy file")->required();
  app->add_option("--image", o->image, "Image to verify under the policy")->required();
  app->add_option("--expect", o->expect, "What the policy should decide")
    ->required()
    ->check(CLI::IsMember({"pass", "fail"}));
  app->add_flag("--explain", o->explain, "Also list every signature and attestation considered");
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()] { return run_test(*o, global); });
}

void register_init(Commands& commands, CLI::App* parent)
{
  auto* app = parent->add_subcommand("init", "Write a starter policy to stdout");
  app->footer("\nExamples:\n  sigil policy init --key cosign.pub --image 'registry.example.com/team/**' > trust-policy.yaml\n"
              "  sigil policy init --certificate-identity https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main \\\n"
              "      --certificate-oidc-issuer https://gitlab.com\n");
  app->fallthrough();
  commands.add_nested(app);
  auto o = std::make_shared<InitOptions>();
  app->add_option("--key", o->keys, "A trusted public key (path or env://VAR); repeat for several");
  app->add_option("--certificate-identity", o->identity, "A keyless signer: the certificate identity (SAN)");
  app->add_option("--certificate-oidc-issuer", o->issuer, "A keyless signer: the OIDC issuer");
  app->add_option("--image", o->images, "Image pattern of the rule (registry/repository glob; default **)");
  commands.set_run(app, [o] { return run_init(*o); });
}

void register_path_action(Commands& commands, CLI::App* parent, const std::string& name, const std::string& about,
                          const std::string& footer, std::function<Result<int>(const std::string&)> action,
                          bool kyverno_flag)
{
  auto* app = parent->add_subcommand(name, about);
  app->footer(footer);
  app->fallthrough();
  commands.add_nested(app);
  auto path = std::make_shared<std::string>();
  auto kyverno = std::make_shared<std::string>();
  if (kyverno_flag) {
    app->add_option("--kyverno", *kyverno, "The trust policy file to export as a Kyverno ClusterPolicy")->required();
  } else {
    app->add_option("policy", *path, "Trust policy file")->required();
  }
  commands.set_run(app, [path, kyverno, action, kyverno_flag] { return action(kyverno_flag ? *kyverno : *path); });
}

} // namespace

void register_policy(Commands& commands)
{
  auto* app = commands.add(
    "policy", "The trust policy file (sigil-policy(5)): check it, test it against images, start one, export it",
    "  sigil policy init --key cosign.pub --image 'registry.example.com/team/**' > trust-policy.yaml\n"
    "  sigil policy check trust-policy.yaml\n"
    "  sigil policy test trust-policy.yaml --image registry.example.com/team/app:1.2 --expect pass\n"
    "  sigil policy export --kyverno trust-policy.yaml > clusterpolicy.yaml\n");
  app->require_subcommand(1);
  register_path_action(commands, app, "check", "Validate the policy and print, in words, what each rule requires",
                       "\nExamples:\n  sigil policy check trust-policy.yaml\nExit: 0 valid, 30 invalid "
                       "(FILE:LINE: PATH: what is wrong).\n",
                       run_check, false);
  register_test(commands, app);
  register_init(commands, app);
  register_path_action(commands, app, "export",
                       "Print the policy as a Kyverno ClusterPolicy (kyverno.io/v1 verifyImages); what Kyverno cannot "
                       "express is listed on stderr",
                       "\nExamples:\n  sigil policy export --kyverno trust-policy.yaml > clusterpolicy.yaml\n",
                       run_export, true);
}

} // namespace sigil::cli
