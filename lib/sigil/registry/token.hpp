// sigil::registry token endpoint client: docker's Bearer token flow (used by auth.cpp).
//
// fetch_token asks the realm a registry named in its Bearer challenge for a token:
//   no credential       GET realm?service=S&scope=A&scope=B
//   basic credential    the same GET with "Authorization: Basic base64(user:password)"
//   identity token      POST realm, form grant_type=refresh_token&service=S&scope=A B
//                       &client_id=sigil&refresh_token=T (docker's OAuth2 flow)
// The answer's "access_token" or "token" becomes "Bearer <token>", valid for "expires_in"
// seconds (60 when absent). The realm must be https, or http on a loopback host when
// credentials would be sent. Responses are capped at 1 MiB. Tokens and secrets never appear in
// errors: 401/403 are ErrorCode::auth, everything else ErrorCode::registry.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/registry/credentials.hpp"
#include "sigil/registry/http_types.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::registry {

constexpr std::uint64_t k_max_token_response_bytes = std::uint64_t{1} << 20;
constexpr std::chrono::seconds k_default_token_lifetime{60};
constexpr std::chrono::seconds k_max_token_lifetime{24 * 3600};

struct TokenRequest {
  std::string_view registry; // host that sent the challenge, for messages
  std::string_view realm;    // URL from the challenge
  std::string_view service;  // may be empty
  std::vector<std::string> scopes;
  const Credential* credential = nullptr; // nullptr: anonymous; a registry_token is returned as is
};

struct Token {
  std::string header;                           // "Bearer <token>" (or "Basic ..." in auth.cpp)
  std::optional<std::chrono::seconds> lifetime; // nullopt: valid until invalidated
};

[[nodiscard]] Result<Token> fetch_token(Transport& transport, const TokenRequest& request);

// "Basic " + base64(username:secret).
[[nodiscard]] std::string basic_authorization(const Credential& credential);

// Form/query escaping as Go's url.QueryEscape: unreserved kept, space '+', others %XX.
[[nodiscard]] std::string query_escape(std::string_view text);

} // namespace sigil::registry
