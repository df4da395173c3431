// sigil resolve
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

namespace sigil::cli {

namespace {

struct Options {
  std::string image;
  RegistryFlags registry;
};

} // namespace

void register_resolve(Commands& commands)
{
  auto* app = commands.add("resolve", "Resolve an image reference to its digest: prints REGISTRY/REPOSITORY@sha256:...",
                           "  sigil resolve registry.example.com/app:1.2\n"
                           "  sigil resolve alpine   # index.docker.io/library/alpine@sha256:...\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->image, "Image reference (tag or digest)")->required();
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()]() -> Result<int> {
    SIGIL_TRY_ASSIGN(const auto ref, resolve_image(o->registry, global, o->image));
    print_text("{}\n", ref.str());
    return 0;
  });
}

} // namespace sigil::cli
