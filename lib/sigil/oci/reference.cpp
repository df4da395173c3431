#include "sigil/oci/reference.hpp"

#include "sigil/util/host.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>

namespace sigil::oci {

namespace {

// Longest piece of user input quoted back in an error message.
constexpr std::size_t k_max_quoted_length = 160;
// Truncation of the encoded part in tags (OCI referrers tag schema).
constexpr std::size_t k_tag_hex_length = 64;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || is_digit(c); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alnum(char c) { return is_lower_alnum(c) || is_upper(c); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
bool is_any_hex(char c) { return is_lower_hex(c) || (c >= 'A' && c <= 'F'); }

bool all_of(std::string_view text, bool (*predicate)(char))
{
  for (const char c : text) {
    if (!predicate(c)) {
      return false;
    }
  }
  return true;
}

bool contains(std::string_view text, char c) { return text.find(c) != std::string_view::npos; }

// User input, quoted and escaped, cut short if long.
std::string quoted(std::string_view text)
{
  if (text.size() <= k_max_quoted_length) {
    return fmt::format("{:?}", text);
  }
  return fmt::format("{:?}...", text.substr(0, k_max_quoted_length));
}

// Splits text at each separator; "a//b" gives an empty piece.
template <typename F> bool each_piece(std::string_view text, char separator, F&& visit)
{
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    const std::string_view piece = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (!visit(piece)) {
      return false;
    }
    if (end == std::string_view::npos) {
      return true;
    }
    start = end + 1;
  }
}

// [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
bool is_valid_path_component(std::string_view component)
{
  std::size_t i = 0;
  const std::size_t n = component.size();
  while (true) {
    const std::size_t run_start = i;
    while (i < n && is_lower_alnum(component[i])) {
      ++i;
    }
    if (i == run_start) {
      return false; // empty, or a separator not followed by [a-z0-9]
    }
    if (i == n) {
      return true;
    }
    const char separator = component[i];
    if (separator == '.') {
      ++i;
    } else if (separator == '_') {
      i += (i + 1 < n && component[i + 1] == '_') ? 2 : 1;
    } else if (separator == '-') {
      while (i < n && component[i] == '-') {
        ++i;
      }
    } else {
      return false;
    }
  }
}

// [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_valid_domain_component(std::string_view component)
{
  if (component.empty() || !is_alnum(component.front()) || !is_alnum(component.back())) {
    return false;
  }
  return all_of(component, [](char c) { return is_alnum(c) || c == '-'; });
}

Result<std::uint16_t> parse_port(std::string_view text)
{
  unsigned value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || !all_of(text, is_digit) || ec != std::errc{} || ptr != end || value == 0 ||
      value > 65535) {
    return fail(ErrorCode::usage,
                fmt::format("registry port {} must be a number from 1 to 65535", quoted(text)));
  }
  return static_cast<std::uint16_t>(value);
}

// host [":" port], where host is a domain name, an IPv4 address or "[" IPv6 "]".
Result<void> validate_registry(std::string_view registry)
{
  std::string_view rest;
  if (registry.starts_with('[')) {
    const std::size_t close = registry.find(']');
    if (close == std::string_view::npos) {
      return fail(ErrorCode::usage,
                  fmt::format("registry host {} has no closing ']'", quoted(registry)));
    }
    const std::string_view inner = registry.substr(1, close - 1);
    if (inner.empty() || !all_of(inner, [](char c) { return is_any_hex(c) || c == ':'; })) {
      return fail(ErrorCode::usage,
                  fmt::format("IPv6 registry host {} may contain only hex digits and ':' "
                              "(no zone id, no embedded IPv4 address)",
                              quoted(registry.substr(0, close + 1))));
    }
    rest = registry.substr(close + 1);
  } else {
    const std::size_t colon = registry.find(':');
    const std::string_view host = registry.substr(0, colon);
    if (!each_piece(host, '.', is_valid_domain_component)) {
      return fail(ErrorCode::usage,
                  fmt::format("registry host {} is not a valid host name or IPv4 address: use "
                              "letters, digits and '-' in dot-separated parts",
                              quoted(host)));
    }
    rest = colon == std::string_view::npos ? std::string_view{} : registry.substr(colon);
  }
  if (rest.empty()) {
    return {};
  }
  if (!rest.starts_with(':')) {
    return fail(ErrorCode::usage, fmt::format("registry host {} has unexpected text {} after ']'",
                                              quoted(registry), quoted(rest)));
  }
  SIGIL_TRY(parse_port(rest.substr(1)));
  return {};
}

// The repository path as the user wrote it (before "library/" is added).
Result<void> validate_path(std::string_view path)
{
  if (path.empty()) {
    return fail(ErrorCode::usage,
                "repository name is missing; write e.g. registry.example.com/team/app:1.0");
  }
  if (std::any_of(path.begin(), path.end(), is_upper)) {
    return fail(ErrorCode::usage,
                fmt::format("repository name must be lowercase: {}", quoted(path)));
  }
  std::string_view bad;
  const bool ok = each_piece(path, '/', [&bad](std::string_view component) {
    bad = component;
    return is_valid_path_component(component);
  });
  if (ok) {
    return {};
  }
  if (bad.empty()) {
    return fail(ErrorCode::usage,
                fmt::format("repository name {} has an empty path component; remove the extra '/'",
                            quoted(path)));
  }
  return fail(ErrorCode::usage,
              fmt::format("repository path component {} is invalid: use lowercase letters and "
                          "digits separated by '.', '_', '__' or '-'",
                          quoted(bad)));
}

Result<void> validate_tag(std::string_view tag)
{
  if (tag.empty()) {
    return fail(ErrorCode::usage, "tag is empty; remove the ':' or give a tag such as ':1.0'");
  }
  if (tag.size() > k_max_tag_length) {
    return fail(ErrorCode::usage, fmt::format("tag is {} characters long; the limit is {}",
                                              tag.size(), k_max_tag_length));
  }
  if (!is_valid_tag(tag)) {
    return fail(ErrorCode::usage,
                fmt::format("tag {} is invalid: use letters, digits, '_', '.' and '-', not "
                            "starting with '.' or '-'",
                            quoted(tag)));
  }
  return {};
}

struct Pieces {
  std::string_view name;
  std::optional<std::string_view> tag;
  std::optional<std::string_view> digest;
};

// name [":" tag] ["@" digest]: the digest follows the first '@'; the tag follows the last
// ':' of the rest when no '/' comes after it (so "host:5000/app" has no tag).
Pieces split_reference(std::string_view text)
{
  Pieces pieces;
  std::string_view name_and_tag = text;
  if (const std::size_t at = text.find('@'); at != std::string_view::npos) {
    pieces.digest = text.substr(at + 1);
    name_and_tag = text.substr(0, at);
  }
  const std::size_t colon = name_and_tag.rfind(':');
  const std::size_t slash = name_and_tag.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    pieces.tag = name_and_tag.substr(colon + 1);
    name_and_tag = name_and_tag.substr(0, colon);
  }
  pieces.name = name_and_tag;
  return pieces;
}

struct Name {
  std::string registry;
  std::string repository;
};

// Docker's rule: the first component is a registry host if a '/' follows it and it contains
// '.' or ':', is "localhost", or is a bracketed IPv6 address. Otherwise: Docker Hub.
Result<Name> split_name(std::string_view name)
{
  std::string_view registry = k_docker_hub_registry;
  std::string_view path = name;
  if (const std::size_t slash = name.find('/'); slash != std::string_view::npos) {
    const std::string_view first = name.substr(0, slash);
    if (contains(first, '.') || contains(first, ':') || first == "localhost" ||
        first.starts_with('[')) {
      SIGIL_TRY(validate_registry(first));
      registry = first;
      path = name.substr(slash + 1);
      if (registry == "docker.io") {
        registry = k_docker_hub_registry;
      }
    }
  }
  SIGIL_TRY(validate_path(path));
  Name result{std::string(registry), std::string(path)};
  if (registry == k_docker_hub_registry && !contains(path, '/')) {
    result.repository = fmt::format("library/{}", path); // official images
  }
  if (result.repository.size() > k_max_repository_length) {
    return fail(ErrorCode::usage,
                fmt::format("repository name {} is {} characters long; the limit is {}",
                            quoted(result.repository), result.repository.size(),
                            k_max_repository_length));
  }
  return result;
}

// Docker rejects a bare 64-hex string: it is an image id, not a name.
bool is_image_id(std::string_view text)
{
  return text.size() == hex_length(DigestAlgorithm::sha256) && all_of(text, is_lower_hex);
}

} // namespace

std::string_view algorithm_name(DigestAlgorithm algorithm)
{
  switch (algorithm) {
  case DigestAlgorithm::sha256: return "sha256";
  case DigestAlgorithm::sha512: return "sha512";
  }
  return "sha256";
}

std::size_t hex_length(DigestAlgorithm algorithm)
{
  switch (algorithm) {
  case DigestAlgorithm::sha256: return 64;
  case DigestAlgorithm::sha512: return 128;
  }
  return 64;
}

std::string Digest::str() const { return fmt::format("{}:{}", algorithm_name(algorithm), hex); }

bool Digest::is_valid() const
{
  return hex.size() == hex_length(algorithm) && all_of(hex, is_lower_hex);
}

Result<Digest> parse_digest(std::string_view text)
{
  const auto invalid = [text](std::string_view detail) {
    return fail(ErrorCode::usage, fmt::format("invalid digest {}: {}", quoted(text), detail));
  };
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return invalid("expected <algorithm>:<hex>, e.g. sha256:<64 hex digits>");
  }
  const std::string_view name = text.substr(0, colon);
  const std::string_view hex = text.substr(colon + 1);
  Digest digest;
  if (name == "sha256") {
    digest.algorithm = DigestAlgorithm::sha256;
  } else if (name == "sha512") {
    digest.algorithm = DigestAlgorithm::sha512;
  } else {
    return invalid(fmt::format("unsupported digest algorithm {}; use sha256 or sha512", quoted(name)));
  }
  if (!all_of(hex, is_any_hex)) {
    return invalid("the encoded part must be hexadecimal (0-9, a-f)");
  }
  if (!all_of(hex, is_lower_hex)) {
    return invalid("the hex digits must be lowercase");
  }
  if (hex.size() != hex_length(digest.algorithm)) {
    return invalid(fmt::format("a {} digest has {} hex digits, this one has {}", name,
                               hex_length(digest.algorithm), hex.size()));
  }
  digest.hex = std::string(hex);
  return digest;
}

bool is_valid_tag(std::string_view text)
{
  return !text.empty() && text.size() <= k_max_tag_length && is_word(text.front()) &&
         all_of(text, [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

Result<Reference> Reference::parse(std::string_view text)
{
  const auto invalid = [text](const Error& error) {
    return fail(error.context(fmt::format("invalid image reference {}", quoted(text))));
  };
  if (text.empty()) {
    return fail(ErrorCode::usage, "image reference is empty; give e.g. registry.example.com/app:1.0 "
                                  "or registry.example.com/app@sha256:<hex>");
  }
  if (is_image_id(text)) {
    return invalid(Error{ErrorCode::usage,
                         "a 64-character hex string is an image id, not a repository name; "
                         "to refer to an image by digest write <name>@sha256:<hex>"});
  }
  if (const auto scheme = text.find("://"); scheme != std::string_view::npos && scheme < text.find('/')) {
    return invalid(Error{ErrorCode::usage, fmt::format("image references have no scheme: drop \"{}\" and write "
                                                       "host/repository:tag or host/repository@sha256:<hex>",
                                                       text.substr(0, scheme + 3))});
  }
  const Pieces pieces = split_reference(text);
  if (pieces.name.starts_with('[') && !contains(pieces.name, '/')) {
    return invalid(Error{ErrorCode::usage,
                         "an IPv6 registry host must be followed by a repository, e.g. [::1]:5000/app"});
  }
  Reference reference;
  if (pieces.tag) {
    if (auto valid = validate_tag(*pieces.tag); !valid) {
      return invalid(valid.error());
    }
    reference.m_tag = std::string(*pieces.tag);
  }
  auto name = split_name(pieces.name);
  if (!name) {
    return invalid(name.error());
  }
  reference.m_registry = std::move(name->registry);
  reference.m_repository = std::move(name->repository);
  if (pieces.digest) {
    auto digest = parse_digest(*pieces.digest);
    if (!digest) {
      return invalid(digest.error());
    }
    reference.m_digest = std::move(*digest);
  }
  if (!reference.m_tag && !reference.m_digest) {
    reference.m_tag = std::string(k_default_tag);
    reference.m_tag_implied = true;
  }
  return reference;
}

std::string Reference::host() const
{
  const std::string_view registry = m_registry;
  const std::size_t colon = registry.starts_with('[') ? registry.find(':', registry.find(']'))
                                                      : registry.find(':');
  return std::string(registry.substr(0, colon));
}

std::optional<std::uint16_t> Reference::port() const
{
  const std::size_t host_length = host().size();
  if (host_length == m_registry.size()) {
    return std::nullopt;
  }
  auto port = parse_port(std::string_view(m_registry).substr(host_length + 1));
  return port ? std::optional<std::uint16_t>(*port) : std::nullopt;
}

std::string Reference::api_host() const
{
  return is_docker_hub() ? std::string(k_docker_hub_api_host) : m_registry;
}

bool Reference::is_loopback() const
{
  return util::is_loopback_host(host());
}

std::string Reference::name() const { return fmt::format("{}/{}", m_registry, m_repository); }

std::string Reference::identifier() const
{
  if (m_digest) {
    return m_digest->str();
  }
  assert(m_tag.has_value()); // parse() implies "latest"
  return m_tag.value_or(std::string(k_default_tag));
}

std::string Reference::str() const
{
  std::string text = name();
  if (m_tag && !m_digest) {
    text += ':';
    text += *m_tag;
  }
  if (m_digest) {
    text += '@';
    text += m_digest->str();
  }
  return text;
}

Reference Reference::with_digest(Digest digest) const
{
  assert(digest.is_valid());
  Reference copy = *this;
  copy.m_tag.reset();
  copy.m_tag_implied = false;
  copy.m_digest = std::move(digest);
  return copy;
}

Reference Reference::with_tag(std::string tag) const
{
  assert(is_valid_tag(tag));
  Reference copy = *this;
  copy.m_digest.reset();
  copy.m_tag_implied = false;
  copy.m_tag = std::move(tag);
  return copy;
}

std::string signature_tag(const Digest& digest, std::string_view suffix)
{
  const std::string_view hex = std::string_view(digest.hex).substr(0, k_tag_hex_length);
  if (suffix.empty()) {
    return fmt::format("{}-{}", algorithm_name(digest.algorithm), hex);
  }
  return fmt::format("{}-{}.{}", algorithm_name(digest.algorithm), hex, suffix);
}

} // namespace sigil::oci
