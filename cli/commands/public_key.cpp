// sigil public-key
#include "command.hpp"
#include "output.hpp"
#include "secrets.hpp"

#include "sigil/util/file.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string key;
  std::string outfile;
  std::string password_file;
};

Result<int> run(const Options& o)
{
  SIGIL_TRY_ASSIGN(auto key, open_signing_key(o.key, o.password_file, crypto::KeyFileMode::warn_insecure));
  const std::string pem = key.public_key().pem();
  if (o.outfile.empty()) {
    print_result(pem);
    return 0;
  }
  SIGIL_TRY(util::write_file_atomic({o.outfile, util::as_bytes(pem), 0644, util::Overwrite::yes}));
  print_info("Public key written to {}", o.outfile);
  return 0;
}

} // namespace

void register_public_key(Commands& commands)
{
  auto* app = commands.add("public-key", "Print the public key (PKIX PEM) of a private key",
                           "  sigil public-key --key sigil.key\n"
                           "  sigil public-key --key env://SIGNING_KEY --outfile sigil.pub\n");
  auto o = std::make_shared<Options>();
  app->add_option("--key", o->key, "Private key (path or env://VAR)")->required();
  app->add_option("--outfile", o->outfile, "Write the PEM to FILE instead of stdout");
  app->add_option("--password-file", o->password_file, "Read the key's password from FILE");
  commands.set_run(app, [o] { return run(*o); });
}

} // namespace sigil::cli
