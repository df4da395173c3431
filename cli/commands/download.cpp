// sigil download signature|attestation, sigil clean
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/registry/signature_repository.hpp"
#include "sigil/signature/download.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

#include <iostream>
#include <unistd.h>

namespace sigil::cli {

namespace {

// Upper bound of --max-entries: each entry is held in memory until all are printed.
constexpr std::size_t k_max_entries = 10'000;

struct Options {
  std::string image;
  std::string type = "all";
  bool force = false;
  std::size_t max_entries = 100;
  RegistryFlags registry;
};

struct Target {
  oci::Reference image;
  registry::Repository repo;
};

Result<Target> resolve_target(registry::Session& session, const std::string& text)
{
  auto ref = parse_image(text);
  if (!ref) {
    return fail(ref.error());
  }
  auto resolved = session.client().resolve(*ref);
  if (!resolved) {
    return fail(resolved.error());
  }
  auto repo = registry::signature_repository(*ref);
  if (!repo) {
    return fail(repo.error());
  }
  return Target{ref->with_digest(resolved->digest), *repo};
}

void register_download_kind(Commands& commands, CLI::App* parent, const std::string& name,
                            signature::AttachmentKind kind)
{
  auto* app = parent->add_subcommand(name, fmt::format("Print an image's {}s as JSON lines", name));
  app->footer(fmt::format("\nExamples:\n  sigil download {} registry.example.com/app@sha256:...\n", name));
  app->fallthrough();
  commands.add_nested(app);
  auto o = std::make_shared<Options>();
  app->add_option("image", o->image, "Image reference")->required();
  app->add_option("--max-entries", o->max_entries, fmt::format("Refuse more entries than this (at most {})", k_max_entries))
    ->check(CLI::Range(std::size_t{1}, k_max_entries))
    ->capture_default_str();
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, kind, &global = commands.global()]() -> Result<int> {
    auto session = open_session(o->registry, global);
    auto target = resolve_target(*session, o->image);
    if (!target) {
      return fail(target.error());
    }
    auto lines = signature::download(session->client(), target->image, target->repo, kind, o->max_entries);
    if (!lines) {
      return fail(lines.error());
    }
    for (const auto& line : *lines) {
      // JSON (re-serialised by nlohmann, controls escaped) as is; anything else is bytes from
      // the registry, escaped like all outside text.
      if (util::parse_json(line)) {
        print_result(line + "\n");
      } else {
        print_text("{}\n", line);
      }
    }
    return lines->empty() ? exit_status(ErrorCode::no_signatures) : 0;
  });
}

// Without -f: the list of what would go, then one question on the terminal.
Result<void> confirm_clean(const Options& o, const oci::Reference& image, const std::vector<signature::CleanItem>& items)
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

void register_download(Commands& commands)
{
  auto* app = commands.add("download", "Download what is attached to an image (signatures, attestations)",
                           "  sigil download signature registry.example.com/app@sha256:...\n"
                           "  sigil download attestation registry.example.com/app:1.2\n");
  app->require_subcommand(1);
  register_download_kind(commands, app, "signature", signature::AttachmentKind::signature);
  register_download_kind(commands, app, "attestation", signature::AttachmentKind::attestation);
}

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
    auto target = resolve_target(*session, o->image);
    if (!target) {
      return fail(target.error());
    }
    const auto scope = o->type == "signature"     ? signature::CleanScope::signatures
                       : o->type == "attestation" ? signature::CleanScope::attestations
                       : o->type == "referrer"    ? signature::CleanScope::referrers
                                                  : signature::CleanScope::all;
    auto plan = signature::plan_clean(session->client(), target->image, target->repo, scope);
    if (!plan) {
      return fail(plan.error());
    }
    for (const auto& line : plan->skipped) {
      print_info("{}", line);
    }
    if (plan->to_delete.empty()) {
      print_info("Nothing to delete");
      return 0;
    }
    if (auto ok = confirm_clean(*o, target->image, plan->to_delete); !ok) {
      return fail(ok.error());
    }
    auto result = signature::clean(session->client(), target->repo, *plan);
    if (!result) {
      return fail(result.error());
    }
    for (const auto& d : result->deleted) {
      print_info("Deleted {}", d);
    }
    return 0;
  });
}

} // namespace sigil::cli
