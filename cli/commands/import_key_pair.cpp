// sigil import-key-pair
#include "command.hpp"
#include "secrets.hpp"

#include "sigil/crypto/key_file.hpp"

namespace sigil::cli {

namespace {

struct Options {
  std::string key;
  std::string prefix = "import-sigil";
  std::string password_file;
  bool force = false;
};

Result<int> run(const Options& o)
{
  // The input may itself be encrypted in cosign's format (re-encryption); the new password
  // is asked for separately.
  SIGIL_TRY_ASSIGN(auto key, open_signing_key(o.key, "", crypto::KeyFileMode::warn_insecure));
  return write_key_pair_files(key, {.prefix = o.prefix, .password_file = o.password_file, .force = o.force});
}

} // namespace

void register_import_key_pair(Commands& commands)
{
  auto* app = commands.add(
    "import-key-pair",
    "Import a PEM private key (PKCS#8, SEC1 EC or PKCS#1 RSA) and write it encrypted in cosign's format",
    "  SIGIL_PASSWORD=... sigil import-key-pair --key existing.pem\n"
    "  sigil import-key-pair --key rsa.pem --output-key-prefix release --password-file pass.txt\n");
  auto o = std::make_shared<Options>();
  app->add_option("--key", o->key, "PEM private key to import (path or env://VAR)")->required();
  app->add_option("--output-key-prefix", o->prefix, "Write PREFIX.key and PREFIX.pub")->capture_default_str();
  app->add_option("--password-file", o->password_file, "Read the new password from FILE");
  app->add_flag("--force,-f", o->force, "Overwrite existing key files");
  commands.set_run(app, [o] { return run(*o); });
}

} // namespace sigil::cli
