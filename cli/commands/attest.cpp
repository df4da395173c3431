// sigil attest
#include "command.hpp"
#include "output.hpp"
#include "predicate_flags.hpp"
#include "registry_flags.hpp"
#include "secrets.hpp"

#include "sigil/sign/attest.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string image;
  PredicateFlags predicate;
  std::string format = "legacy";
  RegistryFlags registry;
};

Result<int> run(const Options& o, const GlobalOptions& global)
{
  SIGIL_TRY_ASSIGN(const auto ref, parse_image(o.image));
  SIGIL_TRY_ASSIGN(auto predicate, read_predicate(o.predicate));
  SIGIL_TRY_ASSIGN(const auto opened, open_predicate_signer(o.predicate, global, fmt::format("the attestation of {}", o.image)));
  const sign::Signer& signer = opened.get();
  if (!opened.keyless) {
    SIGIL_TRY(signer.key()); // a key that does not open is the error, before any registry work
  }
  auto session = open_session(o.registry, global);
  SIGIL_TRY_ASSIGN(const auto result, sign::attest_image(session->client(),
                                                         {.image = ref,
                                                          .signature_repo = std::nullopt,
                                                          .signer = signer,
                                                          .predicate = std::move(predicate),
                                                          .format = o.format == "bundle" ? sign::Format::bundle
                                                                    : o.format == "both" ? sign::Format::both
                                                                                         : sign::Format::legacy}));
  if (result.tag_given) {
    print_warning("{} is a tag: attested the digest it points to now; attest by digest", o.image);
  }
  print_info("Attested {}", result.image.str());
  if (result.keyless) {
    print_info("Logged in the transparency log at index {}", result.keyless->tlog_entry.log_index);
  }
  return 0;
}

} // namespace

void register_attest(Commands& commands)
{
  auto* app = commands.add(
    "attest",
    "Attest an image: sign an in-toto statement about its digest with a predicate (SLSA provenance, SBOM, ...).\n"
    "--format legacy (default) adds a DSSE layer to the cosign .att tag; bundle pushes a Sigstore bundle referrer.\n"
    "Without --key, attests keyless: an OIDC identity token buys a Fulcio certificate for an ephemeral key, and the\n"
    "envelope is logged in Rekor (and timestamped) before anything is attached.",
    "  sigil attest registry.example.com/app@sha256:... --key sigil.key --type slsaprovenance1 --predicate prov.json\n"
    "  sigil attest registry.example.com/app@sha256:... --key sigil.key --type spdxjson --predicate sbom.spdx.json\n"
    "  sigil provenance --gitlab | sigil attest \"$IMAGE\" --key env://KEY --type slsaprovenance1 --predicate -\n"
    "  SIGSTORE_ID_TOKEN=$TOKEN sigil attest \"$IMAGE\" --type slsaprovenance1 --predicate prov.json -y   # keyless\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->image, "Image to attest (by digest; a tag is resolved)")->required();
  o->predicate.keyless.registry = &o->registry; // its --timeout and --max-attempts bound the services too
  add_predicate_flags(app, o->predicate);
  app->add_option("--format", o->format, "Where the attestation goes")
    ->check(CLI::IsMember({"legacy", "bundle", "both"}))
    ->capture_default_str();
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()] { return run(*o, global); });
}

} // namespace sigil::cli
