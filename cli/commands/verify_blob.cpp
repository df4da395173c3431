// sigil verify-blob
#include "command.hpp"
#include "keyless_flags.hpp"
#include "output.hpp"
#include "progress.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/verify/blob.hpp"
#include "sigil/verify/trust.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

namespace sigil::cli {

namespace {

constexpr std::uint64_t k_max_bundle_size = 16U << 20;

struct Options {
  std::string input;
  std::vector<std::string> keys;
  std::string bundle;
  std::string signature;
  std::string certificate;
  KeylessFlags keyless;
};

// --signature is a file or, as cosign takes it, the base64 signature itself: a value that names
// no file and decodes as base64 is the signature.
Result<std::string> read_signature(const std::string& value)
{
  std::error_code ec;
  if (!std::filesystem::exists(value, ec) && !value.empty() && util::base64_decode(value)) {
    return value;
  }
  return util::read_file(value, k_max_bundle_size);
}

Result<int> run(const Options& o)
{
  if (o.bundle.empty() == o.signature.empty()) {
    return fail(ErrorCode::usage, "pass exactly one of --bundle FILE and --signature FILE|BASE64");
  }
  if (o.keys.empty() && !o.keyless.wants_keyless()) {
    return fail(ErrorCode::usage, "say who you trust: --key PUBLIC_KEY, or --certificate-identity and "
                                  "--certificate-oidc-issuer (keyless), or --gitlab-project GROUP/PROJECT");
  }
  SIGIL_TRY_ASSIGN(auto keys, verify::load_trusted_keys(o.keys));
  SIGIL_TRY_ASSIGN(auto keyless, make_keyless_setup(o.keyless));
  if (o.keyless.wants_keyless() && !keyless.policy.identity.complete()) {
    return fail(ErrorCode::usage, "keyless verification needs --certificate-identity (or -regexp) and "
                                  "--certificate-oidc-issuer (or -regexp), or --gitlab-project");
  }
  verify::VerifyBlobRequest request{.input = o.input,
                                    .keys = std::move(keys),
                                    .bundle_json = {},
                                    .signature_b64 = {},
                                    .certificate_pem = {},
                                    .sigstore = keyless.policy};
  if (!o.certificate.empty()) {
    SIGIL_TRY_ASSIGN(request.certificate_pem, util::read_file(o.certificate, k_max_bundle_size));
  }
  auto text = o.bundle.empty() ? read_signature(o.signature) : util::read_file(o.bundle, k_max_bundle_size);
  if (!text) {
    return fail(text.error());
  }
  if (o.bundle.empty()) {
    request.signature_b64 = std::move(*text);
  } else {
    request.bundle_json = std::move(*text);
  }
  auto result = [&] {
    Progress progress(fmt::format("verify-blob {}", o.input), progress_wanted(false));
    request.on_read = progress.reader(o.input);
    return verify::verify_blob(request);
  }();
  if (!result) {
    return fail(result.error().context(fmt::format("verifying {}", o.input)));
  }
  for (const auto& note : result->notes) {
    print_note("{}", note);
  }
  if (result->sigstore) {
    print_keyless_summary(*result->sigstore);
  }
  if (!request.keys.empty() && (!result->sigstore || !result->sigstore->identity) && request.keys.size() > 1) {
    const auto& matched = request.keys[result->matched_key];
    print_info("Verified with key {} ({})", matched.name, matched.key.fingerprint());
  }
  print_info("Verified OK");
  return 0;
}

} // namespace

void register_verify_blob(Commands& commands)
{
  auto* app = commands.add(
    "verify-blob",
    "Verify a file's signature or Sigstore bundle, against public keys or keyless by identity.\n"
    "Keyless: a Fulcio certificate, its transparency-log entry and timestamps,\n"
    "checked offline against a trusted root and an identity) or against trusted public keys.\n"
    "Reads Sigstore bundles (v0.1-v0.3), cosign's older bundle JSON, or a signature (and --certificate) file.\n"
    "FILE may be sha256:HEX to name the artifact by its digest.",
    "  sigil verify-blob release.tar.gz --key sigil.pub --bundle release.tar.gz.sigstore.json\n"
    "  sigil verify-blob release.tar.gz --key old.pub --key new.pub --bundle release.tar.gz.sigstore.json\n"
    "  sigil verify-blob release.tar.gz --key sigil.pub --signature release.tar.gz.sig\n"
    "  sigil verify-blob release.tar.gz --bundle release.tar.gz.sigstore.json --trusted-root trusted_root.json \\\n"
    "      --gitlab-project mygroup/myproject --gitlab-ref 'refs/tags/v*'\n"
    "  sigil verify-blob release.tar.gz --bundle b.json --certificate-identity you@example.com \\\n"
    "      --certificate-oidc-issuer https://accounts.google.com\n");
  auto o = std::make_shared<Options>();
  app->add_option("file", o->input, "File to verify, or - for standard input")->required();
  app->add_option("--key", o->keys, "Trusted public key (path or env://VAR); repeat for key rotation");
  app->add_option("--bundle", o->bundle, "Sigstore bundle or cosign bundle JSON");
  app->add_option("--signature", o->signature, "The base64 signature, or a file holding it");
  app->add_option("--certificate", o->certificate, "PEM certificate (then its chain) that made --signature (keyless)");
  add_keyless_flags(app, o->keyless);
  commands.set_run(app, [o] { return run(*o); });
}

} // namespace sigil::cli
