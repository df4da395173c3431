#include "sigil/keyless/oidc_token.hpp"

#include "sigil/core/env.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/redact.hpp"

#include <fmt/format.h>

#include <cmath>

namespace sigil::keyless {

namespace {

constexpr std::uint64_t k_max_token_bytes = 64 * 1024;
constexpr std::string_view k_token_variable = "SIGSTORE_ID_TOKEN";

Error token_error(std::string_view why)
{
  return Error{ErrorCode::usage, fmt::format("identity token refused: {}", why)};
}

// The three dot-separated parts of a compact JWS; the payload decoded and parsed.
Result<util::Json> jwt_payload(std::string_view jwt)
{
  const auto first = jwt.find('.');
  const auto second = first == std::string_view::npos ? first : jwt.find('.', first + 1);
  if (second == std::string_view::npos || jwt.find('.', second + 1) != std::string_view::npos || first == 0 ||
      second == first + 1 || second + 1 == jwt.size()) {
    return fail(token_error("not a JWT (expected three base64url parts separated by dots)"));
  }
  auto header = util::base64url_decode(jwt.substr(0, first));
  auto payload = util::base64url_decode(jwt.substr(first + 1, second - first - 1));
  if (!header || !payload) {
    return fail(token_error("not a JWT (a part is not base64url)"));
  }
  auto header_json = util::parse_json(util::as_chars(*header));
  if (!header_json || !header_json->is_object() || !header_json->contains("alg")) {
    return fail(token_error("not a JWT (the header is not a JSON object with \"alg\")"));
  }
  auto claims = util::parse_json(util::as_chars(*payload));
  if (!claims || !claims->is_object()) {
    return fail(token_error("not a JWT (the payload is not a JSON object)"));
  }
  return std::move(*claims);
}

Result<std::optional<std::string>> optional_string_claim(const util::Json& claims, std::string_view name)
{
  const auto it = claims.find(name);
  if (it == claims.end()) {
    return std::optional<std::string>{};
  }
  if (!it->is_string()) {
    return fail(token_error(fmt::format("claim \"{}\" is not a string", name)));
  }
  return std::optional<std::string>{it->get<std::string>()};
}

Result<std::string> string_claim(const util::Json& claims, std::string_view name)
{
  SIGIL_TRY_ASSIGN(auto value, optional_string_claim(claims, name));
  if (!value || value->empty()) {
    return fail(token_error(fmt::format("claim \"{}\" is missing", name)));
  }
  return std::move(*value);
}

Result<std::int64_t> expiry_claim(const util::Json& claims)
{
  const auto it = claims.find("exp");
  if (it == claims.end()) {
    return fail(token_error("claim \"exp\" is missing"));
  }
  if (it->is_number_integer()) {
    return it->get<std::int64_t>();
  }
  if (it->is_number_float()) {
    const double v = it->get<double>();
    if (std::isfinite(v) && v > 0 && v < 1e15) {
      return static_cast<std::int64_t>(v);
    }
  }
  return fail(token_error("claim \"exp\" is not a number of seconds"));
}

Result<void> check_audience(const util::Json& claims, std::string_view audience)
{
  const auto it = claims.find("aud");
  if (it == claims.end()) {
    return fail(token_error(fmt::format("claim \"aud\" is missing (expected \"{}\")", audience)));
  }
  std::vector<std::string> found;
  if (it->is_string()) {
    found.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    for (const auto& a : *it) {
      if (a.is_string()) {
        found.push_back(a.get<std::string>());
      }
    }
  }
  for (const auto& a : found) {
    if (a == audience) {
      return {};
    }
  }
  return fail(token_error(fmt::format("its audience is {}, not \"{}\" (in GitLab CI: id_tokens: SIGSTORE_ID_TOKEN: "
                                      "aud: {}; or pass --oidc-client-id)",
                                      found.empty() ? std::string("empty") : fmt::format("\"{}\"", found.front()),
                                      audience, audience)));
}

} // namespace

Result<IdentityToken> make_identity_token(std::string_view jwt, const TokenCheck& check)
{
  util::remember_secret(jwt);
  SIGIL_TRY_ASSIGN(const auto claims, jwt_payload(jwt));
  IdentityToken token;
  SIGIL_TRY_ASSIGN(token.m_issuer, string_claim(claims, "iss"));
  SIGIL_TRY_ASSIGN(token.m_subject, string_claim(claims, "sub"));
  SIGIL_TRY_ASSIGN(token.m_email, optional_string_claim(claims, "email"));
  if (token.m_email && token.m_email->empty()) {
    token.m_email.reset();
  }
  SIGIL_TRY_ASSIGN(token.m_expires_at, expiry_claim(claims));
  if (token.m_expires_at + check.skew_seconds <= check.now) {
    return fail(token_error(fmt::format("it expired {} s ago; get a fresh token (GitLab: the job's id_tokens "
                                        "last as long as the job)",
                                        check.now - token.m_expires_at)));
  }
  SIGIL_TRY(check_audience(claims, check.audience));
  token.m_raw = util::SecureBytes(util::as_bytes(jwt));
  return token;
}

namespace {

std::string_view trim(std::string_view text)
{
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

util::SecureBytes trimmed_secret(std::string_view text)
{
  const auto kept = trim(text);
  util::remember_secret(kept);
  return util::SecureBytes(util::as_bytes(kept));
}

} // namespace

Result<std::optional<util::SecureBytes>> find_identity_token(std::string_view flag)
{
  if (!flag.empty() && flag.front() == '@') {
    const std::string path(flag.substr(1));
    auto content = util::read_secret_file(path, k_max_token_bytes);
    if (!content) {
      return fail(content.error().context("reading --identity-token"));
    }
    return std::optional<util::SecureBytes>{trimmed_secret(content->chars())};
  }
  if (!flag.empty()) {
    return std::optional<util::SecureBytes>{trimmed_secret(flag)};
  }
  auto value = core::env::get(k_token_variable);
  if (!value || trim(*value).empty()) {
    return std::optional<util::SecureBytes>{};
  }
  auto secret = trimmed_secret(*value);
  util::wipe(*value);
  return std::optional<util::SecureBytes>{std::move(secret)};
}

} // namespace sigil::keyless
