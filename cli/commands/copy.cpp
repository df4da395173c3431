// sigil copy
#include "command.hpp"
#include "copy_output.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/copy/engine.hpp"
#include "sigil/registry/signature_repository.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string source;
  std::string destination;
  bool recursive = false;
  std::string only;
  std::string platform;
  bool force = false;
  std::string output;
  RegistryFlags registry;
};

// The destination's tag: its own, else the source's (none when the source is a digest).
Result<std::optional<std::string>> destination_tag(const oci::Reference& src, const oci::Reference& dst,
                                                   const std::string& text)
{
  if (dst.digest()) {
    return fail(ErrorCode::usage, fmt::format("destination {} has a digest; give a repository, with a tag or without",
                                              text));
  }
  if (!dst.tag_implied()) {
    return dst.tag();
  }
  return src.digest() ? std::optional<std::string>{} : src.tag();
}

Result<int> run(const Options& o, const GlobalOptions& global)
{
  SIGIL_TRY_ASSIGN(const auto src, parse_image(o.source));
  SIGIL_TRY_ASSIGN(const auto dst, parse_image(o.destination));
  SIGIL_TRY_ASSIGN(const auto tag, destination_tag(src, dst, o.destination));
  copy::Only only;
  if (!o.only.empty()) {
    SIGIL_TRY_ASSIGN(only, copy::parse_only(o.only));
  }
  auto session = open_session(o.registry, global);
  SIGIL_TRY_ASSIGN(auto src_attachments, registry::signature_repository(src));
  SIGIL_TRY_ASSIGN(auto dst_attachments, registry::signature_repository(dst));
  auto from = copy::registry_store(session->client(), registry::Repository::of(src), std::move(src_attachments));
  auto to = copy::registry_store(session->client(), registry::Repository::of(dst), std::move(dst_attachments));
  copy::CopyRequest request{.source = *from,
                            .destination = *to,
                            .source_ref = src.identifier(),
                            .dest_tag = tag,
                            .recursive = o.recursive,
                            .only = only,
                            .platform = o.platform.empty() ? std::nullopt : std::optional(o.platform),
                            .force = o.force,
                            .progress = terminal_progress()};
  auto report = copy::copy_image(request);
  end_progress();
  SIGIL_TRY(report);
  const std::string dst_name = tag ? fmt::format("{}:{}", dst.name(), *tag) : dst.name();
  if (o.output == "json") {
    print_result(util::dump_json(report_json(src.str(), dst_name, *report)) + "\n");
  } else if (global.verbose) {
    print_report(src.str(), dst_name, *report);
  }
  return 0;
}

} // namespace

void register_copy(Commands& commands)
{
  auto* app = commands.add(
    "copy",
    "Copy an image with everything attached to it (signatures, attestations, SBOMs, referrers).\n"
    "Copies the manifest or index and every platform\n"
    "child, its blobs (mounted across repositories of one registry, streamed otherwise), then\n"
    "cosign's .sig/.att/.sbom tags and every OCI referrer, byte for byte, so that digests and\n"
    "signatures stay valid. Blobs first, then manifests, then attachments: an interrupted copy\n"
    "never leaves a signature without its image, and running it again completes it. Signatures\n"
    "already at the destination are merged with the copied ones, never overwritten.",
    "  sigil copy build.example.com/app:1.2 prod.example.com/app\n"
    "  sigil copy build.example.com/app@sha256:... prod.example.com/app:1.2 --only sig,referrers\n"
    "  sigil copy build.example.com/app:1.2 mirror.example.com/app --platform linux/amd64 -o json\n");
  auto o = std::make_shared<Options>();
  app->add_option("source", o->source, "Image to copy (tag or digest)")->required();
  app->add_option("destination", o->destination, "Repository to copy to, with a tag or without (then the source's)")
    ->required();
  app->add_flag("-r,--recursive", o->recursive, "Also copy the attachments of every platform image of an index");
  app->add_option("--only", o->only, "Copy only these attachments: a comma-separated list of sig, att, sbom, referrers");
  app->add_option("--platform", o->platform, "Copy only this platform's image of an index (os/arch[/variant])");
  app->add_flag("-f,--force", o->force, "Move the destination tag when it names another image");
  app->add_option("-o,--output", o->output, "Output format: json prints what was copied")
    ->check(CLI::IsMember({"text", "json"}));
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()]() { return run(*o, global); });
}

} // namespace sigil::cli
