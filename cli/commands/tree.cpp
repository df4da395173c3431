// sigil tree
#include "command.hpp"
#include "output.hpp"
#include "registry_flags.hpp"

#include "sigil/attachments/tree.hpp"
#include "sigil/registry/signature_repository.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  std::string image;
  std::string output = "text";
  RegistryFlags registry;
};

util::OrderedJson descriptor_json(const oci::Descriptor& d)
{
  util::OrderedJson j;
  j["digest"] = d.digest.str();
  j["mediaType"] = d.media_type;
  j["size"] = d.size;
  if (d.artifact_type) {
    j["artifactType"] = *d.artifact_type;
  }
  if (d.platform) {
    j["platform"] = d.platform->str();
  }
  return j;
}

std::string render_json(const attachments::ImageTree& t)
{
  util::OrderedJson j;
  j["image"] = t.image.str();
  j["mediaType"] = t.media_type;
  util::OrderedJson tags = util::OrderedJson::array();
  for (const auto& tag : t.tags) {
    util::OrderedJson tj;
    tj["kind"] = tag.kind;
    tj["tag"] = tag.tag;
    tj["layers"] = util::OrderedJson::array();
    for (const auto& l : tag.layers) {
      tj["layers"].push_back(descriptor_json(l));
    }
    tags.push_back(tj);
  }
  j["tags"] = tags;
  j["referrersApi"] = t.referrers_api;
  j["referrers"] = util::OrderedJson::array();
  for (const auto& r : t.referrers) {
    j["referrers"].push_back(descriptor_json(r));
  }
  j["platforms"] = util::OrderedJson::array();
  for (const auto& p : t.platforms) {
    j["platforms"].push_back(descriptor_json(p));
  }
  return util::dump_json(j) + "\n";
}

// The tree on stdout. Every name and type in it came from the registry: each is formatted in
// through Text, so none can add a line or an escape sequence to the drawing.
Text render_text(const attachments::ImageTree& t)
{
  std::vector<std::vector<Text>> sections; // each: a heading line, then its leaves
  for (const auto& p : t.platforms) {
    sections.push_back({Text::format("platform {}: {}", p.platform ? p.platform->str() : "unknown", p.digest.str())});
  }
  for (const auto& tag : t.tags) {
    std::vector<Text> s{Text::format("{} ({})", tag.kind, tag.tag)};
    for (std::size_t i = 0; i < tag.layers.size(); ++i) {
      s.push_back(Text::format("{}{}", i + 1 == tag.layers.size() ? "└── " : "├── ", tag.layers[i].digest.str()));
    }
    sections.push_back(std::move(s));
  }
  if (!t.referrers.empty()) {
    std::vector<Text> s{Text::format("referrers ({})", t.referrers_api ? "referrers API" : "fallback tag")};
    for (std::size_t i = 0; i < t.referrers.size(); ++i) {
      const auto& r = t.referrers[i];
      s.push_back(Text::format("{}{} {}", i + 1 == t.referrers.size() ? "└── " : "├── ", r.digest.str(),
                               r.artifact_type.value_or(r.media_type)));
    }
    sections.push_back(std::move(s));
  }
  Text out = Text::format("{}\n", t.image.str());
  if (sections.empty()) {
    out += Text::format("└── (nothing attached)\n");
    return out;
  }
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const bool last = i + 1 == sections.size();
    for (std::size_t j = 0; j < sections[i].size(); ++j) {
      const char* indent = j == 0 ? (last ? "└── " : "├── ") : (last ? "    " : "│   ");
      out += Text::format("{}{}\n", indent, sections[i][j]);
    }
  }
  return out;
}

} // namespace

void register_tree(Commands& commands)
{
  auto* app = commands.add("tree",
                           "Show what is attached to an image, as a tree (JSON with -o json).\n"
                           "Lists the signatures, attestations and SBOMs at cosign's tags and the OCI referrers.\n"
                           "Prints text whether or not stdout is a terminal (as cosign tree does); -o json for machines.",
                           "  sigil tree registry.example.com/app:1.2\n"
                           "  sigil tree registry.example.com/app@sha256:... -o json\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->image, "Image reference (tag or digest)")->required();
  app->add_option("-o,--output", o->output, "Output format (text unless -o json, also when piped)")
    ->check(CLI::IsMember({"text", "json"}));
  add_registry_flags(app, o->registry);
  add_local_flag(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()]() -> Result<int> {
    SIGIL_TRY_ASSIGN(auto ref, parse_image(o->image));
    auto session = open_session(o->registry, global);
    SIGIL_TRY_ASSIGN(auto repo, registry::signature_repository(ref));
    SIGIL_TRY_ASSIGN(auto tree, attachments::collect_tree(session->client(), ref, repo));
    if (o->output == "json") {
      print_result(render_json(tree));
    } else {
      print_text(render_text(tree));
    }
    return 0;
  });
}

} // namespace sigil::cli
