// sigil download signature|attestation
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/attachments/download.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

// Upper bound of --max-entries: each entry is held in memory until all are printed.
constexpr std::size_t k_max_entries = 10'000;

struct Options {
  std::string image;
  std::size_t max_entries = 100;
  RegistryFlags registry;
};

void register_download_kind(Commands& commands, CLI::App* parent, const std::string& name,
                            attachments::AttachmentKind kind)
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
    SIGIL_TRY_ASSIGN(auto target, resolve_target(*session, o->image));
    SIGIL_TRY_ASSIGN(auto lines,
                     attachments::download(session->client(), target.image, target.repo, kind, o->max_entries));
    for (const auto& line : lines) {
      // JSON (re-serialised by nlohmann, controls escaped) as is; anything else is bytes from
      // the registry, escaped like all outside text.
      if (util::parse_json(line)) {
        print_result(line + "\n");
      } else {
        print_text("{}\n", line);
      }
    }
    return lines.empty() ? exit_status(ErrorCode::no_signatures) : 0;
  });
}

} // namespace

void register_download(Commands& commands)
{
  auto* app = commands.add("download", "Download what is attached to an image (signatures, attestations)",
                           "  sigil download signature registry.example.com/app@sha256:...\n"
                           "  sigil download attestation registry.example.com/app:1.2\n");
  app->require_subcommand(1);
  register_download_kind(commands, app, "signature", attachments::AttachmentKind::signature);
  register_download_kind(commands, app, "attestation", attachments::AttachmentKind::attestation);
}

} // namespace sigil::cli
