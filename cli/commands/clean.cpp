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
  bool recursive = false;
  RegistryFlags registry;
};

// What --type deletes, for the question: "the signatures of IMAGE", "all the ... of IMAGE".
std::string_view clean_what(std::string_view type)
{
  if (type == "signature") {
    return "the signatures";
  }
  if (type == "attestation") {
    return "the attestations";
  }
  if (type == "referrer") {
    return "the bundle referrers";
  }
  return "all the signatures, attestations and bundle referrers";
}

// Without -f: the list of what would go, then one question on the terminal. False: the
// answer was no (not an error: the user chose, nothing was deleted).
Result<bool> confirm_clean(const Options& o, const oci::Reference& image, const attachments::CleanPlan& plan)
{
  const auto& items = plan.to_delete;
  if (o.force) {
    return true;
  }
  if (::isatty(STDIN_FILENO) != 1) {
    return fail(ErrorCode::usage, "refusing to delete without confirmation: pass -f (no terminal to ask on)");
  }
  for (const auto& item : items) {
    print_info("Would delete {}", item.name);
  }
  const auto platforms = plan.platforms == 0 ? std::string{}
                                            : fmt::format(" and its {} platform manifest(s)", plan.platforms);
  print_prompt("Delete these {} object(s), {} of {}{}? [y/N] ", items.size(), clean_what(o.type), image.str(),
               platforms);
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
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
                           "  sigil clean registry.example.com/app:1.2 --type all\n"
                           "  sigil clean registry.example.com/app@sha256:... --recursive -f\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->image, "Image reference")->required();
  app->add_option("--type", o->type, "What to delete")
      ->check(CLI::IsMember({"signature", "attestation", "referrer", "all"}))
      ->capture_default_str();
  app->add_flag("-f,--force", o->force, "Do not ask for confirmation");
  app->add_flag("-r,--recursive", o->recursive,
                "For an index, also delete the attachments of every platform manifest it lists");
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()]() -> Result<int> {
    auto session = open_session(o->registry, global);
    SIGIL_TRY_ASSIGN(auto target, resolve_target(*session, o->image));
    const auto scope = o->type == "signature"     ? attachments::CleanScope::signatures
                       : o->type == "attestation" ? attachments::CleanScope::attestations
                       : o->type == "referrer"    ? attachments::CleanScope::referrers
                                                  : attachments::CleanScope::all;
    SIGIL_TRY_ASSIGN(auto plan, attachments::plan_clean_index(session->client(), target.image, target.repo, scope,
                                                              o->recursive));
    for (const auto& line : plan.skipped) {
      print_info("{}", line);
    }
    if (plan.platforms_kept > 0) {
      print_info("{} is an index: the attachments of its {} platform manifest(s) are kept (add --recursive to "
                 "delete them too)",
                 target.image.str(), plan.platforms_kept);
    }
    if (plan.to_delete.empty()) {
      print_info("Nothing to delete");
      return 0;
    }
    SIGIL_TRY_ASSIGN(const bool confirmed, confirm_clean(*o, target.image, plan));
    if (!confirmed) {
      print_info("Not confirmed: nothing deleted");
      return 0;
    }
    SIGIL_TRY_ASSIGN(auto result, attachments::clean(session->client(), target.repo, plan));
    for (const auto& d : result.deleted) {
      print_info("Deleted {}", d);
    }
    return 0;
  });
}

} // namespace sigil::cli
