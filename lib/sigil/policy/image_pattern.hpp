// sigil::policy image patterns of the trust policy: which images a rule is about.
//
// A pattern is a glob over an image NAME, REGISTRY/REPOSITORY (oci::Reference::name(): no tag,
// no digest; a policy is about who signed a repository's images, whatever tag points where):
//   *   any run of characters without "/" (one path component or part of one)
//   **  any run of characters, "/" included (several components)
// Nothing else is special. A pattern whose first component is literal and looks like no
// registry host (no ".", no ":", not "localhost") is a Docker Hub name, normalised as
// oci::Reference names it: "nginx" is index.docker.io/library/nginx, "team/*" is
// index.docker.io/team/*; "docker.io/x" is index.docker.io/library/x. A pattern may not
// name a tag or a digest ("@", or ":" after the first component) and is at most 512 bytes.
//
// Specificity (compare()) is the precedence of sigil-policy(5): an exact pattern first, then
// the longer literal prefix, then more literal characters, then fewer "**".
#pragma once

#include "sigil/core/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace sigil::policy {

constexpr std::size_t k_max_image_pattern = 512;

struct ImagePattern {
  std::string text;       // as written
  std::string normalized; // Docker Hub names expanded
  bool exact = false;     // no wildcard
  std::size_t literal_prefix = 0; // characters before the first wildcard
  std::size_t literal_chars = 0;  // characters that are not wildcards
  std::size_t double_stars = 0;   // number of "**"
};

// Errors are usage errors with a plain message (the policy parser adds FILE:LINE: PATH).
[[nodiscard]] Result<ImagePattern> parse_image_pattern(std::string_view text);

// One spelling per registry: the host in lowercase, the port without leading zeros, Docker
// Hub's aliases (docker.io, registry-1.docker.io) as index.docker.io. The same registry is
// contacted however a name writes it, so a rule must match it however it is written.
[[nodiscard]] std::string canonical_registry_host(std::string_view host);
// An image name (registry/repository) with its registry in canonical form.
[[nodiscard]] std::string canonical_image_name(std::string_view image_name);
[[nodiscard]] bool pattern_matches(const ImagePattern& pattern, std::string_view image_name);

// <0: a is more specific than b (a wins), >0: b wins, 0: equally specific.
[[nodiscard]] int compare_specificity(const ImagePattern& a, const ImagePattern& b);

} // namespace sigil::policy
