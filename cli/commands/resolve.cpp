// sigil resolve, sigil triangulate
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/registry/signature_repository.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string image;
  std::string type = "signature";
  RegistryFlags registry;
};

Result<oci::Reference> resolve_image(const Options& o, registry::Session& session)
{
  auto ref = parse_image(o.image);
  if (!ref) {
    return fail(ref.error());
  }
  auto resolved = session.client().resolve(*ref);
  if (!resolved) {
    return fail(resolved.error());
  }
  return ref->with_digest(resolved->digest);
}

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
    auto session = open_session(o->registry, global);
    auto ref = resolve_image(*o, *session);
    if (!ref) {
      return fail(ref.error());
    }
    print_text("{}\n", ref->str());
    return 0;
  });
}

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
    auto session = open_session(o->registry, global);
    auto ref = resolve_image(*o, *session);
    if (!ref) {
      return fail(ref.error());
    }
    if (o->type == "digest") {
      print_text("{}\n", ref->str());
      return 0;
    }
    auto repo = registry::signature_repository(*ref);
    if (!repo) {
      return fail(repo.error());
    }
    const std::string suffix = o->type == "signature" ? "sig" : o->type == "attestation" ? "att" : "sbom";
    print_text("{}:{}\n", repo->name(), oci::signature_tag(*ref->digest(), suffix));
    return 0;
  });
}

} // namespace sigil::cli
