// sigil login
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/registry/credentials.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string registry;
  std::string username;
  bool password_stdin = false;
  std::string password; // -p/--password: docker's and cosign's, discouraged
  RegistryFlags flags;
};

// The password: from stdin (--password-stdin), or, as docker and cosign allow, from -p/--password
// with docker's warning (the value is never printed).
Result<std::string> login_password(Options& o)
{
  if (o.password_stdin && !o.password.empty()) {
    util::wipe(o.password);
    return fail(ErrorCode::usage, "--password and --password-stdin are mutually exclusive: use --password-stdin");
  }
  if (!o.password.empty()) {
    print_warning("using --password on the command line is insecure: the password lands in your shell history and is "
                  "visible to other users in the process list; use --password-stdin");
    std::string password = o.password;
    util::wipe(o.password);
    return password;
  }
  if (!o.password_stdin) {
    return fail(ErrorCode::usage, "pass the password on standard input with --password-stdin");
  }
  return util::read_stdin(64 * 1024);
}

Result<int> run(Options o, const GlobalOptions& global)
{
  SIGIL_TRY_ASSIGN(auto password, login_password(o));
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  auto ref = oci::Reference::parse(o.registry + "/x");
  if (!ref || o.registry.find('/') != std::string::npos) {
    return fail(ErrorCode::usage, fmt::format("\"{}\" is not a registry host (e.g. registry.example.com:5000)", o.registry));
  }
  // Check the credentials against the registry before saving them.
  o.flags.username = o.username;
  o.flags.password = password;
  o.flags.source = "the user name and password given to sigil login";
  auto session = open_session(o.flags, global);
  auto ok = session->client().ping(ref->registry());
  if (!ok) {
    util::wipe(password);
    return fail(ok.error().context(fmt::format("logging in to {}", ref->registry())));
  }
  auto path = registry::login({.registry = ref->registry(), .username = o.username, .password = util::as_bytes(password)});
  util::wipe(password);
  util::wipe(o.flags.password);
  if (!path) {
    return fail(path.error());
  }
  print_info("Login succeeded; credentials saved in {}", *path);
  return 0;
}

} // namespace

void register_login(Commands& commands)
{
  auto* app = commands.add("login",
                           "Log in to a registry and save the credentials in docker's config.json.\n"
                           "The file is written with mode 0600, where sigil, docker, podman, skopeo and cosign find them.",
                           "  echo \"$CI_REGISTRY_PASSWORD\" | sigil login \"$CI_REGISTRY\" -u \"$CI_REGISTRY_USER\" --password-stdin\n");
  auto o = std::make_shared<Options>();
  app->add_option("registry", o->registry, "Registry host[:port]")->required();
  app->add_option("-u,--username", o->username, "User name")->required();
  app->add_flag("--password-stdin", o->password_stdin, "Read the password from standard input");
  app->add_option("-p,--password", o->password,
                  "The password (insecure: it lands in shell history; use --password-stdin)");
  app->add_option("--ca-file,--registry-cacert", o->flags.ca_file, "CA certificates (PEM) trusted for registry TLS");
  app->add_flag("--allow-insecure-registry", o->flags.allow_insecure, "Do not verify the registry's TLS certificate");
  app->add_flag("--allow-http-registry", o->flags.allow_http, "Allow plain HTTP");
  commands.set_run(app, [o, &global = commands.global()] { return run(*o, global); });
}

} // namespace sigil::cli
