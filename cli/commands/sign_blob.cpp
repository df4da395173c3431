// sigil sign-blob
#include "command.hpp"
#include "cosign_flags.hpp"
#include "keyless_sign_flags.hpp"
#include "output.hpp"
#include "progress.hpp"
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
  std::string output_certificate;
  std::string password_file;
  bool allow_insecure_key_permissions = false;
  KeylessSignFlags keyless;
  TlogUploadFlag tlog_upload;
};


Result<void> write_keyless_outputs(const Options& o, const sign::SignBlobResult& r)
{
  if (o.output_certificate.empty()) {
    return {};
  }
  if (!r.keyless) {
    return fail(ErrorCode::usage, "--output-certificate is for keyless signing (a --key signature has no certificate)");
  }
  SIGIL_TRY(util::write_file_atomic(
    {o.output_certificate, util::as_bytes(r.keyless->chain_pem.front()), 0644, util::Overwrite::yes}));
  print_info("Wrote certificate to {}", o.output_certificate);
  return {};
}

Result<int> run(const Options& o, const GlobalOptions& global)
{
  SIGIL_TRY(check_tlog_upload(o.tlog_upload, !o.key.empty()));
  SIGIL_TRY_ASSIGN(const auto signer, open_any_signer({o.key, o.password_file, o.allow_insecure_key_permissions, o.keyless},
                                                      global, o.input == "-" ? "standard input" : o.input));
  SIGIL_TRY(signer.get().key());
  auto signed_blob = [&] {
    Progress progress(fmt::format("sign-blob {}", o.input), progress_wanted(false));
    return sign::sign_blob({.input = o.input, .signer = signer.get(), .on_read = progress.reader(o.input)});
  }();
  if (!signed_blob) {
    return fail(signed_blob.error().context(fmt::format("signing {}", o.input)));
  }
  if (!o.bundle.empty()) {
    const std::string text = signed_blob->bundle_json + "\n";
    SIGIL_TRY(util::write_file_atomic({o.bundle, util::as_bytes(text), 0644, util::Overwrite::yes}));
    print_info("Wrote bundle to {}", o.bundle);
  }
  const std::string b64 = util::base64_encode(signed_blob->signature);
  if (!o.output_signature.empty()) {
    // cosign writes the bare base64 signature, no newline.
    SIGIL_TRY(util::write_file_atomic({o.output_signature, util::as_bytes(b64), 0644, util::Overwrite::yes}));
    print_info("Wrote signature to {}", o.output_signature);
  } else if (o.bundle.empty()) {
    print_result(b64 + "\n"); // no output flag: the base64 signature on stdout, as cosign prints it
  }
  SIGIL_TRY(write_keyless_outputs(o, *signed_blob));
  if (signed_blob->keyless) {
    print_info("Logged in the transparency log at index {}", signed_blob->keyless->tlog_entry.log_index);
  }
  return 0;
}

} // namespace

void register_sign_blob(Commands& commands)
{
  auto* app = commands.add(
      "sign-blob",
      "Sign a file (or - for stdin) with a key or keyless, writing a Sigstore bundle and/or a signature.\n"
      "Writes a Sigstore bundle v0.3 and/or a base64 signature (without\n"
      "--bundle and --output-signature, the base64 signature is printed on standard output, as cosign does).\n"
      "The file is streamed: any size works in constant memory (Ed25519 keys map the file instead).\n"
      "Without --key, signs keyless: an OIDC identity token (--identity-token, SIGSTORE_ID_TOKEN) buys a short-lived\n"
      "Fulcio certificate for an ephemeral key, and the signature is logged in Rekor (and timestamped with\n"
      "--timestamp-server-url); the bundle then carries the certificate, the log entry and the timestamp.",
      "  sigil sign-blob release.tar.gz --key sigil.key --bundle release.tar.gz.sigstore.json\n"
      "  sigil sign-blob release.tar.gz --key env://SIGNING_KEY --output-signature release.tar.gz.sig\n"
      "  tar c dir | sigil sign-blob - --key sigil.key --bundle dir.tar.sigstore.json\n"
      "  SIGSTORE_ID_TOKEN=$TOKEN sigil sign-blob release.tar.gz --bundle release.tar.gz.sigstore.json\n");
  auto o = std::make_shared<Options>();
  app->add_option("file", o->input, "File to sign, or - for standard input")->required();
  app->add_option("--key", o->key, "Private key (path or env://VAR); without it, keyless signing");
  app->add_option("--bundle", o->bundle, "Write the Sigstore bundle (JSON) to FILE");
  app->add_option("--output-signature", o->output_signature, "Write the base64 signature to FILE");
  app->add_option("--password-file", o->password_file, "Read the key's password from FILE");
  app->add_option("--output-certificate", o->output_certificate, "Keyless: write the signing certificate (PEM) to FILE");
  add_key_permissions_flag(app, o->allow_insecure_key_permissions);
  add_keyless_sign_flags(app, o->keyless);
  add_tlog_upload_flag(app, o->tlog_upload);
  commands.set_run(app, [o, &global = commands.global()] { return run(*o, global); });
}

} // namespace sigil::cli
