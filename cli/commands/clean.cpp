// sigil clean
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/attachments/download.hpp"

#include <fmt/format.h>

#include <iostream>
#include <unistd.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string image;
  std::string type = "all";
  bool force = false;
  RegistryFlags registry;
};

// Without -f: the list of what would go, then one question on the terminal.
Result<void> confirm_clean(const Options& o, const oci::Reference& image,
                           const std::vector<attachments::CleanItem>& items)
{
  if (o.force) {
    return {};
  }
  if (::isatty(STDIN_FILENO) != 1) {
    return fail(ErrorCode::usage, "refusing to delete without confirmation: pass -f (no terminal to ask on)");
  }
  for (const auto& item : items) {
    print_info("Would delete {}", item.name);
  }
  print_prompt("Delete these {} object(s), the {} of {}? [y/N] ", items.size(), o.type, image.str());
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "y" && answer != "Y" && answer != "yes") {
    return fail(ErrorCode::other, "not confirmed; nothing deleted");
  }
  return {};
}

} // namespace

void register_clean(Commands& commands)
{
  auto* app = commands.add("clean",
                           "Delete an image's signatures, attestations and/or bundle referrers from the registry.\n"
                           "Only what is the image's: a referrer whose subject is another image is skipped\n"
                           "and said so. Lists what it would delete and asks on a terminal unless -f;\n"
                           "refuses without -f when there is no terminal.",
                           "  sigil clean registry.example.com/app@sha256:... --type signature -f\n"
                           "  sigil clean registry.example.com/app:1.2 --type all\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->image, "Image reference")->required();
  app->add_option("--type", o->type, "What to delete")
      ->check(CLI::IsMember({"signature", "attestation", "referrer", "all"}))
      ->capture_default_str();
  app->add_flag("-f,--force", o->force, "Do not ask for confirmation");
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()]() -> Result<int> {
    auto session = open_session(o->registry, global);
    SIGIL_TRY_ASSIGN(auto target, resolve_target(*session, o->image));
    const auto scope = o->type == "signature"     ? attachments::CleanScope::signatures
                       : o->type == "attestation" ? attachments::CleanScope::attestations
                       : o->type == "referrer"    ? attachments::CleanScope::referrers
                                                  : attachments::CleanScope::all;
    SIGIL_TRY_ASSIGN(auto plan, attachments::plan_clean(session->client(), target.image, target.repo, scope));
    for (const auto& line : plan.skipped) {
      print_info("{}", line);
    }
    if (plan.to_delete.empty()) {
      print_info("Nothing to delete");
      return 0;
    }
    SIGIL_TRY(confirm_clean(*o, target.image, plan.to_delete));
    SIGIL_TRY_ASSIGN(auto result, attachments::clean(session->client(), target.repo, plan));
    for (const auto& d : result.deleted) {
      print_info("Deleted {}", d);
    }
    return 0;
  });
}

} // namespace sigil::cli
