// Tests for sigil::keyless identity tokens: what is refused before Fulcio is asked.
#include "sigil/keyless/oidc_token.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/redact.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using sigil::keyless::make_identity_token;
using sigil::keyless::TokenCheck;

std::string b64url(std::string_view text)
{
  std::string s = sigil::util::base64_encode(sigil::util::as_bytes(text));
  for (auto& c : s) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  while (!s.empty() && s.back() == '=') {
    s.pop_back();
  }
  return s;
}

std::string jwt(std::string_view payload)
{
  return b64url(R"({"alg":"ES256","typ":"JWT"})") + "." + b64url(payload) + ".c2lnbmF0dXJl";
}

constexpr std::int64_t k_now = 1'800'000'000;

TokenCheck at_now()
{
  return TokenCheck{.audience = "sigstore", .now = k_now, .skew_seconds = 10};
}

} // namespace

TEST_CASE("oidc token: an email token gives issuer, subject, email, and the email as the challenge")
{
  const auto tok = make_identity_token(
    jwt(R"({"iss":"https://issuer.example","sub":"12345","email":"dev@example.com","aud":"sigstore","exp":1800000600})"),
    at_now());
  REQUIRE(tok);
  CHECK(tok->issuer() == "https://issuer.example");
  CHECK(tok->subject() == "12345");
  CHECK(tok->email() == "dev@example.com");
  CHECK(tok->challenge() == "dev@example.com");
  CHECK(tok->expires_at() == 1'800'000'600);
}

TEST_CASE("oidc token: a GitLab token (no email claim) is challenged with sub; aud may be a list")
{
  const auto tok = make_identity_token(
    jwt(R"({"iss":"https://gitlab.com","sub":"project_path:grp/proj:ref_type:branch:ref:main","aud":["other","sigstore"],"exp":1800000600.5})"),
    at_now());
  REQUIRE(tok);
  CHECK(!tok->email());
  CHECK(tok->challenge() == "project_path:grp/proj:ref_type:branch:ref:main");
}

TEST_CASE("oidc token: refusals say why and never quote the token")
{
  struct Case {
    std::string name;
    std::string token;
    std::string reason;
  };
  const std::string good_claims = R"("iss":"https://i.example","sub":"s","aud":"sigstore")";
  const Case cases[] = {
    {"not three parts", "abc.def", "not a JWT"},
    {"four parts", "a.b.c.d", "not a JWT"},
    {"payload not base64url", b64url(R"({"alg":"ES256"})") + ".%%%.sig", "not a JWT"},
    {"payload not an object", jwt("[1,2]"), "not a JWT"},
    {"header without alg", b64url("{}") + "." + b64url("{" + good_claims + R"(,"exp":1800000600})") + ".sig", "not a JWT"},
    {"expired", jwt("{" + good_claims + R"(,"exp":1799999000})"), "expired 1000 s ago"},
    {"no exp", jwt("{" + good_claims + "}"), "\"exp\" is missing"},
    {"wrong audience", jwt(R"({"iss":"https://i.example","sub":"s","aud":"not-sigstore","exp":1800000600})"),
     "audience is \"not-sigstore\", not \"sigstore\""},
    {"no audience", jwt(R"({"iss":"https://i.example","sub":"s","exp":1800000600})"), "\"aud\" is missing"},
    {"no sub", jwt(R"({"iss":"https://i.example","aud":"sigstore","exp":1800000600})"), "\"sub\" is missing"},
    {"no iss", jwt(R"({"sub":"s","aud":"sigstore","exp":1800000600})"), "\"iss\" is missing"},
    {"email not a string", jwt("{" + good_claims + R"(,"email":7,"exp":1800000600})"), "\"email\" is not a string"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto tok = make_identity_token(c.token, at_now());
    REQUIRE(!tok);
    CHECK(tok.error().code == sigil::ErrorCode::usage);
    CHECK(tok.error().message.find(c.reason) != std::string::npos);
    CHECK(tok.error().message.find(c.token) == std::string::npos);
  }
}

TEST_CASE("oidc token: a token just past exp is still within the skew; --oidc-client-id changes the audience")
{
  const auto claims = R"({"iss":"https://i.example","sub":"s","aud":"my-client","exp":1799999995})";
  CHECK(!make_identity_token(jwt(claims), at_now()));
  auto check = at_now();
  check.audience = "my-client";
  CHECK(make_identity_token(jwt(claims), check));
}

TEST_CASE("oidc token: the token is remembered as a secret, so output redacts it")
{
  const auto token = jwt(R"({"iss":"https://i.example","sub":"s","aud":"sigstore","exp":1800000600})");
  REQUIRE(make_identity_token(token, at_now()));
  CHECK(sigil::util::redact_secrets("server said: " + token) == "server said: ***");
}

TEST_CASE("oidc token: --identity-token VALUE wins over SIGSTORE_ID_TOKEN; whitespace is dropped")
{
  const auto found = sigil::keyless::find_identity_token("  abc.def.ghi\n");
  REQUIRE(found);
  REQUIRE(found->has_value());
  CHECK((*found)->chars() == "abc.def.ghi");
}
