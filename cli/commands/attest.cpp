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
  std::string format; // legacy (default), bundle (the default with Rekor v2) or both
  RegistryFlags registry;
};

Result<int> run(const Options& o, const GlobalOptions& global)
{
  SIGIL_TRY_ASSIGN(const auto ref, parse_image(o.image));
  SIGIL_TRY_ASSIGN(auto predicate, read_predicate(o.predicate));
  SIGIL_TRY_ASSIGN(const auto opened, open_predicate_signer(o.predicate, global, fmt::format("the attestation of {}", o.image),
                                                            o.format == "legacy" || o.format == "both"));
  // Not given: legacy, or bundle with a Rekor v2 log (no SET for the legacy .att annotations).
  const std::string format = !o.format.empty()                              ? o.format
                             : opened.keyless && opened.keyless->rekor_v2 ? std::string("bundle")
                                                                          : std::string("legacy");
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
                                                          .format = format == "bundle" ? sign::Format::bundle
                                                                    : format == "both"   ? sign::Format::both
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
    "envelope is logged in Rekor (and timestamped) before anything is attached. With a Rekor v2 log (a\n"
    "--signing-config naming one) the envelope is logged as hashedrekord over its PAE; bundles only.",
    "  sigil attest registry.example.com/app@sha256:... --key sigil.key --type slsaprovenance1 --predicate prov.json\n"
    "  sigil attest registry.example.com/app@sha256:... --key sigil.key --type spdxjson --predicate sbom.spdx.json\n"
    "  sigil provenance --gitlab | sigil attest \"$IMAGE\" --key env://KEY --type slsaprovenance1 --predicate -\n"
    "  SIGSTORE_ID_TOKEN=$TOKEN sigil attest \"$IMAGE\" --type slsaprovenance1 --predicate prov.json -y   # keyless\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->image, "Image to attest (by digest; a tag is resolved)")->required();
  o->predicate.keyless.registry = &o->registry; // its --timeout and --max-attempts bound the services too
  add_predicate_flags(app, o->predicate);
  app->add_option("--format", o->format,
                  "Where the attestation goes: legacy, bundle or both (default: legacy; bundle when the signing "
                  "config selects a Rekor v2 log)")
    ->check(CLI::IsMember({"legacy", "bundle", "both"}));
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()] { return run(*o, global); });
}

} // namespace sigil::cli
