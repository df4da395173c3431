// sigil attest-blob
#include "command.hpp"
#include "output.hpp"
#include "predicate_flags.hpp"
#include "secrets.hpp"

#include "sigil/sign/attest.hpp"
#include "sigil/util/file.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string file;
  PredicateFlags predicate;
  std::string bundle;
};

Result<int> run(const Options& o)
{
  SIGIL_TRY_ASSIGN(auto predicate, read_predicate(o.predicate));
  SIGIL_TRY_ASSIGN(const auto signer, open_signer(o.predicate.key, o.predicate.password_file,
                                                  key_file_mode(o.predicate.allow_insecure_key_permissions)));
  SIGIL_TRY(signer->key());
  auto result =
      sign::attest_blob({.input = o.file, .subject_name = {}, .signer = *signer, .predicate = std::move(predicate)});
  SIGIL_TRY_CONTEXT(result, fmt::format("attesting {}", o.file));
  const std::string text = result->bundle_json + "\n";
  SIGIL_TRY(util::write_file_atomic({o.bundle, util::as_bytes(text), 0644, util::Overwrite::yes}));
  print_info("Wrote attestation bundle to {}", o.bundle);
  return 0;
}

} // namespace

void register_attest_blob(Commands& commands)
{
  auto* app = commands.add("attest-blob",
                           "Attest a file (release artifact): a DSSE-signed in-toto statement about its sha256, "
                           "written as a Sigstore bundle.",
                           "  sigil attest-blob app.tar.gz --key sigil.key --type slsaprovenance1 --predicate "
                           "prov.json --bundle app.intoto.json\n");
  auto o = std::make_shared<Options>();
  app->add_option("file", o->file, "File to attest, or - for stdin")->required();
  add_predicate_flags(app, o->predicate);
  app->add_option("--bundle", o->bundle, "Write the Sigstore bundle to FILE")->required();
  commands.set_run(app, [o] { return run(*o); });
}

} // namespace sigil::cli
