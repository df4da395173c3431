// sigil attest, sigil attest-blob
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"
#include "secrets.hpp"

#include "sigil/sign/attest.hpp"
#include "sigil/util/file.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

constexpr std::uint64_t k_max_predicate = std::uint64_t{32} << 20;

struct Options {
  std::string target; // image or file
  std::string key;
  std::string predicate;
  std::string type = "custom";
  std::string format = "legacy";
  std::string statement_version = "v1";
  std::string bundle;
  std::string password_file;
  bool allow_insecure_key_permissions = false;
  RegistryFlags registry;
};

Result<sign::PredicateInput> read_predicate(const Options& o)
{
  auto content = o.predicate == "-" ? util::read_stdin(k_max_predicate) : util::read_file(o.predicate, k_max_predicate);
  if (!content) {
    return fail(content.error().context("reading --predicate"));
  }
  return sign::PredicateInput{o.type, std::move(*content),
                              o.statement_version == "v0.1" ? "https://in-toto.io/Statement/v0.1"
                                                            : "https://in-toto.io/Statement/v1"};
}

void add_predicate_flags(CLI::App* app, Options& o)
{
  app->add_option("--key", o.key, "Private key (path or env://VAR)")->required();
  app->add_option("--predicate", o.predicate, "Predicate file (JSON object; any text for --type custom), - for stdin")
    ->required();
  app->add_option("--type", o.type,
                  "Predicate type: slsaprovenance, slsaprovenance02, slsaprovenance1, spdx, spdxjson, cyclonedx, link, "
                  "vuln, openvex, custom, or a URI")
    ->capture_default_str();
  app->add_option("--statement-version", o.statement_version, "in-toto Statement version")
    ->check(CLI::IsMember({"v1", "v0.1"}))
    ->capture_default_str();
  app->add_option("--password-file", o.password_file, "Read the key's password from FILE");
  add_key_permissions_flag(app, o.allow_insecure_key_permissions);
}

Result<int> run_attest(const Options& o, const GlobalOptions& global)
{
  auto ref = parse_image(o.target);
  if (!ref) {
    return fail(ref.error());
  }
  auto predicate = read_predicate(o);
  if (!predicate) {
    return fail(predicate.error());
  }
  auto key = open_signing_key(o.key, o.password_file, key_file_mode(o.allow_insecure_key_permissions));
  if (!key) {
    return fail(key.error());
  }
  auto session = open_session(o.registry, global);
  auto result = sign::attest_image(session->client(),
                                   {.image = *ref,
                                    .signature_repo = std::nullopt,
                                    .key = *key,
                                    .predicate = std::move(*predicate),
                                    .format = o.format == "bundle" ? sign::Format::bundle
                                              : o.format == "both" ? sign::Format::both
                                                                   : sign::Format::legacy});
  if (!result) {
    return fail(result.error());
  }
  if (result->tag_given) {
    print_warning("{} is a tag: attested the digest it points to now; attest by digest", o.target);
  }
  print_info("Attested {}", result->image.str());
  return 0;
}

Result<int> run_attest_blob(const Options& o)
{
  auto predicate = read_predicate(o);
  if (!predicate) {
    return fail(predicate.error());
  }
  auto key = open_signing_key(o.key, o.password_file, key_file_mode(o.allow_insecure_key_permissions));
  if (!key) {
    return fail(key.error());
  }
  auto result = sign::attest_blob({.input = o.target, .subject_name = {}, .key = *key, .predicate = std::move(*predicate)});
  if (!result) {
    return fail(result.error().context(fmt::format("attesting {}", o.target)));
  }
  const std::string text = result->bundle_json + "\n";
  if (auto ok = util::write_file_atomic({o.bundle, util::as_bytes(text), 0644, util::Overwrite::yes}); !ok) {
    return fail(ok.error());
  }
  print_info("Wrote attestation bundle to {}", o.bundle);
  return 0;
}

} // namespace

void register_attest(Commands& commands)
{
  auto* app = commands.add(
    "attest",
    "Attest an image: sign an in-toto statement about its digest with a predicate (SLSA provenance, SBOM, ...).\n"
    "--format legacy (default) adds a DSSE layer to the cosign .att tag; bundle pushes a Sigstore bundle referrer.",
    "  sigil attest registry.example.com/app@sha256:... --key sigil.key --type slsaprovenance1 --predicate prov.json\n"
    "  sigil attest registry.example.com/app@sha256:... --key sigil.key --type spdxjson --predicate sbom.spdx.json\n"
    "  sigil provenance --gitlab | sigil attest \"$IMAGE\" --key env://KEY --type slsaprovenance1 --predicate -\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->target, "Image to attest (by digest; a tag is resolved)")->required();
  add_predicate_flags(app, *o);
  app->add_option("--format", o->format, "Where the attestation goes")
    ->check(CLI::IsMember({"legacy", "bundle", "both"}))
    ->capture_default_str();
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()] { return run_attest(*o, global); });
}

void register_attest_blob(Commands& commands)
{
  auto* app = commands.add(
    "attest-blob",
    "Attest a file (release artifact): a DSSE-signed in-toto statement about its sha256, written as a Sigstore bundle.",
    "  sigil attest-blob app.tar.gz --key sigil.key --type slsaprovenance1 --predicate prov.json --bundle app.intoto.json\n");
  auto o = std::make_shared<Options>();
  app->add_option("file", o->target, "File to attest, or - for stdin")->required();
  add_predicate_flags(app, *o);
  app->add_option("--bundle", o->bundle, "Write the Sigstore bundle to FILE")->required();
  commands.set_run(app, [o] { return run_attest_blob(*o); });
}

} // namespace sigil::cli
