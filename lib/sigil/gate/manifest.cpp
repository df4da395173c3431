// sigil::gate Kubernetes manifests (yaml-cpp; kept out of every fuzz target's sources).
#include "sigil/gate/manifest.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <optional>

namespace sigil::gate {

namespace {

constexpr std::array<std::string_view, 3> k_container_fields{"containers", "initContainers", "ephemeralContainers"};
// Deepest nesting of List items read (a List of Lists is legal, a loop is not possible in a
// tree, but the depth is bounded all the same).
constexpr int k_max_list_depth = 4;

struct Doc {
  std::string_view text;
  const std::string& file;
  std::vector<std::size_t> line_starts; // byte offset of each line
  std::size_t number = 0;               // 1-based document number
};

std::vector<std::size_t> line_starts(std::string_view text)
{
  std::vector<std::size_t> starts{0};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      starts.push_back(i + 1);
    }
  }
  return starts;
}

std::string at(const Doc& doc, const YAML::Mark& mark)
{
  return fmt::format("{}:{}:{}", doc.file, mark.line + 1, mark.column + 1);
}

// map[key] without creating it (yaml-cpp's non-const operator[] adds a zombie key, and Node's
// operator= assigns into the tree: lookups here are const, and nodes are rebound with reset()).
YAML::Node child(const YAML::Node& map, const char* key)
{
  if (!map.IsMap()) {
    return YAML::Node(YAML::NodeType::Undefined);
  }
  const YAML::Node found = map[key];
  if (!found) {
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return found;
}

std::optional<std::string> string_field(const YAML::Node& map, const char* key)
{
  const auto node = child(map, key);
  if (!node.IsDefined() || !node.IsScalar()) {
    return std::nullopt;
  }
  return node.Scalar();
}

// map[k1][k2]... when every step is a mapping; an undefined node otherwise.
YAML::Node path(const YAML::Node& start, std::initializer_list<const char*> keys)
{
  YAML::Node node;
  node.reset(start);
  for (const char* key : keys) {
    const auto next = child(node, key);
    if (!next.IsDefined()) {
      return next;
    }
    node.reset(next);
  }
  return node;
}

// The pod spec of a workload kind, or an undefined node for other kinds.
YAML::Node pod_spec(const YAML::Node& object, std::string_view kind)
{
  if (kind == "Pod") {
    return path(object, {"spec"});
  }
  if (kind == "PodTemplate") {
    return path(object, {"template", "spec"});
  }
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "ReplicaSet" ||
      kind == "ReplicationController" || kind == "Job") {
    return path(object, {"spec", "template", "spec"});
  }
  if (kind == "CronJob") {
    return path(object, {"spec", "jobTemplate", "spec", "template", "spec"});
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

// Where the scalar starts in the text, checked against what yaml-cpp read: the image must be
// written there verbatim (plain, or quoted without escapes) for --pin to replace it.
Result<std::pair<std::size_t, Quoting>> locate(const Doc& doc, const YAML::Node& scalar)
{
  const auto mark = scalar.Mark();
  const auto line = static_cast<std::size_t>(mark.line);
  if (mark.line < 0 || line >= doc.line_starts.size()) {
    return fail(ErrorCode::internal, fmt::format("{}: image scalar has no position", doc.file));
  }
  const std::size_t offset = doc.line_starts[line] + static_cast<std::size_t>(mark.column);
  const auto& value = scalar.Scalar();
  const auto rest = doc.text.substr(std::min(offset, doc.text.size()));
  if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'')) {
    const char q = rest[0];
    if (rest.substr(1, value.size()) == value && rest.size() > value.size() + 1 && rest[value.size() + 1] == q) {
      return std::pair{offset, q == '"' ? Quoting::double_ : Quoting::single};
    }
  } else if (rest.substr(0, value.size()) == value) {
    return std::pair{offset, Quoting::plain};
  }
  return fail(ErrorCode::bad_input, fmt::format("{}: the image is not written as one plain or quoted scalar without "
                                                "escapes; write it on one line as image: NAME:TAG",
                                                at(doc, mark)));
}

struct Workload {
  std::string kind;
  std::string name;
};

Result<void> read_container(const Doc& doc, const Workload& w, std::string_view field, const YAML::Node& c,
                            std::vector<ImageOccurrence>& out)
{
  if (out.size() >= k_max_occurrences) {
    return fail(ErrorCode::bad_input, fmt::format("{}: more than {} images in one file (YAML aliases?)", doc.file,
                                                  k_max_occurrences));
  }
  const auto image = child(c, "image");
  if (!image.IsDefined() || !image.IsScalar() || image.Scalar().empty()) {
    return fail(ErrorCode::bad_input, fmt::format("{}: {}/{}: an entry of {} has no image; every container needs "
                                                  "image: NAME[:TAG][@DIGEST]",
                                                  at(doc, c.Mark()), w.kind, w.name, field));
  }
  auto ref = oci::Reference::parse(image.Scalar());
  if (!ref) {
    return fail(ErrorCode::bad_input, fmt::format("{}: {}/{}: image {:?} is not a valid reference: {}",
                                                  at(doc, image.Mark()), w.kind, w.name, image.Scalar(),
                                                  ref.error().message));
  }
  SIGIL_TRY_ASSIGN(const auto place, locate(doc, image));
  const auto mark = image.Mark();
  out.push_back({.file = doc.file, .document = doc.number, .kind = w.kind, .name = w.name,
                 .container = string_field(c, "name").value_or(""), .field = std::string(field),
                 .text = image.Scalar(), .image = std::move(*ref), .offset = place.first,
                 .line = static_cast<std::size_t>(mark.line) + 1, .column = static_cast<std::size_t>(mark.column) + 1,
                 .quoting = place.second});
  return {};
}

Result<void> read_object(const Doc& doc, const YAML::Node& object, int depth, std::vector<ImageOccurrence>& out)
{
  const auto kind = string_field(object, "kind");
  if (!kind || kind->empty()) {
    return fail(ErrorCode::bad_input, fmt::format("{}: document {} is not a Kubernetes object (a mapping with a kind); "
                                                  "pass rendered manifests (helm template, kustomize build)",
                                                  at(doc, object.Mark()), doc.number));
  }
  if (*kind == "List" || (kind->size() > 4 && kind->ends_with("List"))) {
    if (depth >= k_max_list_depth) {
      return fail(ErrorCode::bad_input, fmt::format("{}: Lists nested deeper than {}", at(doc, object.Mark()),
                                                    k_max_list_depth));
    }
    const auto items = child(object, "items");
    for (std::size_t i = 0; items.IsSequence() && i < items.size(); ++i) {
      SIGIL_TRY(read_object(doc, items[i], depth + 1, out));
    }
    return {};
  }
  const auto spec = pod_spec(object, *kind);
  if (!spec.IsDefined() || !spec.IsMap()) {
    return {};
  }
  const Workload w{*kind, string_field(path(object, {"metadata"}), "name").value_or("")};
  for (const auto field : k_container_fields) {
    const auto list = child(spec, std::string(field).c_str());
    for (std::size_t i = 0; list.IsSequence() && i < list.size(); ++i) {
      SIGIL_TRY(read_container(doc, w, field, list[i], out));
    }
  }
  return {};
}

} // namespace

std::string ImageOccurrence::where() const
{
  const char* what = field == "containers" ? "container" : field == "initContainers" ? "init container"
                                                                                       : "ephemeral container";
  return fmt::format("{}: document {}: {}/{}: {} {} (line {})", file, document, kind, name, what,
                     container.empty() ? std::string("(no name)") : container, line);
}

Result<std::vector<ImageOccurrence>> find_images(std::string_view text, const std::string& file)
{
  Doc doc{text, file, line_starts(text)};
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::bad_input, fmt::format("{}:{}:{}: not valid YAML: {}", file, e.mark.line + 1,
                                                  e.mark.column + 1, e.msg));
  }
  std::vector<ImageOccurrence> out;
  try {
    for (const auto& node : documents) {
      ++doc.number;
      if (node.IsNull() || !node.IsDefined()) {
        continue;
      }
      SIGIL_TRY(read_object(doc, node, 0, out));
    }
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::bad_input, fmt::format("{}: document {}: {}", file, doc.number, e.msg));
  }
  // In the order of the text (a pod spec may list initContainers after containers).
  std::ranges::stable_sort(out, {}, &ImageOccurrence::offset);
  return out;
}

} // namespace sigil::gate
