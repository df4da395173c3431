// sigil::oci manifests and indexes: parsed with limits, serialised for what sigil writes.
//
// Parsing keeps what verification needs and bounds what a hostile registry can make us
// hold (DESIGN.md §3.5): at most 1000 layers or child manifests. Annotation values that are
// not strings are not dropped silently: the descriptor lists their keys.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/reference.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::oci {

constexpr std::size_t k_max_descriptors = 1000;

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;

  [[nodiscard]] std::string str() const; // "linux/arm64/v8"
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  std::int64_t size = 0;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> non_string_annotations; // keys whose value was not a string
  std::optional<std::string> artifact_type;
  std::optional<Platform> platform;
};

struct Manifest {
  std::string media_type; // from the document (may be empty for old Docker manifests)
  std::optional<std::string> artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

struct Index {
  std::string media_type;
  std::optional<std::string> artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

enum class ManifestKind { image, index };

// The kind from the document's mediaType, else from the Content-Type, else by shape.
[[nodiscard]] Result<ManifestKind> manifest_kind(std::string_view bytes, std::string_view content_type);

// What a registry client learns from a manifest's bytes with one JSON parse: its kind (as
// manifest_kind), its media type (the document's mediaType, else content_type as given), and,
// for an image manifest that parse_manifest accepts, the parsed manifest (nullopt otherwise:
// parse_manifest on the bytes then says why).
struct ManifestShape {
  ManifestKind kind = ManifestKind::image;
  std::string media_type;
  std::optional<Manifest> image;
};
[[nodiscard]] Result<ManifestShape> manifest_shape(std::string_view bytes, std::string_view content_type);

[[nodiscard]] Result<Manifest> parse_manifest(std::string_view bytes);
[[nodiscard]] Result<Index> parse_index(std::string_view bytes);

// Compact JSON in the field order go-containerregistry writes.
[[nodiscard]] std::string serialize_manifest(const Manifest& manifest);
[[nodiscard]] std::string serialize_index(const Index& index);

} // namespace sigil::oci
