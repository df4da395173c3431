#include "sigil/oci/manifest.hpp"

#include "sigil/oci/media_types.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

namespace sigil::oci {

namespace {

using util::Json;
using util::OrderedJson;

Result<std::map<std::string, std::string>> parse_annotations(const Json& node, std::vector<std::string>* bad_keys)
{
  std::map<std::string, std::string> out;
  if (!node.contains("annotations") || node["annotations"].is_null()) {
    return out;
  }
  const Json& a = node["annotations"];
  if (!a.is_object()) {
    return fail(ErrorCode::bad_input, "annotations is not an object");
  }
  for (const auto& [key, value] : a.items()) {
    if (value.is_string()) {
      out.emplace(key, value.get<std::string>());
    } else if (bad_keys != nullptr) {
      bad_keys->push_back(key);
    } else {
      return fail(ErrorCode::bad_input, fmt::format("annotation \"{}\" is not a string", key));
    }
  }
  return out;
}

std::optional<std::string> optional_string(const Json& node, std::string_view key)
{
  if (node.is_object() && node.contains(key) && node[std::string(key)].is_string()) {
    return node[std::string(key)].get<std::string>();
  }
  return std::nullopt;
}

Result<Descriptor> parse_descriptor(const Json& node, std::string_view what)
{
  const auto bad = [&](const Error& e) { return fail(e.context(fmt::format("invalid {} descriptor", what))); };
  auto media_type = util::json_string(node, "mediaType");
  auto digest_text = util::json_string(node, "digest");
  auto size = util::json_int(node, "size");
  if (!media_type) {
    return bad(media_type.error());
  }
  if (!digest_text) {
    return bad(digest_text.error());
  }
  if (!size) {
    return bad(size.error());
  }
  if (*size < 0) {
    return bad(Error{ErrorCode::bad_input, "negative size"});
  }
  auto digest = parse_digest(*digest_text);
  if (!digest) {
    return bad(Error{ErrorCode::bad_input, digest.error().message});
  }
  Descriptor d{*media_type, *digest, *size, {}, {}, optional_string(node, "artifactType"), std::nullopt};
  auto annotations = parse_annotations(node, &d.non_string_annotations);
  if (!annotations) {
    return bad(annotations.error());
  }
  d.annotations = std::move(*annotations);
  if (node.contains("platform") && node["platform"].is_object()) {
    const Json& p = node["platform"];
    d.platform = Platform{optional_string(p, "os").value_or(""), optional_string(p, "architecture").value_or(""),
                          optional_string(p, "variant").value_or("")};
  }
  return d;
}

Result<std::vector<Descriptor>> parse_descriptor_list(const Json& doc, std::string_view key, std::string_view what)
{
  if (!doc.contains(key) || doc[std::string(key)].is_null()) {
    return std::vector<Descriptor>{};
  }
  SIGIL_TRY_ASSIGN(auto list, util::json_array(doc, key));
  if (list->size() > k_max_descriptors) {
    return fail(ErrorCode::bad_input,
                fmt::format("{} {} entries (more than the limit of {})", list->size(), key, k_max_descriptors));
  }
  std::vector<Descriptor> out;
  out.reserve(list->size());
  for (const auto& item : *list) {
    SIGIL_TRY_ASSIGN(auto d, parse_descriptor(item, what));
    out.push_back(std::move(d));
  }
  return out;
}

Result<void> check_document(const Json& doc)
{
  if (!doc.is_object()) {
    return fail(ErrorCode::bad_input, "manifest is not a JSON object");
  }
  auto version = util::json_int(doc, "schemaVersion");
  if (!version || *version != 2) {
    return fail(ErrorCode::bad_input, "unsupported manifest: schemaVersion is not 2");
  }
  return {};
}

Result<Json> parse_document(std::string_view bytes)
{
  SIGIL_TRY_ASSIGN(auto doc, util::parse_json(bytes));
  SIGIL_TRY(check_document(doc));
  return doc;
}

Result<ManifestKind> kind_of_document(const Json& doc, std::string_view content_type)
{
  if (!doc.is_object()) {
    return fail(ErrorCode::bad_input, "manifest is not a JSON object");
  }
  std::string mt = optional_string(doc, "mediaType").value_or("");
  if (mt.empty()) {
    mt = std::string(content_type.substr(0, content_type.find(';')));
  }
  if (media_type::is_index(mt)) {
    return ManifestKind::index;
  }
  if (media_type::is_image_manifest(mt)) {
    return ManifestKind::image;
  }
  if (doc.contains("manifests")) {
    return ManifestKind::index;
  }
  if (doc.contains("config") || doc.contains("layers")) {
    return ManifestKind::image;
  }
  return fail(ErrorCode::bad_input, fmt::format("unsupported manifest media type \"{}\"", mt));
}

OrderedJson descriptor_json(const Descriptor& d)
{
  OrderedJson j;
  j["mediaType"] = d.media_type;
  j["size"] = d.size;
  j["digest"] = d.digest.str();
  if (!d.annotations.empty()) {
    j["annotations"] = d.annotations;
  }
  if (d.platform) {
    OrderedJson p;
    p["architecture"] = d.platform->architecture;
    p["os"] = d.platform->os;
    if (!d.platform->variant.empty()) {
      p["variant"] = d.platform->variant;
    }
    j["platform"] = p;
  }
  if (d.artifact_type) {
    j["artifactType"] = *d.artifact_type;
  }
  return j;
}

Result<Manifest> manifest_from_document(const Json& doc)
{
  Manifest m;
  m.media_type = optional_string(doc, "mediaType").value_or("");
  if (media_type::is_index(m.media_type)) {
    return fail(ErrorCode::bad_input, "expected an image manifest, got an index");
  }
  m.artifact_type = optional_string(doc, "artifactType");
  auto config_node = util::json_object(doc, "config");
  if (!config_node) {
    return fail(config_node.error().context("invalid manifest"));
  }
  auto config = parse_descriptor(**config_node, "config");
  auto layers = parse_descriptor_list(doc, "layers", "layer");
  if (!config || !layers) {
    return fail((!config ? config.error() : layers.error()).context("invalid manifest"));
  }
  m.config = std::move(*config);
  m.layers = std::move(*layers);
  if (doc.contains("subject") && (doc)["subject"].is_object()) {
    auto subject = parse_descriptor((doc)["subject"], "subject");
    if (!subject) {
      return fail(subject.error().context("invalid manifest"));
    }
    m.subject = std::move(*subject);
  }
  auto annotations = parse_annotations(doc, nullptr);
  if (!annotations) {
    return fail(annotations.error().context("invalid manifest"));
  }
  m.annotations = std::move(*annotations);
  return m;
}

} // namespace

std::string Platform::str() const
{
  return variant.empty() ? fmt::format("{}/{}", os, architecture) : fmt::format("{}/{}/{}", os, architecture, variant);
}

Result<ManifestKind> manifest_kind(std::string_view bytes, std::string_view content_type)
{
  // On failure, the error says why: "invalid JSON: nested deeper than 64 levels", ...
  SIGIL_TRY_ASSIGN(auto doc, util::parse_json(bytes));
  return kind_of_document(doc, content_type);
}

Result<ManifestShape> manifest_shape(std::string_view bytes, std::string_view content_type)
{
  SIGIL_TRY_ASSIGN(auto doc, util::parse_json(bytes));
  SIGIL_TRY_ASSIGN(const auto kind, kind_of_document(doc, content_type));
  ManifestShape out{.kind = kind,
                    .media_type = optional_string(doc, "mediaType").value_or(std::string(content_type)),
                    .image = std::nullopt};
  if (kind == ManifestKind::image && check_document(doc)) {
    if (auto m = manifest_from_document(doc)) {
      out.image = std::move(*m);
    }
  }
  return out;
}

Result<Manifest> parse_manifest(std::string_view bytes)
{
  SIGIL_TRY_ASSIGN(auto doc, parse_document(bytes));
  return manifest_from_document(doc);
}

Result<Index> parse_index(std::string_view bytes)
{
  SIGIL_TRY_ASSIGN(auto doc, parse_document(bytes));
  Index idx;
  idx.media_type = optional_string(doc, "mediaType").value_or("");
  if (media_type::is_image_manifest(idx.media_type)) {
    return fail(ErrorCode::bad_input, "expected an index, got an image manifest");
  }
  idx.artifact_type = optional_string(doc, "artifactType");
  auto manifests = parse_descriptor_list(doc, "manifests", "manifest");
  if (!manifests) {
    return fail(manifests.error().context("invalid index"));
  }
  idx.manifests = std::move(*manifests);
  if (doc.contains("subject") && (doc)["subject"].is_object()) {
    auto subject = parse_descriptor((doc)["subject"], "subject");
    if (!subject) {
      return fail(subject.error().context("invalid index"));
    }
    idx.subject = std::move(*subject);
  }
  auto annotations = parse_annotations(doc, nullptr);
  if (!annotations) {
    return fail(annotations.error().context("invalid index"));
  }
  idx.annotations = std::move(*annotations);
  return idx;
}

std::string serialize_manifest(const Manifest& m)
{
  OrderedJson j;
  j["schemaVersion"] = 2;
  j["mediaType"] = m.media_type;
  if (m.artifact_type) {
    j["artifactType"] = *m.artifact_type;
  }
  j["config"] = descriptor_json(m.config);
  OrderedJson layers = OrderedJson::array();
  for (const auto& l : m.layers) {
    layers.push_back(descriptor_json(l));
  }
  j["layers"] = layers;
  if (m.subject) {
    j["subject"] = descriptor_json(*m.subject);
  }
  if (!m.annotations.empty()) {
    j["annotations"] = m.annotations;
  }
  return util::dump_json(j);
}

std::string serialize_index(const Index& idx)
{
  OrderedJson j;
  j["schemaVersion"] = 2;
  j["mediaType"] = idx.media_type.empty() ? std::string(media_type::oci_index) : idx.media_type;
  if (idx.artifact_type) {
    j["artifactType"] = *idx.artifact_type;
  }
  OrderedJson manifests = OrderedJson::array();
  for (const auto& d : idx.manifests) {
    manifests.push_back(descriptor_json(d));
  }
  j["manifests"] = manifests;
  if (idx.subject) {
    j["subject"] = descriptor_json(*idx.subject);
  }
  if (!idx.annotations.empty()) {
    j["annotations"] = idx.annotations;
  }
  return util::dump_json(j);
}

} // namespace sigil::oci
