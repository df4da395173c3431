// sigil verify-blob
#include "command.hpp"
#include "output.hpp"

#include "sigil/util/file.hpp"
#include "sigil/verify/blob.hpp"
#include "sigil/verify/trust.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

constexpr std::uint64_t k_max_bundle_size = 16U << 20;

struct Options {
  std::string input;
  std::vector<std::string> keys;
  std::string bundle;
  std::string signature;
};

Result<int> run(const Options& o)
{
  if (o.bundle.empty() == o.signature.empty()) {
    return fail(ErrorCode::usage, "pass exactly one of --bundle FILE and --signature FILE");
  }
  SIGIL_TRY_ASSIGN(auto keys, verify::load_trusted_keys(o.keys));
  verify::VerifyBlobRequest request{.input = o.input, .keys = std::move(keys), .bundle_json = {}, .signature_b64 = {}};
  const std::string& material = o.bundle.empty() ? o.signature : o.bundle;
  auto text = util::read_file(material, k_max_bundle_size);
  if (!text) {
    return fail(text.error());
  }
  if (o.bundle.empty()) {
    request.signature_b64 = std::move(*text);
  } else {
    request.bundle_json = std::move(*text);
  }
  auto result = verify::verify_blob(request);
  if (!result) {
    return fail(result.error().context(fmt::format("verifying {}", o.input)));
  }
  for (const auto& note : result->notes) {
    print_note("{}", note);
  }
  const auto& matched = request.keys[result->matched_key];
  if (request.keys.size() > 1) {
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
    "Verify a file's signature against one or more trusted public keys.\n"
    "Reads Sigstore bundles (v0.1-v0.3), cosign's older bundle JSON, or a base64 signature file.",
    "  sigil verify-blob release.tar.gz --key sigil.pub --bundle release.tar.gz.sigstore.json\n"
    "  sigil verify-blob release.tar.gz --key old.pub --key new.pub --bundle release.tar.gz.sigstore.json\n"
    "  sigil verify-blob release.tar.gz --key sigil.pub --signature release.tar.gz.sig\n");
  auto o = std::make_shared<Options>();
  app->add_option("file", o->input, "File to verify, or - for standard input")->required();
  app->add_option("--key", o->keys, "Trusted public key (path or env://VAR); repeat for key rotation")->required();
  app->add_option("--bundle", o->bundle, "Sigstore bundle or cosign bundle JSON");
  app->add_option("--signature", o->signature, "File holding the base64 signature");
  commands.set_run(app, [o] { return run(*o); });
}

} // namespace sigil::cli
