#include "sigil/policy/image_pattern.hpp"

#include "sigil/oci/reference.hpp"

#include <fmt/format.h>

#include <vector>

namespace sigil::policy {

namespace {

bool looks_like_host(std::string_view component)
{
  return component.find_first_of(".:") != std::string_view::npos || component == "localhost";
}

bool is_docker_hub_host(std::string_view host)
{
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

std::string normalize(std::string_view text)
{
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return text.find('*') != std::string_view::npos && text.find("**") != std::string_view::npos
             ? std::string{text}
             : fmt::format("{}/library/{}", oci::k_docker_hub_registry, text);
  }
  const auto host = canonical_registry_host(text.substr(0, slash));
  const std::string_view first = host;
  const auto rest = text.substr(slash + 1);
  if (is_docker_hub_host(first)) {
    return rest.find('/') == std::string_view::npos && rest.find("**") == std::string_view::npos
             ? fmt::format("{}/library/{}", oci::k_docker_hub_registry, rest)
             : fmt::format("{}/{}", oci::k_docker_hub_registry, rest);
  }
  if (first.find('*') != std::string_view::npos || looks_like_host(first)) {
    return fmt::format("{}/{}", first, rest);
  }
  return fmt::format("{}/{}", oci::k_docker_hub_registry, text);
}

// Glob match over positions (time pattern x text, no recursion, no backtracking):
// reach[j] says the pattern read so far matches the first j characters of the text.
bool glob(std::string_view p, std::string_view t)
{
  std::vector<char> reach(t.size() + 1, 0);
  reach[0] = 1;
  std::size_t i = 0;
  while (i < p.size()) {
    std::vector<char> next(t.size() + 1, 0);
    if (p[i] == '*') {
      const bool any = i + 1 < p.size() && p[i + 1] == '*';
      bool on = false;
      for (std::size_t j = 0; j <= t.size(); ++j) {
        on = reach[j] != 0 || (on && (any || t[j - 1] != '/'));
        next[j] = on ? 1 : 0;
      }
      i += any ? 2 : 1;
    } else {
      for (std::size_t j = 0; j < t.size(); ++j) {
        next[j + 1] = (reach[j] != 0 && t[j] == p[i]) ? 1 : 0;
      }
      ++i;
    }
    reach = std::move(next);
  }
  return reach[t.size()] != 0;
}

} // namespace

Result<ImagePattern> parse_image_pattern(std::string_view text)
{
  if (text.empty()) {
    return fail(ErrorCode::usage, "an image pattern cannot be empty");
  }
  if (text.size() > k_max_image_pattern) {
    return fail(ErrorCode::usage, fmt::format("an image pattern is at most {} bytes", k_max_image_pattern));
  }
  for (const char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return fail(ErrorCode::usage, "an image pattern cannot contain spaces or control characters");
    }
  }
  if (text.find("***") != std::string_view::npos) {
    return fail(ErrorCode::usage, "\"***\" in an image pattern: write \"*\" (one component) or \"**\" (any)");
  }
  if (text.find('@') != std::string_view::npos) {
    return fail(ErrorCode::usage, "an image pattern names a repository, not a digest: drop the \"@...\"");
  }
  const auto slash = text.find('/');
  if (text.find(':', slash == std::string_view::npos ? 0 : slash) != std::string_view::npos) {
    return fail(ErrorCode::usage, "an image pattern names a repository, not a tag: drop the \":TAG\"");
  }
  ImagePattern p;
  p.text = std::string{text};
  p.normalized = normalize(text);
  const auto star = p.normalized.find('*');
  p.exact = star == std::string::npos;
  p.literal_prefix = p.exact ? p.normalized.size() : star;
  for (std::size_t i = 0; i < p.normalized.size(); ++i) {
    if (p.normalized[i] != '*') {
      ++p.literal_chars;
    } else if (i + 1 < p.normalized.size() && p.normalized[i + 1] == '*') {
      ++p.double_stars;
      ++i;
    }
  }
  return p;
}

std::string canonical_registry_host(std::string_view host)
{
  std::string out;
  out.reserve(host.size());
  for (const char c : host) {
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  const auto colon = out.rfind(':');
  const auto bracket = out.rfind(']');
  if (colon != std::string::npos && colon + 1 < out.size() && (bracket == std::string::npos || colon > bracket)) {
    const auto digits = out.find_first_not_of('0', colon + 1);
    out.erase(colon + 1, std::min(digits, out.size() - 1) - (colon + 1)); // keep one digit at least
  }
  if (is_docker_hub_host(out)) {
    return std::string{oci::k_docker_hub_registry};
  }
  return out;
}

std::string canonical_image_name(std::string_view image_name)
{
  const auto slash = image_name.find('/');
  if (slash == std::string_view::npos) {
    return std::string{image_name};
  }
  return fmt::format("{}/{}", canonical_registry_host(image_name.substr(0, slash)), image_name.substr(slash + 1));
}

bool pattern_matches(const ImagePattern& pattern, std::string_view image_name)
{
  if (pattern.exact) {
    return pattern.normalized == image_name;
  }
  return glob(pattern.normalized, image_name);
}

int compare_specificity(const ImagePattern& a, const ImagePattern& b)
{
  if (a.exact != b.exact) {
    return a.exact ? -1 : 1;
  }
  if (a.literal_prefix != b.literal_prefix) {
    return a.literal_prefix > b.literal_prefix ? -1 : 1;
  }
  if (a.literal_chars != b.literal_chars) {
    return a.literal_chars > b.literal_chars ? -1 : 1;
  }
  if (a.double_stars != b.double_stars) {
    return a.double_stars < b.double_stars ? -1 : 1;
  }
  return 0;
}

} // namespace sigil::policy
