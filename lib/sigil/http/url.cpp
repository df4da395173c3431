// http::Url, resolve_url and the origin rule (see url.hpp).
#include "sigil/http/url.hpp"

#include "sigil/util/host.hpp"
#include "sigil/util/number.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::http {

namespace {

constexpr std::size_t k_max_url = 8192;

std::uint16_t default_port(std::string_view scheme)
{
  return scheme == "https" ? 443 : 80;
}

std::string lower(std::string_view text)
{
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; });
  return out;
}

bool has_forbidden_char(std::string_view text)
{
  return std::ranges::any_of(text, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '\\';
  });
}

std::unexpected<Error> invalid(std::string_view why)
{
  return fail(ErrorCode::registry, fmt::format("invalid URL: {}", why));
}

// "host[:port]" -> host (lowercase) and port.
Result<void> parse_authority(std::string_view authority, Url& url)
{
  if (authority.find('@') != std::string_view::npos) {
    return invalid("user information in a URL is not accepted");
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return invalid("unterminated IPv6 address");
    }
    host = authority.substr(0, close + 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      return invalid("junk after an IPv6 address");
    }
    port = rest.empty() ? rest : rest.substr(1);
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || (host.find(':') != std::string_view::npos && !host.starts_with('['))) {
    return invalid("no host");
  }
  url.host = lower(host);
  url.port = default_port(url.scheme);
  if (!port.empty()) {
    const auto number = util::parse_uint(port, 65535);
    if (!number || *number == 0) {
      return invalid("bad port");
    }
    url.port = static_cast<std::uint16_t>(*number);
  }
  return {};
}

// Path and query, fragment dropped; "/" when empty. Dot segments are refused.
Result<std::string> clean_target(std::string_view target)
{
  target = target.substr(0, target.find('#'));
  const std::string_view path = target.substr(0, target.find('?'));
  for (std::size_t start = 0; start <= path.size();) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") {
      return fail(ErrorCode::registry, "invalid URL: dot segments are not accepted");
    }
    start = end + 1;
  }
  if (target.empty() || target.front() == '?') {
    return "/" + std::string(target);
  }
  return std::string(target);
}

} // namespace

std::string Url::origin() const
{
  return port == default_port(scheme) ? fmt::format("{}://{}", scheme, host)
                                      : fmt::format("{}://{}:{}", scheme, host, port);
}

Result<Url> parse_url(std::string_view text)
{
  if (text.size() > k_max_url) {
    return invalid("longer than 8192 characters");
  }
  if (has_forbidden_char(text)) {
    return invalid("spaces, backslashes or control characters");
  }
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return invalid("not absolute");
  }
  Url url;
  url.scheme = lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") {
    return invalid("only http and https are accepted");
  }
  const auto rest = text.substr(sep + 3);
  const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  SIGIL_TRY(parse_authority(rest.substr(0, authority_end), url));
  SIGIL_TRY_ASSIGN(auto target, clean_target(rest.substr(authority_end)));
  url.target = std::move(target);
  return url;
}

Result<Url> resolve_url(const Url& base, std::string_view reference)
{
  if (reference.size() > k_max_url) {
    return invalid("longer than 8192 characters");
  }
  if (has_forbidden_char(reference)) {
    return invalid("spaces, backslashes or control characters");
  }
  if (reference.find("://") != std::string_view::npos && reference.find("://") < reference.find_first_of("/?#")) {
    return parse_url(reference);
  }
  if (reference.starts_with("//")) {
    return parse_url(base.scheme + ":" + std::string(reference));
  }
  if (reference.find(':') < reference.find_first_of("/?#")) {
    return invalid("a scheme other than http or https");
  }
  Url out = base;
  std::string target;
  if (reference.starts_with('/')) {
    target = std::string(reference);
  } else if (reference.starts_with('?')) {
    target = base.target.substr(0, base.target.find('?')) + std::string(reference);
  } else if (reference.empty() || reference.starts_with('#')) {
    target = base.target;
  } else {
    const std::string_view base_path = std::string_view(base.target).substr(0, base.target.find('?'));
    target = std::string(base_path.substr(0, base_path.rfind('/') + 1)) + std::string(reference);
  }
  SIGIL_TRY_ASSIGN(auto cleaned, clean_target(target));
  out.target = std::move(cleaned);
  return out;
}

bool same_origin(const Url& a, const Url& b)
{
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

namespace {

void skip_spaces(std::string_view& s)
{
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
}

// A parameter value: a quoted string (backslash escapes) or a token up to ';' or ','.
std::string param_value(std::string_view& s)
{
  std::string out;
  if (!s.empty() && s.front() == '"') {
    s.remove_prefix(1);
    while (!s.empty() && s.front() != '"') {
      if (s.front() == '\\' && s.size() > 1) {
        s.remove_prefix(1);
      }
      out.push_back(s.front());
      s.remove_prefix(1);
    }
    if (!s.empty()) {
      s.remove_prefix(1);
    }
    return out;
  }
  const auto end = std::min(s.find_first_of(";,"), s.size());
  out = std::string(s.substr(0, end));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) {
    out.pop_back();
  }
  s.remove_prefix(end);
  return out;
}

bool rel_names(std::string_view value, std::string_view rel)
{
  for (std::size_t start = 0; start < value.size();) {
    const auto end = std::min(value.find(' ', start), value.size());
    if (lower(value.substr(start, end - start)) == lower(rel)) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

} // namespace

Result<std::optional<std::string>> find_link(std::string_view header, std::string_view rel)
{
  std::string_view s = header;
  for (int values = 0; values < 64; ++values) {
    skip_spaces(s);
    while (!s.empty() && s.front() == ',') {
      s.remove_prefix(1);
      skip_spaces(s);
    }
    if (s.empty()) {
      return std::nullopt;
    }
    const auto close = s.find('>');
    if (s.front() != '<' || close == std::string_view::npos) {
      return fail(ErrorCode::registry, "unusable Link header: a link-value must start with <target>");
    }
    const std::string target(s.substr(1, close - 1));
    s.remove_prefix(close + 1);
    bool wanted = false;
    while (true) {
      skip_spaces(s);
      if (s.empty() || s.front() != ';') {
        break;
      }
      s.remove_prefix(1);
      skip_spaces(s);
      const auto eq = std::min(s.find_first_of("=;,"), s.size());
      std::string name = lower(s.substr(0, eq));
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
        name.pop_back();
      }
      s.remove_prefix(eq);
      std::string value;
      if (!s.empty() && s.front() == '=') {
        s.remove_prefix(1);
        skip_spaces(s);
        value = param_value(s);
      }
      wanted = wanted || (name == "rel" && rel_names(value, rel));
    }
    if (wanted) {
      return target;
    }
    if (!s.empty() && s.front() != ',') {
      return fail(ErrorCode::registry, "unusable Link header: junk after a link-value");
    }
  }
  return fail(ErrorCode::registry, "unusable Link header: more than 64 link-values");
}

Result<Credentials> follow(const Url& home, const Url& next)
{
  if (home.https() && !next.https() && !util::is_loopback_host(next.host)) {
    return fail(ErrorCode::registry,
                fmt::format("refusing to follow {} from https to plain http {}", home.origin(), next.origin()));
  }
  return same_origin(home, next) ? Credentials::send : Credentials::withhold;
}

} // namespace sigil::http
