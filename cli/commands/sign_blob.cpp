// sigil sign-blob
#include "command.hpp"
#include "output.hpp"
#include "secrets.hpp"

#include "sigil/sign/blob.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string input;
  std::string key;
  std::string bundle;
  std::string output_signature;
  std::string password_file;
  bool allow_insecure_key_permissions = false;
};

Result<int> run(const Options& o)
{
  if (o.bundle.empty() && o.output_signature.empty()) {
    return fail(ErrorCode::usage, "nowhere to write the signature: pass --bundle FILE and/or --output-signature FILE");
  }
  SIGIL_TRY_ASSIGN(const auto signer, open_signer(o.key, o.password_file, key_file_mode(o.allow_insecure_key_permissions)));
  SIGIL_TRY(signer->key());
  auto signed_blob = sign::sign_blob({.input = o.input, .signer = *signer});
  if (!signed_blob) {
    return fail(signed_blob.error().context(fmt::format("signing {}", o.input)));
  }
  if (!o.bundle.empty()) {
    const std::string text = signed_blob->bundle_json + "\n";
    SIGIL_TRY(util::write_file_atomic({o.bundle, util::as_bytes(text), 0644, util::Overwrite::yes}));
    print_info("Wrote bundle to {}", o.bundle);
  }
  if (!o.output_signature.empty()) {
    // cosign writes the bare base64 signature, no newline.
    const std::string b64 = util::base64_encode(signed_blob->signature);
    SIGIL_TRY(util::write_file_atomic({o.output_signature, util::as_bytes(b64), 0644, util::Overwrite::yes}));
    print_info("Wrote signature to {}", o.output_signature);
  }
  return 0;
}

} // namespace

void register_sign_blob(Commands& commands)
{
  auto* app = commands.add(
    "sign-blob",
    "Sign a file (or - for stdin) and write a Sigstore bundle v0.3 and/or a base64 signature.\n"
    "The file is streamed: any size works in constant memory (Ed25519 keys map the file instead).",
    "  sigil sign-blob release.tar.gz --key sigil.key --bundle release.tar.gz.sigstore.json\n"
    "  sigil sign-blob release.tar.gz --key env://SIGNING_KEY --output-signature release.tar.gz.sig\n"
    "  tar c dir | sigil sign-blob - --key sigil.key --bundle dir.tar.sigstore.json\n");
  auto o = std::make_shared<Options>();
  app->add_option("file", o->input, "File to sign, or - for standard input")->required();
  app->add_option("--key", o->key, "Private key (path or env://VAR)")->required();
  app->add_option("--bundle", o->bundle, "Write the Sigstore bundle (JSON) to FILE");
  app->add_option("--output-signature", o->output_signature, "Write the base64 signature to FILE");
  app->add_option("--password-file", o->password_file, "Read the key's password from FILE");
  add_key_permissions_flag(app, o->allow_insecure_key_permissions);
  commands.set_run(app, [o] { return run(*o); });
}

} // namespace sigil::cli
