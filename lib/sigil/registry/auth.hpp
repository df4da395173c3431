// sigil::registry authentication: WWW-Authenticate challenges and the Authenticator.
//
// parse_www_authenticate reads one header value (RFC 7235 §4.1): a comma-separated list of
// challenges, each a scheme followed by either a token68 or auth-params whose values are
// tokens or quoted strings with backslash escapes. Schemes and parameter names come back
// lowercase; values as sent. Input size, challenge and parameter counts are bounded.
//
// The Authenticator (one per process, thread-safe) turns a 401 answer into an Authorization
// header value:
//   Bearer challenge -> a token from the realm the registry named (token.hpp: GET with Basic
//                       auth or anonymous, OAuth2 refresh_token POST for identity tokens);
//                       a registry token (--registry-token) is used as the Bearer token as is
//   Basic challenge  -> "Basic base64(user:password)" from the credential store
// Tokens are cached per (host, scope) until shortly before they expire (30 s, or a quarter of
// the lifetime, before); concurrent authorize calls for the same (host, scope) share one
// token fetch. Credentials are never sent over plain HTTP to a realm that is not loopback.
// Tokens and secrets never appear in errors.
//
// A scope is a space-separated list of scopes ("repository:a/b:pull repository:c/d:pull,push");
// each goes into its own scope= query parameter, followed by the scope the challenge names (if
// another). The empty scope asks for no scope.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/registry/credentials.hpp"
#include "sigil/registry/http_types.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::registry {

constexpr std::size_t k_max_challenge_header_bytes = 16 * 1024;
constexpr std::size_t k_max_challenges = 16;
constexpr std::size_t k_max_challenge_params = 32;

struct Challenge {
  std::string scheme;                        // lowercase: "bearer", "basic"
  std::map<std::string, std::string> params; // lowercase names: "realm", "service", "scope"
  std::string token68;                       // "Scheme token68=" form; then params is empty
};

// One header value, possibly holding several challenges. Errors are ErrorCode::registry and
// give the offset of the problem, never the header text.
[[nodiscard]] Result<std::vector<Challenge>> parse_www_authenticate(std::string_view value);

// Every WWW-Authenticate header of a response, in order.
[[nodiscard]] Result<std::vector<Challenge>> parse_challenges(const Response& response);

class Authenticator {
public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Both must outlive the Authenticator. clock: for tests; empty means steady_clock::now.
  Authenticator(Transport& transport, CredentialStore& credentials, Clock clock = {});
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Authorization header value to send preemptively, if one is known and not about to expire.
  [[nodiscard]] std::optional<std::string> cached(std::string_view host, std::string_view scope);

  // Answers the challenge of a 401 response: returns "Bearer <token>" or "Basic <base64>".
  // Always fetches a fresh token (the one sent, if any, was refused) and caches it.
  // Errors: ErrorCode::auth when credentials are missing or refused, ErrorCode::registry when
  // the challenge or the token endpoint misbehaves.
  [[nodiscard]] Result<std::string> authorize(std::string_view host, std::string_view scope,
                                              const Response& unauthorized);

  // Why the registry still answered 401/403 to a request sent with what authorize() gave, and
  // with which credentials: "wrong user name or password (credentials: SOURCE, user U)". Uses
  // the challenge's error parameter (insufficient_scope, invalid_token) when there is one.
  [[nodiscard]] std::string refusal(std::string_view host, std::string_view scope, const Response& refused);
  // Forgets what is cached for (host, scope), and a Basic header for host.
  void invalidate(std::string_view host, std::string_view scope);

private:
  struct State;
  std::unique_ptr<State> m_state;
};

} // namespace sigil::registry
