// sigil triangulate
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/registry/signature_repository.hpp"

namespace sigil::cli {

namespace {

struct Options {
  std::string image;
  std::string type = "signature";
  RegistryFlags registry;
};

} // namespace

void register_triangulate(Commands& commands)
{
  auto* app = commands.add("triangulate",
                           "Print where sigil and cosign store an image's signatures, attestations or SBOM\n"
                           "(the tag in the image's repository, or in SIGIL_REPOSITORY / COSIGN_REPOSITORY).",
                           "  sigil triangulate registry.example.com/app:1.2\n"
                           "  sigil triangulate registry.example.com/app@sha256:... --type attestation\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->image, "Image reference (tag or digest)")->required();
  app->add_option("--type", o->type, "What to locate")
      ->check(CLI::IsMember({"signature", "attestation", "sbom", "digest"}))
      ->capture_default_str();
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()]() -> Result<int> {
    SIGIL_TRY_ASSIGN(const auto ref, resolve_image(o->registry, global, o->image));
    if (o->type == "digest") {
      print_text("{}\n", ref.str());
      return 0;
    }
    SIGIL_TRY_ASSIGN(auto repo, registry::signature_repository(ref));
    const std::string suffix = o->type == "signature" ? "sig" : o->type == "attestation" ? "att" : "sbom";
    print_text("{}:{}\n", repo.name(), oci::signature_tag(*ref.digest(), suffix));
    return 0;
  });
}

} // namespace sigil::cli
