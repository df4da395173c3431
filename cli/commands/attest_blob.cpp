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

Result<int> run(const Options& o, const GlobalOptions& global)
{
  SIGIL_TRY_ASSIGN(auto predicate, read_predicate(o.predicate));
  SIGIL_TRY_ASSIGN(const auto opened, open_predicate_signer(o.predicate, global, fmt::format("the attestation of {}", o.file)));
  const sign::Signer& signer = opened.get();
  auto result =
      sign::attest_blob({.input = o.file, .subject_name = {}, .signer = signer, .predicate = std::move(predicate)});
  SIGIL_TRY_CONTEXT(result, fmt::format("attesting {}", o.file));
  if (result->keyless) {
    print_info("Logged in the transparency log at index {}", result->keyless->tlog_entry.log_index);
  }
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
                           "written as a Sigstore bundle.\nWithout --key, attests keyless: the bundle holds the Fulcio "
                           "certificate, the Rekor entry (dsse) and the timestamp.",
                           "  sigil attest-blob app.tar.gz --key sigil.key --type slsaprovenance1 --predicate "
                           "prov.json --bundle app.intoto.json\n"
                           "  SIGSTORE_ID_TOKEN=$TOKEN sigil attest-blob app.tar.gz --type slsaprovenance1 --predicate "
                           "prov.json --bundle app.intoto.json -y   # keyless\n");
  auto o = std::make_shared<Options>();
  app->add_option("file", o->file, "File to attest, or - for stdin")->required();
  add_predicate_flags(app, o->predicate);
  app->add_option("--bundle", o->bundle, "Write the Sigstore bundle to FILE")->required();
  commands.set_run(app, [o, &global = commands.global()] { return run(*o, global); });
}

} // namespace sigil::cli
