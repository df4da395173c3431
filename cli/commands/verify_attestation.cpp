// sigil verify-attestation
#include "attestation_policy.hpp"
#include "command.hpp"
#include "output.hpp"
#include "policy_file.hpp"
#include "registry_flags.hpp"

#include "sigil/verify/attestation.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::vector<std::string> images;
  std::string trust_policy;
  int max_workers = 8;
  PolicyFlags policy;
  RegistryFlags registry;
  std::vector<std::string> policy_fixed_given; // --check-claims given on the command line
};

// --policy: the rule of each image names the required attestations, their authorities and
// conditions; the flags that would say the same are refused.
Result<int> run_with_policy(const Options& o, const GlobalOptions& global)
{
  const auto& p = o.policy;
  SIGIL_TRY(refuse_flags_under_policy(
      {{!p.keys.empty(), "--key"},
       {p.keyless.wants_keyless(), "the keyless identity flags"},
       {!p.keyless.trusted_root.empty(), "--trusted-root"},
       {p.type != "custom", "--type"},
       {!p.source_uri.empty() || !p.source_ref.empty() || !p.builder_id.empty(), "the provenance flags"},
       {!p.match.empty() || !p.match_regexp.empty(), "--match"}},
      "attestations, their authorities and conditions"));
  SIGIL_TRY(refuse_policy_fixed_flags(o.policy_fixed_given));
  return run_policy({.policy = o.trust_policy, .images = o.images, .output = p.output, .explain = p.explain,
                     .max_workers = o.max_workers, .what = {.signatures = false, .attestations = true}},
                    o.registry, global);
}

Result<int> run(const Options& o, const GlobalOptions& global)
{
  if (!o.trust_policy.empty()) {
    return run_with_policy(o, global);
  }
  if (o.images.size() != 1) {
    return fail(ErrorCode::usage, "verify-attestation takes one image (several with --policy FILE)");
  }
  SIGIL_TRY_ASSIGN(auto p, policy_request(o.policy));
  SIGIL_TRY_ASSIGN(const auto ref, parse_image(o.images.front()));
  auto session = open_session(o.registry, global);
  SIGIL_TRY_ASSIGN(const auto result,
                   verify::verify_image_attestations(session->client(), {.image = ref,
                                                                         .signature_repo = std::nullopt,
                                                                         .keys = std::move(p.keys),
                                                                         .predicate_type = p.predicate_type,
                                                                         .policy = std::move(p.policy),
                                                                         .check_claims = o.policy.check_claims,
                                                                         .sigstore = p.keyless.policy}));
  return render_decision(o.policy, result.image.str(), result.attestations, result.decision, p.predicate_type);
}

} // namespace

void register_verify_attestation(Commands& commands)
{
  auto* app = commands.add(
      "verify-attestation",
      "Verify an image's attestations of a type, and check provenance and policy conditions on the signed statement.\n"
      "With --policy FILE (sigil-policy(5)) each image's rule names the attestations it needs, who must have signed\n"
      "them (N of M) and their conditions; one JSON verdict per image on stdout.\n"
      "Exit: 0 ok, 12 none verified, 14 no attestation of the type, 15 verified but a condition failed (with\n"
      "--policy: the policy rejected an image), 30 invalid policy file.",
      "  sigil verify-attestation registry.example.com/app@sha256:... --key sigil.pub --type slsaprovenance1 \\\n"
      "      --source-uri gitlab.com/group/project --source-ref 'refs/tags/v*'\n"
      "  sigil verify-attestation IMAGE --key sigil.pub --type spdxjson --match /predicate/spdxVersion=SPDX-2.3\n"
      "  sigil verify-attestation --policy trust-policy.yaml IMAGE1 IMAGE2\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->images, "Image reference (several with --policy)")->required();
  app->add_option("--policy", o->trust_policy,
                  "Trust policy file (sigil-policy(5)): replaces --key, --type, the keyless and condition flags");
  app->add_option("--max-workers", o->max_workers, "With --policy: images verified concurrently")
    ->check(CLI::Range(1, 64))
    ->capture_default_str();
  add_policy_flags(app, o->policy);
  add_registry_flags(app, o->registry);
  add_local_flag(app, o->registry);
  commands.set_run(app, [o, app, &global = commands.global()] {
    o->policy_fixed_given = given_options(*app, std::array<const char*, 1>{"--check-claims"});
    return run(*o, global);
  });
}

} // namespace sigil::cli
