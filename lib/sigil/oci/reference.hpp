// sigil::oci references — image names, tags and digests as docker and cosign read them.
//
// Grammar (github.com/distribution/reference, regexp.go):
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [ host [ ":" port ] "/" ] path-component { "/" path-component }
//   host       := domain-component { "." domain-component } | "[" ipv6-chars "]"
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest     := "sha256:" 64 lowercase hex | "sha512:" 128 lowercase hex
//
// The first component is a registry host only when a "/" follows it and it contains "." or
// ":", is "localhost", or is a bracketed IPv6 address; otherwise the name is on Docker Hub.
// Docker Hub names are normalised the way go-containerregistry (and so cosign) writes them:
//   "alpine" -> "index.docker.io/library/alpine", "docker.io/x" -> "index.docker.io/library/x".
// With neither tag nor digest, tag "latest" is implied. With both, both are kept but the
// digest wins: identifier() and str() use the digest, and has_tag_and_digest() lets callers
// warn that the tag was ignored.
//
// parse(text).str() is canonical: parse(parse(text).str()).str() == parse(text).str().
#pragma once

#include "sigil/core/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sigil::oci {

enum class DigestAlgorithm { sha256, sha512 };

// "sha256" or "sha512".
[[nodiscard]] std::string_view algorithm_name(DigestAlgorithm algorithm);
// Number of hex digits of a digest: 64 or 128.
[[nodiscard]] std::size_t hex_length(DigestAlgorithm algorithm);

struct Digest {
  DigestAlgorithm algorithm = DigestAlgorithm::sha256;
  std::string hex; // lowercase, hex_length(algorithm) digits

  // "sha256:<hex>".
  [[nodiscard]] std::string str() const;
  // True when hex has the right length and is lowercase hex (a parsed Digest always is).
  [[nodiscard]] bool is_valid() const;

  friend bool operator==(const Digest&, const Digest&) = default;
};

// The sha256 digest of content (a manifest's or a blob's bytes, exactly as sent or received).
[[nodiscard]] Digest sha256_digest(std::span<const std::uint8_t> content);
[[nodiscard]] Digest sha256_digest(std::string_view content);

// Strict: "sha256:" + 64 lowercase hex or "sha512:" + 128 lowercase hex. Errors are usage.
[[nodiscard]] Result<Digest> parse_digest(std::string_view text);

// True when text matches the tag grammar (1..128 characters, see above).
[[nodiscard]] bool is_valid_tag(std::string_view text);

// Docker Hub as cosign names it in signature payloads, and the host its API answers on.
inline constexpr std::string_view k_docker_hub_registry = "index.docker.io";
inline constexpr std::string_view k_docker_hub_api_host = "registry-1.docker.io";
inline constexpr std::string_view k_default_tag = "latest";
// Longest repository path (after Docker Hub normalisation), as distribution/reference.
inline constexpr std::size_t k_max_repository_length = 255;
inline constexpr std::size_t k_max_tag_length = 128;

class Reference {
public:
  // Parses and normalises an image reference. Errors are ErrorCode::usage and name the part
  // that was wrong ("repository name must be lowercase", "unsupported digest algorithm", ...).
  [[nodiscard]] static Result<Reference> parse(std::string_view text);

  // "index.docker.io", "ghcr.io", "127.0.0.1:5000", "[::1]:5000", "localhost".
  [[nodiscard]] const std::string& registry() const { return m_registry; }
  // registry() without the port; an IPv6 host keeps its brackets ("[::1]").
  [[nodiscard]] std::string host() const;
  // The explicit port, if any.
  [[nodiscard]] std::optional<std::uint16_t> port() const;
  // Where the registry API is served: registry-1.docker.io for Docker Hub, else registry().
  [[nodiscard]] std::string api_host() const;
  [[nodiscard]] bool is_docker_hub() const { return m_registry == k_docker_hub_registry; }
  // Host is localhost, in 127.0.0.0/8, or ::1 (also IPv4-mapped 127/8); no name resolution.
  [[nodiscard]] bool is_loopback() const;

  // "library/alpine", "user/app", "team/sub/app".
  [[nodiscard]] const std::string& repository() const { return m_repository; }
  // registry() + "/" + repository(): the docker-reference cosign writes into payloads.
  [[nodiscard]] std::string name() const;

  // The tag, "latest" when neither tag nor digest was given (then tag_implied() is true).
  [[nodiscard]] const std::optional<std::string>& tag() const { return m_tag; }
  [[nodiscard]] bool tag_implied() const { return m_tag_implied; }
  [[nodiscard]] const std::optional<Digest>& digest() const { return m_digest; }
  // "name:tag@digest" was given: the tag is ignored for resolution; callers may warn.
  [[nodiscard]] bool has_tag_and_digest() const { return m_tag.has_value() && m_digest.has_value(); }
  // What to ask the registry for: the digest ("sha256:...") if there is one, else the tag.
  [[nodiscard]] std::string identifier() const;

  // Canonical form: name() + (":" + tag, if there is a tag and no digest) + ("@" + digest).
  [[nodiscard]] std::string str() const;

  // Same repository by digest (any tag dropped). The digest must be valid (asserted).
  [[nodiscard]] Reference with_digest(Digest digest) const;
  // Same repository by tag (any digest dropped). The tag must satisfy is_valid_tag()
  // (asserted): validate user input with is_valid_tag() first.
  [[nodiscard]] Reference with_tag(std::string tag) const;

  friend bool operator==(const Reference&, const Reference&) = default;

private:
  Reference() = default;

  std::string m_registry;
  std::string m_repository;
  std::optional<std::string> m_tag;
  std::optional<Digest> m_digest;
  bool m_tag_implied = false;
};

// cosign's legacy tag for things attached to a digest: "sha256-<hex>.sig" for suffix "sig"
// ("att", "sbom" likewise). With an empty suffix, the OCI referrers fallback tag
// "sha256-<hex>". The hex is truncated to 64 digits (OCI referrers tag schema), so a sha512
// digest still gives a valid tag of at most 128 characters.
[[nodiscard]] std::string signature_tag(const Digest& digest, std::string_view suffix);

} // namespace sigil::oci
