// sigil verify-attestation
#include "attestation_policy.hpp"
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/verify/attestation.hpp"

namespace sigil::cli {

namespace {

struct Options {
  std::string image;
  PolicyFlags policy;
  RegistryFlags registry;
};

Result<int> run(const Options& o, const GlobalOptions& global)
{
  SIGIL_TRY_ASSIGN(auto p, policy_request(o.policy));
  SIGIL_TRY_ASSIGN(const auto ref, parse_image(o.image));
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
      "Exit: 0 ok, 12 none verified, 14 no attestation of the type, 15 verified but a condition failed.",
      "  sigil verify-attestation registry.example.com/app@sha256:... --key sigil.pub --type slsaprovenance1 \\\n"
      "      --source-uri gitlab.com/group/project --source-ref 'refs/tags/v*'\n"
      "  sigil verify-attestation IMAGE --key sigil.pub --type spdxjson --match /predicate/spdxVersion=SPDX-2.3\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->image, "Image reference")->required();
  add_policy_flags(app, o->policy);
  add_registry_flags(app, o->registry);
  add_local_flag(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()] { return run(*o, global); });
}

} // namespace sigil::cli
