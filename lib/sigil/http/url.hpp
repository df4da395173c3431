// sigil::http — URLs that servers hand us, and the one origin rule for credentials.
//
// Every URL a server gives back (a redirect's Location, a Link header's next page, a token
// realm, and next Fulcio/Rekor/TUF URLs) is parsed here, resolved against the URL of the
// request it came with, and then passes `follow` before a request is sent to it:
//   - only http and https; no userinfo, no control characters or spaces;
//   - never a downgrade: from an https origin, plain http only to a loopback host (traffic
//     that never leaves the machine, as docker allows plain HTTP to localhost);
//   - credentials go only to the origin they belong to (scheme, host and port, compared after
//     lowercasing and dropping default ports); anywhere else the request goes without them.
#pragma once

#include "sigil/core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sigil::http {

struct Url {
  std::string scheme; // "http" or "https"
  std::string host;   // lowercase; an IPv6 address keeps its brackets
  std::uint16_t port = 0;
  std::string target = "/"; // path and query, never empty; the fragment is dropped

  // "scheme://host[:port]", the port only when it is not the scheme's default.
  [[nodiscard]] std::string origin() const;
  [[nodiscard]] std::string str() const { return origin() + target; }
  [[nodiscard]] bool https() const { return scheme == "https"; }
};

// An absolute http(s) URL. Refuses other schemes, userinfo, an empty host, a bad port, and
// spaces or control characters anywhere.
[[nodiscard]] Result<Url> parse_url(std::string_view text);

// A reference from a server (absolute, "//authority/...", "/path", "?query" or a relative
// path) resolved against the URL it came with (RFC 3986 section 5.2, without dot segments,
// which a registry has no use for and which are refused).
[[nodiscard]] Result<Url> resolve_url(const Url& base, std::string_view reference);

[[nodiscard]] bool same_origin(const Url& a, const Url& b);

// The target of the first link-value of a Link header (RFC 8288) whose rel parameter (quoted
// or not; a space-separated list, compared without case) names `rel`: `<a>; rel="x", <b>;
// rel=next` gives b. nullopt when no link-value has it; Err (ErrorCode::registry) for a header
// that is not a list of <target>; params.
[[nodiscard]] Result<std::optional<std::string>> find_link(std::string_view header, std::string_view rel);

enum class Credentials { send, withhold };

// The origin rule. `home` is where the credentials belong (the registry's base URL, the
// service's configured URL); `next` is the URL about to be requested because a server named
// it. Err (ErrorCode::registry) for a downgrade from https to plain http; otherwise whether
// the credentials of `home` may go with the request.
[[nodiscard]] Result<Credentials> follow(const Url& home, const Url& next);

} // namespace sigil::http
