// sigil::gate Kubernetes manifests (yaml-cpp; kept out of every fuzz target's sources).
#include "sigil/gate/manifest.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>

namespace sigil::gate {

namespace {

constexpr std::array<std::string_view, 3> k_container_fields{"containers", "initContainers", "ephemeralContainers"};
// Deepest nesting of List items read (a List of Lists is legal, a loop is not possible in a
// tree, but the depth is bounded all the same).
constexpr int k_max_list_depth = 4;
// Deepest nesting of YAML collections walked.
constexpr int k_max_tree_depth = 200;
// Keys that hold images in the pod specs of the kinds read here; an unknown kind with any of
// them anywhere may run images kubectl would apply unchecked.
constexpr std::array<std::string_view, 4> k_image_keys{"containers", "initContainers", "ephemeralContainers", "image"};
// Kinds that are not workloads but may hold those keys as data or schema.
constexpr std::array<std::string_view, 3> k_inert_kinds{"ConfigMap", "Secret", "CustomResourceDefinition"};

struct Doc {
  std::string_view text;
  const std::string& file;
  std::vector<std::size_t> line_starts; // byte offset of each line
  std::size_t number = 0;               // 1-based document number
  std::size_t visited = 0;              // YAML nodes walked, against k_max_nodes (aliases repeat)
  FindOptions options;
  std::vector<std::string>* unchecked = nullptr;
};

std::vector<std::size_t> line_starts(std::string_view text)
{
  // yaml-cpp's columns on the first line start after a byte order mark.
  std::vector<std::size_t> starts{text.starts_with("\xEF\xBB\xBF") ? std::size_t{3} : std::size_t{0}};
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

// kubectl splits a stream at every line that starts with --- followed by nothing, blanks or a
// comment (---#x too); yaml-cpp only at --- alone or followed by a blank. Lines that the two
// read differently are refused.
Result<void> check_separators(const Doc& doc)
{
  for (std::size_t i = 0; i < doc.line_starts.size(); ++i) {
    const auto line = doc.text.substr(doc.line_starts[i]);
    if (!line.starts_with("---") || line.size() == 3) {
      continue;
    }
    const char next = line[3];
    if (next != ' ' && next != '\t' && next != '\n' && next != '\r') {
      const auto end = line.find('\n');
      return fail(ErrorCode::bad_input,
                  fmt::format("{}:{}:1: {:?} starts with --- but is not a document marker (kubectl and YAML split "
                              "it differently); write --- alone on its line",
                              doc.file, i + 1, line.substr(0, std::min<std::size_t>(end, 40))));
    }
  }
  return {};
}

Result<void> count_node(Doc& doc, const YAML::Node& node)
{
  if (++doc.visited > k_max_nodes) {
    return fail(ErrorCode::bad_input, fmt::format("{}: more than {} YAML nodes in one file (nested aliases?); "
                                                  "pass the manifests written out",
                                                  at(doc, node.Mark()), k_max_nodes));
  }
  return {};
}

// One mapping: no key twice (yaml-cpp's lookup finds the first, kubectl keeps the last), no
// merge key << (kubectl resolves it, yaml-cpp does not).
Result<void> check_keys(const Doc& doc, const YAML::Node& map)
{
  std::set<std::string> keys;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) {
      continue;
    }
    const auto& key = kv.first.Scalar();
    if (key == "<<") {
      return fail(ErrorCode::bad_input, fmt::format("{}: merge key << is not supported (kubectl resolves it, sigil "
                                                    "does not); write the mapping out in full",
                                                    at(doc, kv.first.Mark())));
    }
    if (!keys.insert(key).second) {
      return fail(ErrorCode::bad_input, fmt::format("{}: key {:?} appears twice in one mapping (kubectl uses the "
                                                    "last); remove the duplicate",
                                                    at(doc, kv.first.Mark()), key));
    }
  }
  return {};
}

// Every node of a document: the key checks, the node cap and the depth cap; `image_key` is
// set to the first key of k_image_keys seen.
Result<void> check_tree(Doc& doc, const YAML::Node& node, int depth, std::optional<std::string>& image_key)
{
  SIGIL_TRY(count_node(doc, node));
  if (depth > k_max_tree_depth) {
    return fail(ErrorCode::bad_input, fmt::format("{}: YAML nested deeper than {}", at(doc, node.Mark()),
                                                  k_max_tree_depth));
  }
  if (node.IsMap()) {
    SIGIL_TRY(check_keys(doc, node));
    for (const auto& kv : node) {
      if (!image_key && kv.first.IsScalar() && std::ranges::find(k_image_keys, kv.first.Scalar()) != k_image_keys.end()) {
        image_key = kv.first.Scalar();
      }
      SIGIL_TRY(check_tree(doc, kv.second, depth + 1, image_key));
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      SIGIL_TRY(check_tree(doc, item, depth + 1, image_key));
    }
  }
  return {};
}

struct Workload {
  std::string kind;
  std::string name;
};

struct Entry {
  std::string_view field; // "containers", ... or "volumes"
  const YAML::Node& node; // the container or the volume
  const YAML::Node& image; // its image scalar
};

Result<void> read_image(const Doc& doc, const Workload& w, const Entry& e, std::vector<ImageOccurrence>& out)
{
  if (out.size() >= k_max_occurrences) {
    return fail(ErrorCode::bad_input, fmt::format("{}: more than {} images in one file (YAML aliases?)", doc.file,
                                                  k_max_occurrences));
  }
  const auto& image = e.image;
  if (!image.IsDefined() || !image.IsScalar() || image.Scalar().empty()) {
    return fail(ErrorCode::bad_input,
                e.field == "volumes"
                  ? fmt::format("{}: {}/{}: an image volume has no image.reference; write image: {{reference: "
                                "NAME[:TAG][@DIGEST]}}", at(doc, e.node.Mark()), w.kind, w.name)
                  : fmt::format("{}: {}/{}: an entry of {} has no image; every container needs "
                                "image: NAME[:TAG][@DIGEST]", at(doc, e.node.Mark()), w.kind, w.name, e.field));
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
                 .container = string_field(e.node, "name").value_or(""), .field = std::string(e.field),
                 .text = image.Scalar(), .image = std::move(*ref), .offset = place.first,
                 .line = static_cast<std::size_t>(mark.line) + 1, .column = static_cast<std::size_t>(mark.column) + 1,
                 .quoting = place.second});
  return {};
}

// The containers of every list, and the image volumes (spec.volumes[].image.reference).
Result<void> read_pod_spec(const Doc& doc, const Workload& w, const YAML::Node& spec, std::vector<ImageOccurrence>& out)
{
  for (const auto field : k_container_fields) {
    const auto list = child(spec, std::string(field).c_str());
    for (std::size_t i = 0; list.IsSequence() && i < list.size(); ++i) {
      const auto c = list[i];
      const auto image = child(c, "image");
      SIGIL_TRY(read_image(doc, w, {.field = field, .node = c, .image = image}, out));
    }
  }
  const auto volumes = child(spec, "volumes");
  for (std::size_t i = 0; volumes.IsSequence() && i < volumes.size(); ++i) {
    const auto v = volumes[i];
    const auto source = child(v, "image");
    if (source.IsDefined() && !source.IsNull()) {
      const auto image = child(source, "reference");
      SIGIL_TRY(read_image(doc, w, {.field = "volumes", .node = v, .image = image}, out));
    }
  }
  return {};
}

// A kind the gate does not know, with keys where images may hide: refused, or listed as not
// checked with --allow-unknown-kinds.
Result<void> unknown_kind(Doc& doc, const YAML::Node& object, const Workload& w)
{
  if (std::ranges::find(k_inert_kinds, w.kind) != k_inert_kinds.end()) {
    return {};
  }
  // Walked once already with the document, within the cap: not counted twice.
  const auto visited = doc.visited;
  std::optional<std::string> image_key;
  SIGIL_TRY(check_tree(doc, object, 0, image_key));
  doc.visited = visited;
  if (!image_key) {
    return {};
  }
  if (!doc.options.allow_unknown_kinds) {
    return fail(ErrorCode::bad_input,
                fmt::format("{}: document {}: {}/{}: kind {} is not one the gate reads, and it has {} keys; render it "
                            "to a Pod-spec kind, or pass --allow-unknown-kinds to list it as not checked",
                            at(doc, object.Mark()), doc.number, w.kind, w.name, w.kind, *image_key));
  }
  if (doc.unchecked != nullptr) {
    doc.unchecked->push_back(fmt::format("{}: document {}: {}/{} (line {})", doc.file, doc.number, w.kind, w.name,
                                         object.Mark().line + 1));
  }
  return {};
}

Result<void> read_object(Doc& doc, const YAML::Node& object, int depth, std::vector<ImageOccurrence>& out)
{
  SIGIL_TRY(count_node(doc, object));
  const auto kind = string_field(object, "kind");
  if (!kind || kind->empty()) {
    return fail(ErrorCode::bad_input, fmt::format("{}: document {} is not a Kubernetes object (a mapping with a kind); "
                                                  "pass rendered manifests (helm template, kustomize build)",
                                                  at(doc, object.Mark()), doc.number));
  }
  if (*kind == "Kustomization") {
    return fail(ErrorCode::bad_input, fmt::format("{}: document {} is a kustomize Kustomization, not rendered "
                                                  "manifests; gate the output of kustomize build (or kubectl "
                                                  "kustomize) instead",
                                                  at(doc, object.Mark()), doc.number));
  }
  // kubectl applies any object with items as a List, whatever its kind.
  const auto items = child(object, "items");
  if (items.IsDefined() && !items.IsNull()) {
    if (depth >= k_max_list_depth) {
      return fail(ErrorCode::bad_input, fmt::format("{}: Lists nested deeper than {}", at(doc, object.Mark()),
                                                    k_max_list_depth));
    }
    if (!items.IsSequence()) {
      return fail(ErrorCode::bad_input, fmt::format("{}: items of a {} is not a list; kubectl reads every object "
                                                    "with items as a List",
                                                    at(doc, items.Mark()), *kind));
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      SIGIL_TRY(read_object(doc, items[i], depth + 1, out));
    }
    return {};
  }
  const Workload w{*kind, string_field(path(object, {"metadata"}), "name").value_or("")};
  const auto spec = pod_spec(object, *kind);
  if (!spec.IsDefined()) {
    return unknown_kind(doc, object, w);
  }
  if (!spec.IsMap()) {
    return {};
  }
  return read_pod_spec(doc, w, spec, out);
}

} // namespace

std::string ImageOccurrence::where() const
{
  const char* what = field == "containers"       ? "container"
                     : field == "initContainers" ? "init container"
                     : field == "volumes"        ? "volume"
                                                 : "ephemeral container";
  return fmt::format("{}: document {}: {}/{}: {} {} (line {})", file, document, kind, name, what,
                     container.empty() ? std::string("(no name)") : container, line);
}

Result<std::vector<ImageOccurrence>> find_images(std::string_view text, const std::string& file,
                                                 const FindOptions& options, std::vector<std::string>* unchecked)
{
  Doc doc{.text = text, .file = file, .line_starts = line_starts(text), .options = options, .unchecked = unchecked};
  SIGIL_TRY(check_separators(doc));
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
      std::optional<std::string> image_key;
      SIGIL_TRY(check_tree(doc, node, 0, image_key));
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
