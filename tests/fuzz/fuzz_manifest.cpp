// Fuzz target: OCI/Docker manifests and indexes (sigil::oci::parse_manifest, parse_index,
// manifest_kind, serialize_manifest, serialize_index).
//
// Invariants:
//   * what parses respects the limits: at most k_max_descriptors entries, every digest well
//     formed, no negative size;
//   * serialize(parse(x)) parses again to the same manifest or index (non-string annotation
//     keys aside, which are reported, not kept), and serialising that gives the same bytes;
//   * manifest_kind agrees: a manifest whose mediaType names an image manifest is an image
//     whatever the Content-Type; what serialize_manifest writes is an image and what
//     serialize_index writes an index;
//   * errors are bad_input.
#include "fuzz.hpp"

#include "sigil/oci/manifest.hpp"
#include "sigil/oci/media_types.hpp"

#include <algorithm>
#include <array>

namespace {

using sigil::ErrorCode;
using sigil::oci::Descriptor;
using sigil::oci::Index;
using sigil::oci::Manifest;
using sigil::oci::ManifestKind;
namespace media_type = sigil::oci::media_type;

constexpr std::array<std::string_view, 4> k_content_types{
    "", "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8", "application/json"};

bool same_descriptor(const Descriptor& a, const Descriptor& b)
{
  const auto platform_text = [](const Descriptor& d) { return d.platform ? d.platform->str() : std::string("-"); };
  return a.media_type == b.media_type && a.digest == b.digest && a.size == b.size && a.annotations == b.annotations &&
         a.artifact_type == b.artifact_type && a.platform.has_value() == b.platform.has_value() &&
         platform_text(a) == platform_text(b);
}

bool same_descriptors(const std::vector<Descriptor>& a, const std::vector<Descriptor>& b)
{
  return std::ranges::equal(a, b, same_descriptor);
}

bool same_subject(const std::optional<Descriptor>& a, const std::optional<Descriptor>& b)
{
  return a.has_value() == b.has_value() && (!a || same_descriptor(*a, *b));
}

void check_descriptor(const Descriptor& d)
{
  SIGIL_FUZZ_CHECK(d.digest.is_valid());
  SIGIL_FUZZ_CHECK(d.size >= 0);
}

void check_manifest(std::string_view bytes, const Manifest& m)
{
  SIGIL_FUZZ_CHECK(m.layers.size() <= sigil::oci::k_max_descriptors);
  SIGIL_FUZZ_CHECK(!media_type::is_index(m.media_type));
  check_descriptor(m.config);
  std::ranges::for_each(m.layers, check_descriptor);
  if (m.subject) {
    check_descriptor(*m.subject);
  }
  const std::string written = sigil::oci::serialize_manifest(m);
  auto again = sigil::oci::parse_manifest(written);
  SIGIL_FUZZ_CHECK(again.has_value());
  SIGIL_FUZZ_CHECK(again->media_type == m.media_type && again->artifact_type == m.artifact_type);
  SIGIL_FUZZ_CHECK(same_descriptor(again->config, m.config));
  SIGIL_FUZZ_CHECK(same_descriptors(again->layers, m.layers));
  SIGIL_FUZZ_CHECK(same_subject(again->subject, m.subject));
  SIGIL_FUZZ_CHECK(again->annotations == m.annotations);
  SIGIL_FUZZ_CHECK(sigil::oci::serialize_manifest(*again) == written);
  auto written_kind = sigil::oci::manifest_kind(written, "");
  SIGIL_FUZZ_CHECK(written_kind.has_value() && *written_kind == ManifestKind::image);
  if (media_type::is_image_manifest(m.media_type)) {
    for (const auto content_type : k_content_types) {
      auto kind = sigil::oci::manifest_kind(bytes, content_type);
      SIGIL_FUZZ_CHECK(kind.has_value() && *kind == ManifestKind::image);
    }
  }
}

void check_index(std::string_view bytes, const Index& idx)
{
  SIGIL_FUZZ_CHECK(idx.manifests.size() <= sigil::oci::k_max_descriptors);
  SIGIL_FUZZ_CHECK(!media_type::is_image_manifest(idx.media_type));
  std::ranges::for_each(idx.manifests, check_descriptor);
  const std::string written = sigil::oci::serialize_index(idx);
  auto again = sigil::oci::parse_index(written);
  SIGIL_FUZZ_CHECK(again.has_value());
  SIGIL_FUZZ_CHECK(again->media_type == (idx.media_type.empty() ? media_type::oci_index : idx.media_type));
  SIGIL_FUZZ_CHECK(again->artifact_type == idx.artifact_type);
  SIGIL_FUZZ_CHECK(same_descriptors(again->manifests, idx.manifests));
  SIGIL_FUZZ_CHECK(same_subject(again->subject, idx.subject));
  SIGIL_FUZZ_CHECK(again->annotations == idx.annotations);
  SIGIL_FUZZ_CHECK(sigil::oci::serialize_index(*again) == written);
  auto written_kind = sigil::oci::manifest_kind(written, "");
  SIGIL_FUZZ_CHECK(written_kind.has_value() && *written_kind == ManifestKind::index);
  if (media_type::is_index(idx.media_type)) {
    for (const auto content_type : k_content_types) {
      auto kind = sigil::oci::manifest_kind(bytes, content_type);
      SIGIL_FUZZ_CHECK(kind.has_value() && *kind == ManifestKind::index);
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view bytes = sigil::fuzz::as_text(data, size);
  for (const auto content_type : k_content_types) {
    if (auto kind = sigil::oci::manifest_kind(bytes, content_type); !kind) {
      SIGIL_FUZZ_CHECK(kind.error().code == ErrorCode::bad_input);
    }
  }
  if (auto manifest = sigil::oci::parse_manifest(bytes)) {
    check_manifest(bytes, *manifest);
  } else {
    SIGIL_FUZZ_CHECK(manifest.error().code == ErrorCode::bad_input);
  }
  if (auto index = sigil::oci::parse_index(bytes)) {
    check_index(bytes, *index);
  } else {
    SIGIL_FUZZ_CHECK(index.error().code == ErrorCode::bad_input);
  }
  return 0;
}
