// sigil::oci media types and annotation keys used by OCI, Docker, cosign and Sigstore.
#pragma once

#include <string_view>

namespace sigil::oci::media_type {

inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_manifest_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view oci_empty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view cosign_simple_signing = "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view dsse_envelope = "application/vnd.dsse.envelope.v1+json";
inline constexpr std::string_view sigstore_bundle_v03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
inline constexpr std::string_view in_toto = "application/vnd.in-toto+json";

// Accept header for manifest requests: every manifest and index type we read.
inline constexpr std::string_view manifest_accept =
  "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
  "application/vnd.docker.distribution.manifest.v2+json, "
  "application/vnd.docker.distribution.manifest.list.v2+json";

[[nodiscard]] constexpr bool is_index(std::string_view mt)
{
  return mt == oci_index || mt == docker_manifest_list;
}

[[nodiscard]] constexpr bool is_image_manifest(std::string_view mt)
{
  return mt == oci_manifest || mt == docker_manifest;
}

} // namespace sigil::oci::media_type

namespace sigil::oci::annotation {

inline constexpr std::string_view cosign_signature = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view cosign_certificate = "dev.sigstore.cosign/certificate";
inline constexpr std::string_view cosign_chain = "dev.sigstore.cosign/chain";
inline constexpr std::string_view cosign_bundle = "dev.sigstore.cosign/bundle";
inline constexpr std::string_view cosign_rfc3161_timestamp = "dev.sigstore.cosign/rfc3161timestamp";
inline constexpr std::string_view predicate_type = "predicateType";
inline constexpr std::string_view created = "org.opencontainers.image.created";
inline constexpr std::string_view bundle_content = "dev.sigstore.bundle.content";
inline constexpr std::string_view bundle_predicate_type = "dev.sigstore.bundle.predicateType";

} // namespace sigil::oci::annotation
