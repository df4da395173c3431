// sigil generate-key-pair
#include "command.hpp"
#include "secrets.hpp"

#include "sigil/crypto/key_file.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string prefix = "sigil";
  std::string algorithm = "ecdsa-p256";
  std::string password_file;
  bool force = false;
};

Result<int> run(const Options& o)
{
  const auto kind = crypto::parse_key_kind(o.algorithm);
  if (!kind) {
    return fail(ErrorCode::usage, fmt::format("unknown --algorithm {}", o.algorithm));
  }
  protect_key_material();
  SIGIL_TRY_ASSIGN(auto key, crypto::PrivateKey::generate(*kind));
  return write_key_pair_files(key, {.prefix = o.prefix, .password_file = o.password_file, .force = o.force});
}

} // namespace

void register_generate_key_pair(Commands& commands)
{
  auto* app = commands.add(
    "generate-key-pair",
    "Generate a key pair: PREFIX.key encrypted in cosign's format (mode 0600) and PREFIX.pub.\n"
    "The password comes from --password-file, SIGIL_PASSWORD, COSIGN_PASSWORD or a terminal prompt.",
    "  SIGIL_PASSWORD=... sigil generate-key-pair\n"
    "  sigil generate-key-pair --output-key-prefix release --algorithm ecdsa-p384\n"
    "  sigil generate-key-pair --password-file pass.txt --force\n");
  auto o = std::make_shared<Options>();
  app->add_option("--output-key-prefix", o->prefix, "Write PREFIX.key and PREFIX.pub")->capture_default_str();
  app->add_option("--algorithm", o->algorithm, "Key algorithm")
    ->check(CLI::IsMember({"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-3072", "rsa-4096"}))
    ->capture_default_str();
  app->add_option("--password-file", o->password_file, "Read the password from FILE (one trailing newline removed)");
  app->add_flag("--force,-f", o->force, "Overwrite existing key files");
  commands.set_run(app, [o] { return run(*o); });
}

} // namespace sigil::cli
