// sigil: argv -> options -> one lib call -> rendered result and exit status.
#include "command.hpp"
#include "cosign_flags.hpp"
#include "output.hpp"
#include "suggest.hpp"

#include "sigil/core/result.hpp"
#include "sigil/http/transport.hpp"
#include "sigil/util/string.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <span>
#include <string_view>
#include <vector>

namespace sigil::cli {

CLI::App* Commands::add(const std::string& name, const std::string& description, const std::string& examples)
{
  // The first line is the summary listed by 'sigil --help'; further lines go to the footer.
  const auto nl = description.find('\n');
  CLI::App* app = m_root.add_subcommand(name, description.substr(0, nl));
  const std::string details = nl == std::string::npos ? "" : "\n" + description.substr(nl + 1) + "\n";
  app->footer(details + "\nExamples:\n" + examples);
  app->fallthrough();
  m_commands.push_back(Command{app, {}});
  return app;
}

void Commands::set_run(CLI::App* app, std::function<Result<int>()> run)
{
  for (auto& c : m_commands) {
    if (c.app == app) {
      c.run = std::move(run);
    }
  }
}

namespace {

// A repeatable option (--key, -a, --match) takes one value per occurrence: without this,
// CLI11 lets `--key a.pub IMG1 IMG2` swallow the images as more keys.
void one_value_per_flag(CLI::App& app)
{
  for (CLI::Option* opt : app.get_options()) {
    if (!opt->get_positional() && opt->get_items_expected_max() > 1) {
      opt->allow_extra_args(false);
    }
  }
  for (CLI::App* sub : app.get_subcommands({})) {
    one_value_per_flag(*sub);
  }
}

// A boolean option taking a value (--check-claims=false) shows its default as true/false in
// --help, not CLI11's "BOOLEAN=1".
void readable_boolean_defaults(CLI::App& app)
{
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_type_name() == "BOOLEAN") {
      const std::string def = opt->get_default_str();
      opt->type_name("true|false");
      if (def == "1" || def == "0") {
        opt->default_str(def == "1" ? "true" : "false");
      }
    }
  }
  for (CLI::App* sub : app.get_subcommands({})) {
    readable_boolean_defaults(*sub);
  }
}

// Usage errors never echo a secret (DESIGN.md §4). CLI11 quotes the arguments it could not
// place, so `sigil login --password s3cret` (meant: --password-stdin) would print the password.
// A value given to an option whose name says password/passwd/token/secret (or -p), attached
// with '=' or following it, is looked up in CLI11's message; when it is there, the message
// names the option instead and the value is not printed.
struct SecretArgument {
  std::string option; // as typed, without "=value"
  std::string value;
};

bool secret_option_name(std::string_view name)
{
  const std::string lower = util::to_lower(name);
  return lower == "-p" || std::ranges::any_of(std::array{"password", "passwd", "token", "secret"},
                                              [&](const char* word) { return lower.find(word) != std::string::npos; });
}

// Whether `name` is a flag (an option taking no value) of the app or one of its subcommands.
bool known_flag(const CLI::App& app, const std::string& name)
{
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_expected_max() == 0 && opt->check_name(name)) {
      return true;
    }
  }
  return std::ranges::any_of(app.get_subcommands({}), [&](const CLI::App* sub) { return known_flag(*sub, name); });
}

std::vector<SecretArgument> secret_arguments(const CLI::App& app, std::span<char* const> args)
{
  std::vector<SecretArgument> out;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with('-') || arg == "-" || arg == "--") {
      continue;
    }
    const bool long_option = arg.starts_with("--");
    const auto eq = arg.find('=');
    std::string name(arg.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : std::string(arg.substr(eq + 1));
    if (!long_option && arg.size() > 2 && secret_option_name(arg.substr(0, 2))) {
      name = arg.substr(0, 2); // -pVALUE
      value = arg.substr(2);
    }
    if (!secret_option_name(name)) {
      continue;
    }
    if (eq == std::string_view::npos && value.empty() && !known_flag(app, name) && i + 1 < args.size()) {
      value = args[i + 1];
    }
    if (!value.empty()) {
      out.push_back({std::move(name), std::move(value)});
    }
  }
  return out;
}

std::string usage_message(std::string_view what, const std::vector<SecretArgument>& secrets)
{
  std::vector<std::string> options;
  for (const auto& s : secrets) {
    if (what.find(s.value) != std::string_view::npos && std::ranges::find(options, s.option) == options.end()) {
      options.push_back(s.option);
    }
  }
  if (options.empty()) {
    return std::string(what);
  }
  return fmt::format("invalid use of {} (its value is not shown: it may be a secret); check the option's name, "
                     "and pass secrets on stdin or in the environment",
                     fmt::join(options, ", "));
}

// Whether `name` (without "=value") is an option of the app or one of its subcommands.
bool known_option(const CLI::App& app, const std::string& name)
{
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->get_positional() && opt->check_name(name)) {
      return true;
    }
  }
  // Only the command being run: an option of another command is unknown here.
  return std::ranges::any_of(app.get_subcommands(), [&](const CLI::App* sub) { return known_option(*sub, name); });
}

// A word where a command was expected: named only when it is near a command (a typo is not a
// secret); anything else is not shown.
std::string unknown_command_message(const CLI::App& app, std::span<char* const> args)
{
  if (&parsed_command(app) == &app) {
    for (std::size_t i = 1; i < args.size(); ++i) {
      const std::string_view arg = args[i];
      if (arg.starts_with('-')) {
        continue;
      }
      if (auto near = nearest_name(arg, command_names(app)); !near.empty()) {
        return fmt::format("unknown command {}; did you mean {}? (run 'sigil {} --help' for usage)", arg, near, near);
      }
      return fmt::format("unknown command (not shown: it may be a secret) ({})", help_hint(app));
    }
  }
  return fmt::format(
    "unexpected arguments (not shown: one may be a secret); check the command line against the command's --help ({})",
    help_hint(app));
}

// Arguments CLI11 could not place are never quoted: a misspelt secret option (--pasword S,
// --registry-passwor=S) is unknown, so no list of secret names can catch its value. The
// message names the unknown options without their values and only counts the rest.
std::string extras_message(const CLI::App& app, std::span<char* const> args)
{
  std::vector<std::string> unknown;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--") {
      break;
    }
    if (!arg.starts_with('-') || arg == "-") {
      continue;
    }
    std::string name(arg.substr(0, arg.find('=')));
    if (!arg.starts_with("--") && name.size() > 2) {
      name.resize(2); // -xVALUE
    }
    if (!known_option(app, name) && std::ranges::find(unknown, name) == unknown.end()) {
      unknown.push_back(std::move(name));
    }
  }
  const CLI::App& command = parsed_command(app);
  if (unknown.empty()) {
    return unknown_command_message(app, args);
  }
  // A name that is near one of the command's options is a typo, not a secret: say which.
  std::vector<std::string> meant;
  for (const auto& name : unknown) {
    if (auto near = nearest_name(name, option_names(command)); !near.empty()) {
      meant.push_back(std::move(near));
    }
  }
  return fmt::format("unknown option {} (values not shown: they may be secrets){} ({})", fmt::join(unknown, ", "),
                     meant.empty() ? "" : fmt::format("; did you mean {}?", fmt::join(meant, ", ")), help_hint(app));
}

// A usage error a command found after parsing: the secret values it quotes become "***".
std::string scrub_secrets(std::string message, const std::vector<SecretArgument>& secrets)
{
  for (const auto& s : secrets) {
    for (auto at = message.find(s.value); at != std::string::npos; at = message.find(s.value, at + 3)) {
      message.replace(at, s.value.size(), "***");
    }
  }
  return message;
}

// Every command, in the order 'sigil --help' lists them. `network`: the command always talks to
// a registry (unless --local), so libcurl is loaded while its arguments and keys are read.
struct Registration {
  std::string_view name;
  void (*add)(Commands&);
  bool network = false;
};
constexpr std::array k_registrations{
    Registration{"version", register_version},
    Registration{"generate-key-pair", register_generate_key_pair},
    Registration{"import-key-pair", register_import_key_pair},
    Registration{"public-key", register_public_key},
    Registration{"sign-blob", register_sign_blob},
    Registration{"verify-blob", register_verify_blob},
    Registration{"sign", register_sign, true},
    Registration{"verify", register_verify, true},
    Registration{"attest", register_attest, true},
    Registration{"provenance", register_provenance},
    Registration{"verify-attestation", register_verify_attestation, true},
    Registration{"attest-blob", register_attest_blob},
    Registration{"verify-blob-attestation", register_verify_blob_attestation},
    Registration{"gate", register_gate, true},
    Registration{"download", register_download, true},
    Registration{"clean", register_clean, true},
    Registration{"resolve", register_resolve, true},
    Registration{"triangulate", register_triangulate, true},
    Registration{"tree", register_tree, true},
    Registration{"copy", register_copy, true},
    Registration{"save", register_save, true},
    Registration{"load", register_load, true},
    Registration{"login", register_login, true},
    Registration{"env", register_env},
    Registration{"trusted-root", register_trusted_root},
    Registration{"signing-config", register_signing_config},
    Registration{"trust", register_trust},
    Registration{"policy", register_policy},
};

// The command the arguments name, when the first one that is not a global option (-d/--verbose,
// --output-file FILE) is a command's name. Only that command's options are then declared: declaring all of them (CLI11
// checks each new option against the others) was a third of a fresh process's work. Anything
// else (no command, --help, a misspelt command) declares every command, so help and errors
// read as before.
const Registration* named_command(std::span<char* const> args)
{
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "-d" || arg == "--verbose" || arg.starts_with("--output-file=")) {
      continue;
    }
    if (arg == "--output-file") {
      ++i;
      continue;
    }
    const auto* it = std::ranges::find(k_registrations, arg, &Registration::name);
    return it == k_registrations.end() ? nullptr : &*it;
  }
  return nullptr;
}

void register_commands(Commands& commands, std::span<char* const> args)
{
  if (const Registration* one = named_command(args)) {
    one->add(commands);
    return;
  }
  for (const auto& r : k_registrations) {
    r.add(commands);
  }
}

// Loads libcurl on a thread of its own when the named command will use the network (not for
// --local layouts, --help or a usage error caught before): ~4 ms that argument parsing, key
// loading and OpenSSL's set-up overlap. Joined when run_main returns, before static destructors.
util::JoiningThread preload_network(std::span<char* const> args)
{
  const Registration* command = named_command(args);
  if (command == nullptr || !command->network) {
    return {};
  }
  const bool offline = std::ranges::any_of(args.subspan(1), [](const char* a) {
    const std::string_view arg = a;
    return arg == "--local" || arg.starts_with("--local=") || arg == "--help" || arg == "-h";
  });
  return offline ? util::JoiningThread{} : http::preload_transport();
}

int run_main(int argc, char** argv)
{
  const util::JoiningThread preload = preload_network(std::span<char* const>(argv, static_cast<std::size_t>(argc)));
  CLI::App app{"sigil signs container images and release artifacts, and verifies what was signed.\n"
               "Compatible with cosign, podman, skopeo and Kyverno.",
               "sigil"};
  app.footer("\nExamples:\n"
             "  sigil generate-key-pair\n"
             "  sigil sign-blob release.tar.gz --key sigil.key --bundle release.tar.gz.sigstore.json\n"
             "  sigil verify-blob release.tar.gz --key sigil.pub --bundle release.tar.gz.sigstore.json\n"
             "\nExit statuses:\n"
             "  0 success                     14 no attestation of the requested type\n"
             "  1 other error                 15 a policy condition failed\n"
             "  2 usage                       20 registry or network failure\n"
             "  10 no signatures found        21 authentication refused\n"
             "  11 image or tag not found     30 bad input file or wrong password\n"
             "  12 none verified              70 internal error\n"
             "  13 no certificate on a signature\n"
             "\nRun 'sigil COMMAND --help' for a command's options. See sigil(1).");
  GlobalOptions global;
  app.add_flag("--verbose,-d", global.verbose, "Log each registry request (secrets redacted)");
  std::string output_file;
  add_output_file_flag(app, output_file);
  app.require_subcommand(0, 1);

  Commands commands(app, global);
  register_commands(commands, std::span<char* const>(argv, static_cast<std::size_t>(argc)));

  one_value_per_flag(app);
  readable_boolean_defaults(app);
  const auto secrets = secret_arguments(app, std::span<char* const>(argv, static_cast<std::size_t>(argc)));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError&) {
    print_error("{}", extras_message(app, std::span<char* const>(argv, static_cast<std::size_t>(argc))));
    return exit_status(ErrorCode::usage);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      return app.exit(e);
    }
    print_error("{} ({})", usage_message(e.what(), secrets), help_hint(app));
    return exit_status(ErrorCode::usage);
  }
  if (auto redirected = redirect_stdout(output_file); !redirected) {
    print_error("{}", redirected.error().message);
    return exit_status(redirected.error().code);
  }
  for (const auto& c : commands.all()) {
    if (c.app->parsed() && c.run) {
      auto result = c.run();
      if (!result) {
        const bool usage = result.error().code == ErrorCode::usage;
        print_error("{}", usage ? scrub_secrets(result.error().message, secrets) : result.error().message);
        return exit_status(result.error().code);
      }
      return *result;
    }
  }
  fmt::print("{}", app.help()); // sigil's own help text: nothing from outside in it
  return argc > 1 ? exit_status(ErrorCode::usage) : 0;
}

} // namespace

} // namespace sigil::cli

int main(int argc, char** argv)
{
  try {
    return sigil::cli::run_main(argc, argv);
  } catch (const std::exception& e) {
    sigil::cli::print_error("internal error: {}", e.what());
    return sigil::exit_status(sigil::ErrorCode::internal);
  }
}
