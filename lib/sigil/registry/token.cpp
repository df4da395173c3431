#include "sigil/registry/token.hpp"

#include "sigil/http/url.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/host.hpp"
#include "sigil/util/redact.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <utility>

namespace sigil::registry {

namespace {

using util::Json;
using util::wipe;
using Kind = Credential::Kind;

constexpr std::size_t k_max_error_detail_chars = 200;
constexpr std::string_view k_oauth_client_id = "sigil";
// A token answer is a few hundred bytes: a token endpoint silent this long is not coming back.
// Without this bound a realm that accepts the connection and never answers held every command
// for the transport's 30 s stall limit (or the whole --timeout, 120 s by default).
constexpr std::chrono::milliseconds k_token_timeout{15'000};

bool is_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The realm as an http(s) URL (http::parse_url: no userinfo, no controls or spaces).
Result<http::Url> parse_realm(std::string_view registry, std::string_view realm)
{
  auto url = http::parse_url(realm);
  if (url) {
    return url;
  }
  const auto sep = realm.find("://");
  const std::string scheme(sep == std::string_view::npos ? std::string_view{} : realm.substr(0, sep));
  if (scheme != "http" && scheme != "https" && scheme != "HTTP" && scheme != "HTTPS") {
    return fail(ErrorCode::registry, fmt::format("{} named a token realm that is not an http(s) URL", registry));
  }
  return fail(ErrorCode::registry, fmt::format("{} named an invalid token realm", registry));
}

std::string joined_scopes(const TokenRequest& request)
{
  return request.scopes.empty() ? std::string("no scope") : fmt::format("{}", fmt::join(request.scopes, " "));
}

// GET realm?service=S&scope=A&scope=B, with Basic auth for a basic credential.
Result<Response> get_token(Transport& transport, const TokenRequest& token_request)
{
  std::string params = token_request.service.empty() ? std::string() : "service=" + query_escape(token_request.service);
  for (const auto& scope : token_request.scopes) {
    params += fmt::format("{}scope={}", params.empty() ? "" : "&", query_escape(scope));
  }
  Request request;
  request.url = std::string(token_request.realm);
  if (!params.empty()) {
    request.url += (request.url.find('?') == std::string::npos ? "?" : "&") + params;
  }
  request.max_response_bytes = k_max_token_response_bytes;
  request.timeout = k_token_timeout;
  if (token_request.credential != nullptr) {
    request.headers.push_back({"Authorization", basic_authorization(*token_request.credential)});
  }
  auto response = transport.send(request);
  for (auto& header : request.headers) {
    wipe(header.value);
  }
  if (!response) {
    return fail(response.error().error);
  }
  return std::move(*response);
}

// docker's OAuth2 flow for identity tokens: POST realm with a refresh_token grant.
Result<Response> post_refresh_token(Transport& transport, const TokenRequest& token_request)
{
  util::SecureBytes body(
      util::as_bytes(fmt::format("grant_type=refresh_token&service={}", query_escape(token_request.service))));
  if (!token_request.scopes.empty()) {
    body.append(util::as_bytes("&scope=" + query_escape(fmt::format("{}", fmt::join(token_request.scopes, " ")))));
  }
  body.append(util::as_bytes(fmt::format("&client_id={}&refresh_token=", k_oauth_client_id)));
  std::string escaped = query_escape(token_request.credential->secret.chars());
  body.append(util::as_bytes(escaped));
  wipe(escaped);
  Request request;
  request.method = "POST";
  request.url = std::string(token_request.realm);
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  request.body = body.view();
  request.max_response_bytes = k_max_token_response_bytes;
  request.timeout = k_token_timeout;
  auto response = transport.send(request);
  if (!response) {
    return fail(response.error().error);
  }
  return std::move(*response);
}

// A short reason from an error body: OCI {"errors":[{"message"}]} or OAuth2 error_description.
std::string error_detail(std::string_view body)
{
  auto json = util::parse_json(body);
  if (!json || !json->is_object()) {
    return {};
  }
  const Json* text = nullptr;
  if (const auto errors = json->find("errors"); errors != json->end() && errors->is_array() && !errors->empty()) {
    const Json& first = errors->front();
    text = first.is_object() && first.contains("message") ? &first["message"] : nullptr;
  } else if (const auto description = json->find("error_description"); description != json->end()) {
    text = &*description;
  }
  if (text == nullptr || !text->is_string() || text->get_ref<const std::string&>().empty()) {
    return {};
  }
  std::string detail = text->get<std::string>().substr(0, k_max_error_detail_chars);
  std::ranges::replace_if(
      detail, [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return ": " + detail;
}

Result<Token> parse_token_response(const TokenRequest& request, std::string& body)
{
  auto json = util::parse_json(body);
  wipe(body);
  if (!json || !json->is_object()) {
    return fail(ErrorCode::registry,
                fmt::format("the token endpoint of {} answered with invalid JSON", request.registry));
  }
  std::string* token = nullptr;
  for (const char* name : {"access_token", "token"}) { // both: access_token wins, as in docker
    if (auto it = json->find(name);
        !token && it != json->end() && it->is_string() && !it->get_ref<std::string&>().empty()) {
      token = &it->get_ref<std::string&>();
    }
  }
  if (token == nullptr) {
    return fail(ErrorCode::registry,
                fmt::format("the token endpoint of {} answered without a token", request.registry));
  }
  const bool printable = std::ranges::all_of(*token, [](char c) { return c > 0x20 && c < 0x7f; });
  util::remember_secret(*token);
  Token result{.header = printable ? "Bearer " + *token : std::string(), .lifetime = k_default_token_lifetime};
  for (auto& [name, value] : json->items()) {
    if (value.is_string()) {
      wipe(value.get_ref<std::string&>());
    }
  }
  if (!printable) {
    return fail(ErrorCode::registry,
                fmt::format("the token endpoint of {} answered with a malformed token", request.registry));
  }
  if (const auto it = json->find("expires_in"); it != json->end() && it->is_number_integer()) {
    const auto seconds = it->get<std::int64_t>();
    if (seconds > 0) {
      result.lifetime = std::chrono::seconds(std::min<std::int64_t>(seconds, k_max_token_lifetime.count()));
    }
  }
  return result;
}

// Why a token service refused credentials, in words a user can act on.
std::string token_refusal_cause(const Credential& credential, long status, std::string_view registry)
{
  if (status == 403) {
    return "no access to the repository for these credentials";
  }
  if (credential.kind == Kind::identity_token) {
    return fmt::format("the saved token has expired or was revoked; run sigil login {} again", registry);
  }
  return "wrong user name or password (or an expired or revoked access token used as the password)";
}

Result<Token> check_token_response(const TokenRequest& request, std::string_view realm_origin, Response& response)
{
  const long status = response.status;
  if ((status == 401 || status == 403) && request.credential == nullptr) {
    return fail(ErrorCode::auth,
                fmt::format("authentication required by {} for {}: no credentials; run sigil login {} or pass "
                            "--registry-username/--registry-password{}",
                            request.registry, joined_scopes(request), request.registry, error_detail(response.body)));
  }
  if (status == 401 || status == 403) {
    return fail(ErrorCode::auth, fmt::format("the token service {} of {} refused the credentials for {}: {} "
                                             "(credentials: {}){}",
                                             realm_origin, request.registry, joined_scopes(request),
                                             token_refusal_cause(*request.credential, status, request.registry),
                                             describe_credential(*request.credential), error_detail(response.body)));
  }
  if (status < 200 || status > 299) {
    return fail(ErrorCode::registry, fmt::format("the token endpoint of {} answered HTTP {}{}", request.registry,
                                                 status, error_detail(response.body)));
  }
  return parse_token_response(request, response.body);
}

} // namespace

Result<Token> fetch_token(Transport& transport, const TokenRequest& request)
{
  if (request.credential != nullptr && request.credential->kind == Kind::registry_token) {
    return Token{.header = fmt::format("Bearer {}", request.credential->secret.chars()), .lifetime = std::nullopt};
  }
  SIGIL_TRY_ASSIGN(auto url, parse_realm(request.registry, request.realm));
  if (request.credential != nullptr && !url.https() && !util::is_loopback_host(url.host)) {
    return fail(ErrorCode::auth, fmt::format("refusing to send the credentials for {} over plain HTTP to {}: the "
                                             "registry must name an https:// token realm",
                                             request.registry, url.host));
  }
  const bool identity = request.credential != nullptr && request.credential->kind == Kind::identity_token;
  auto response = identity ? post_refresh_token(transport, request) : get_token(transport, request);
  if (!response) {
    return fail(response.error().context(fmt::format("fetching a token for {} from {}", request.registry, url.host)));
  }
  return check_token_response(request, url.origin() + url.target.substr(0, url.target.find('?')), *response);
}

std::string basic_authorization(const Credential& credential)
{
  util::SecureBytes pair(util::as_bytes(credential.username));
  pair.push_back(':');
  pair.append(credential.secret.view());
  std::string encoded = util::base64_encode(pair.view());
  util::remember_secret(encoded);
  return "Basic " + encoded;
}

std::string query_escape(std::string_view text)
{
  std::string out;
  for (const char c : text) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

} // namespace sigil::registry
