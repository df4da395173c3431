// sigil: argv -> options -> one lib call -> rendered result and exit status.
#include "command.hpp"
#include "output.hpp"

#include "sigil/core/result.hpp"

#include <fmt/format.h>

#include <exception>

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

int run_main(int argc, char** argv)
{
  CLI::App app{"sigil signs container images and release artifacts, and verifies what was signed.\n"
               "Compatible with cosign, podman, skopeo and Kyverno.",
               "sigil"};
  app.footer("\nExamples:\n"
             "  sigil generate-key-pair\n"
             "  sigil sign-blob release.tar.gz --key sigil.key --bundle release.tar.gz.sigstore.json\n"
             "  sigil verify-blob release.tar.gz --key sigil.pub --bundle release.tar.gz.sigstore.json\n"
             "\nRun 'sigil COMMAND --help' for a command's options. See sigil(1).");
  GlobalOptions global;
  app.add_flag("--verbose,-d", global.verbose, "Log each registry request (secrets redacted)");
  app.require_subcommand(0, 1);

  Commands commands(app, global);
  register_version(commands);
  register_generate_key_pair(commands);
  register_import_key_pair(commands);
  register_public_key(commands);
  register_sign_blob(commands);
  register_verify_blob(commands);
  register_sign(commands);
  register_verify(commands);
  register_attest(commands);
  register_provenance(commands);
  register_verify_attestation(commands);
  register_attest_blob(commands);
  register_verify_blob_attestation(commands);
  register_download(commands);
  register_clean(commands);
  register_resolve(commands);
  register_triangulate(commands);
  register_tree(commands);
  register_login(commands);
  register_env(commands);

  one_value_per_flag(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      return app.exit(e);
    }
    print_error("{} (run 'sigil --help' for usage)", e.what());
    return exit_status(ErrorCode::usage);
  }
  for (const auto& c : commands.all()) {
    if (c.app->parsed() && c.run) {
      auto result = c.run();
      if (!result) {
        print_error("{}", result.error().message);
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
