// sigil save, sigil load
#include "command.hpp"
#include "copy_output.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/copy/engine.hpp"
#include "sigil/copy/layout_store.hpp"
#include "sigil/copy/layout_tar.hpp"
#include "sigil/registry/signature_repository.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <random>

namespace sigil::cli {

namespace {

namespace fs = std::filesystem;

// A scratch directory for a --tar layout, removed with everything in it when done.
class ScratchDir {
public:
  explicit ScratchDir(fs::path path) : m_path(std::move(path)) {}
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir()
  {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  const fs::path& path() const { return m_path; }

private:
  fs::path m_path;
};

fs::path scratch_name(const fs::path& near, std::string_view what)
{
  std::random_device rd;
  return near / fmt::format(".sigil-{}-{:08x}", what, rd());
}

Result<void> one_of_dir_tar(const std::string& dir, const std::string& tar)
{
  if (dir.empty() == tar.empty()) {
    return fail(ErrorCode::usage, "give either --dir DIR (a layout directory) or --tar FILE (a layout tar archive)");
  }
  return {};
}

struct SaveOptions {
  std::vector<std::string> images;
  std::string dir;
  std::string tar;
  std::string output;
  RegistryFlags registry;
};

struct LoadOptions {
  std::string dir;
  std::string tar;
  std::string destination;
  std::string output;
  RegistryFlags registry;
};

void emit(const std::string& output, const GlobalOptions& global, util::OrderedJson& all, const std::string& source,
          const std::string& destination, const copy::CopyReport& report)
{
  if (output == "json") {
    all.push_back(report_json(source, destination, report));
  } else if (global.verbose) {
    print_report(source, destination, report);
  }
}

Result<int> run_save(const SaveOptions& o, const GlobalOptions& global)
{
  std::vector<oci::Reference> refs;
  for (const auto& text : o.images) {
    SIGIL_TRY_ASSIGN(auto ref, parse_image(text));
    refs.push_back(std::move(ref));
  }
  SIGIL_TRY(one_of_dir_tar(o.dir, o.tar));
  std::optional<ScratchDir> scratch;
  if (!o.tar.empty()) { // saved as a layout next to the archive, archived, then removed
    const fs::path parent = fs::absolute(fs::path(o.tar)).parent_path();
    scratch.emplace(scratch_name(parent, "save"));
  }
  const std::string dir = scratch ? scratch->path().string() : o.dir;
  const std::string label = scratch ? o.tar : o.dir;
  SIGIL_TRY_ASSIGN(auto layout, copy::create_layout_store(dir));
  auto session = open_session(o.registry, global);
  util::OrderedJson all = util::OrderedJson::array();
  for (const auto& ref : refs) {
    SIGIL_TRY_ASSIGN(auto attachments_repo, registry::signature_repository(ref));
    auto from = copy::registry_store(session->client(), registry::Repository::of(ref), std::move(attachments_repo));
    const std::optional<std::string> tag = ref.digest() ? std::nullopt : ref.tag();
    auto report = copy::copy_image({.source = *from,
                                    .destination = *layout,
                                    .source_ref = ref.identifier(),
                                    .dest_tag = tag,
                                    .recursive = true,
                                    .only = {},
                                    .platform = std::nullopt,
                                    .force = true,
                                    .progress = terminal_progress()});
    end_progress();
    SIGIL_TRY_CONTEXT(report, ref.str());
    emit(o.output, global, all, ref.str(), fmt::format("{} {}", label, tag.value_or(report->digest.str())), *report);
  }
  if (scratch) {
    SIGIL_TRY_CONTEXT(copy::write_layout_tar(dir, o.tar), o.tar);
  }
  if (o.output == "json") {
    print_result(util::dump_json(all) + "\n");
  }
  return 0;
}

Result<int> load_layout(const LoadOptions& o, const GlobalOptions& global, const std::string& dir,
                        const std::string& label)
{
  SIGIL_TRY_ASSIGN(const auto dst, parse_image(o.destination));
  SIGIL_TRY_ASSIGN(const auto images, copy::layout_images(dir));
  if (dst.digest()) {
    return fail(ErrorCode::usage, fmt::format("destination {} has a digest; give a repository", o.destination));
  }
  if (!dst.tag_implied() && images.size() != 1) {
    return fail(ErrorCode::usage, fmt::format("{} holds {} images; a tag on the destination needs exactly one (leave "
                                              "the tag out to keep each image's own)",
                                              label, images.size()));
  }
  if (images.empty()) {
    return fail(ErrorCode::not_found, fmt::format("{} names no image in its index.json", label));
  }
  SIGIL_TRY_ASSIGN(auto layout, copy::open_layout_store(dir));
  auto session = open_session(o.registry, global);
  SIGIL_TRY_ASSIGN(auto attachments_repo, registry::signature_repository(dst));
  auto to = copy::registry_store(session->client(), registry::Repository::of(dst), std::move(attachments_repo));
  util::OrderedJson all = util::OrderedJson::array();
  for (const auto& image : images) {
    const bool by_digest = image.name == image.digest.str();
    const std::optional<std::string> tag =
      !dst.tag_implied() ? dst.tag() : (by_digest ? std::nullopt : std::optional(image.name));
    auto report = copy::copy_image({.source = *layout,
                                    .destination = *to,
                                    .source_ref = image.name,
                                    .dest_tag = tag,
                                    .recursive = true,
                                    .only = {},
                                    .platform = std::nullopt,
                                    .force = true,
                                    .progress = terminal_progress()});
    end_progress();
    SIGIL_TRY_CONTEXT(report, fmt::format("{} {}", label, image.name));
    emit(o.output, global, all, fmt::format("{} {}", label, image.name),
         tag ? fmt::format("{}:{}", dst.name(), *tag) : dst.name(), *report);
  }
  if (o.output == "json") {
    print_result(util::dump_json(all) + "\n");
  }
  return 0;
}

Result<int> run_load(const LoadOptions& o, const GlobalOptions& global)
{
  SIGIL_TRY(one_of_dir_tar(o.dir, o.tar));
  if (o.tar.empty()) {
    return load_layout(o, global, o.dir, o.dir);
  }
  std::error_code ec;
  const ScratchDir scratch(scratch_name(fs::temp_directory_path(ec), "load"));
  SIGIL_TRY(copy::extract_layout_tar(o.tar, scratch.path()));
  return load_layout(o, global, scratch.path().string(), o.tar);
}

} // namespace

void register_save(Commands& commands)
{
  auto* app = commands.add(
    "save",
    "Save images with everything attached into an OCI image layout (for air-gapped networks).\n"
    "Saves signatures, attestations, SBOMs and referrers into an\n"
    "OCI image layout (image-layout 1.1: oci-layout, index.json naming each image by its tag in\n"
    "org.opencontainers.image.ref.name, blobs/sha256/), for moving into an air-gapped network.\n"
    "Saving into an existing layout adds to it.",
    "  sigil save registry.example.com/app:1.2 --dir ./app-layout\n"
    "  sigil save registry.example.com/app:1.2 registry.example.com/db:7 --dir ./bundle -o json\n"
    "  sigil save registry.example.com/app:1.2 --tar app.tar\n");
  auto o = std::make_shared<SaveOptions>();
  app->add_option("images", o->images, "Images to save (tag or digest)")->required();
  auto* dir = app->add_option("--dir", o->dir, "Directory of the OCI image layout (created when absent)");
  app->add_option("--tar", o->tar, "Write the layout as this one tar file instead (replaced when it exists)")
    ->excludes(dir);
  app->add_option("-o,--output", o->output, "Output format: json prints what was saved")
    ->check(CLI::IsMember({"text", "json"}));
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()]() { return run_save(*o, global); });
}

void register_load(Commands& commands)
{
  auto* app = commands.add(
    "load",
    "Push the images of an OCI image layout (sigil save, cosign save) with everything attached.\n"
    "Pushes the images of the layout (from `sigil save`, or `cosign save`) with everything\n"
    "attached into a repository: each image under its own tag, or under the destination's tag\n"
    "when the layout holds one image. Signatures already there are merged, never overwritten.",
    "  sigil load --dir ./app-layout registry.internal/app\n"
    "  sigil load --dir ./app-layout registry.internal/app:1.2 -o json\n"
    "  sigil load --tar app.tar registry.internal/app\n");
  auto o = std::make_shared<LoadOptions>();
  auto* dir = app->add_option("--dir", o->dir, "Directory of the OCI image layout");
  app->add_option("--tar", o->tar, "Tar file of the OCI image layout (from sigil save --tar) instead")->excludes(dir);
  app->add_option("destination", o->destination, "Repository to load into (a tag only for a one-image layout)")
    ->required();
  app->add_option("-o,--output", o->output, "Output format: json prints what was loaded")
    ->check(CLI::IsMember({"text", "json"}));
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()]() { return run_load(*o, global); });
}

} // namespace sigil::cli
