// Tests for sigil::registry auth: WWW-Authenticate parsing and the Authenticator's token flows,
// against a fake Transport that records requests and plays back canned responses.
#include "sigil/registry/auth.hpp"
#include "sigil/registry/token.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/host.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sigil::ErrorCode;
using sigil::registry::Authenticator;
using sigil::registry::Challenge;
using sigil::registry::CredentialFlags;
using sigil::registry::CredentialStore;
using sigil::registry::Header;
using sigil::registry::Request;
using sigil::registry::Response;
using sigil::registry::Transport;
using sigil::registry::TransportError;
using sigil::registry::TransportFailure;
using Params = std::map<std::string, std::string>;

// ---- environment and files -----------------------------------------------------------------

// Points DOCKER_CONFIG at a fresh temporary directory and clears the GitLab variables;
// restores everything on destruction.
class ScopedEnv {
public:
  ScopedEnv()
  {
    for (const char* name : k_names) {
      const char* value = std::getenv(name); // NOLINT(concurrency-mt-unsafe): test setup
      m_saved.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "sigil-auth-XXXXXX").string();
    m_dir = ::mkdtemp(pattern.data());
    ::setenv("DOCKER_CONFIG", m_dir.c_str(), 1);
  }
  ~ScopedEnv()
  {
    for (const auto& [name, value] : m_saved) {
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
    }
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

  void write_config(const std::string& json) const { std::ofstream(m_dir / "config.json") << json; }

private:
  static constexpr std::array k_names{"DOCKER_CONFIG",        "HOME",        "CI_REGISTRY", "CI_REGISTRY_USER",
                                      "CI_REGISTRY_PASSWORD", "CI_JOB_TOKEN"};
  std::vector<std::pair<std::string, std::optional<std::string>>> m_saved;
  std::filesystem::path m_dir;
};

// ---- fake transport ------------------------------------------------------------------------

struct Sent {
  std::string method;
  std::string url;
  std::vector<Header> headers;
  std::string body;
  std::uint64_t max_response_bytes = 0;

  [[nodiscard]] std::optional<std::string> header(const std::string& name) const
  {
    for (const auto& h : headers) {
      if (h.name == name) {
        return h.value;
      }
    }
    return std::nullopt;
  }
};

class FakeTransport final : public Transport {
public:
  std::expected<Response, TransportError> send(const Request& request) override
  {
    std::optional<Response> response;
    {
      const std::scoped_lock lock(m_mutex);
      m_sent.push_back({request.method, request.url, request.headers, std::string(sigil::util::as_chars(request.body)),
                        request.max_response_bytes});
      if (!m_responses.empty()) {
        response = std::move(m_responses.front());
        m_responses.pop_front();
      }
    }
    std::this_thread::sleep_for(m_delay);
    if (!response) {
      return std::unexpected(TransportError{TransportFailure::connect, {ErrorCode::registry, "connection refused"}});
    }
    return std::move(*response);
  }
  [[nodiscard]] std::uint64_t request_count() const override
  {
    const std::scoped_lock lock(m_mutex);
    return m_sent.size();
  }

  void reply(long status, std::string body)
  {
    Response r;
    r.status = status;
    r.body = std::move(body);
    m_responses.push_back(std::move(r));
  }
  [[nodiscard]] const Sent& sent(std::size_t i) const { return m_sent.at(i); }
  void set_delay(std::chrono::milliseconds delay) { m_delay = delay; }

private:
  mutable std::mutex m_mutex;
  std::vector<Sent> m_sent;
  std::deque<Response> m_responses;
  std::chrono::milliseconds m_delay{0};
};

Response unauthorized(std::vector<std::string> challenges)
{
  Response r;
  r.status = 401;
  for (auto& c : challenges) {
    r.headers.push_back({"www-authenticate", std::move(c)});
  }
  return r;
}

const std::string k_bearer = R"(Bearer realm="https://auth.example/token",service="registry.example")";
const std::string k_scope = "repository:team/app:pull";

std::string basic_of(std::string_view user_password)
{
  return "Basic " + sigil::util::base64_encode(sigil::util::as_bytes(user_password));
}

struct ChallengeCase {
  std::string input;
  std::vector<Challenge> expected; // empty: must fail
  std::string error = {};          // substring of the error, when failing
};

const std::vector<ChallengeCase>& challenge_cases()
{
  static const std::vector<ChallengeCase> cases{
      {R"(Bearer realm="https://a/token",service="reg",scope="repository:x:pull")",
       {{"bearer", Params{{"realm", "https://a/token"}, {"service", "reg"}, {"scope", "repository:x:pull"}}, ""}}},
      {R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull",error="insufficient_scope")",
       {{"bearer",
         Params{{"realm", "https://auth.docker.io/token"},
                {"service", "registry.docker.io"},
                {"scope", "repository:library/alpine:pull"},
                {"error", "insufficient_scope"}},
         ""}}},
      {R"(Basic realm="Registry Realm")", {{"basic", Params{{"realm", "Registry Realm"}}, ""}}},
      {R"(BEARER Realm="r", SERVICE="s")", {{"bearer", Params{{"realm", "r"}, {"service", "s"}}, ""}}},
      {R"(Bearer realm="a",service="b", Basic realm="c")",
       {{"bearer", Params{{"realm", "a"}, {"service", "b"}}, ""}, {"basic", Params{{"realm", "c"}}, ""}}},
      {R"(Basic realm="c", Bearer realm="a")",
       {{"basic", Params{{"realm", "c"}}, ""}, {"bearer", Params{{"realm", "a"}}, ""}}},
      {R"(Bearer realm=token-only)", {{"bearer", Params{{"realm", "token-only"}}, ""}}},
      {R"(Basic realm = "spaced" , charset = UTF-8)",
       {{"basic", Params{{"realm", "spaced"}, {"charset", "UTF-8"}}, ""}}},
      {R"(Basic realm="a \"quoted\" \\ word")", {{"basic", Params{{"realm", R"(a "quoted" \ word)"}}, ""}}},
      {R"(Basic realm="with, comma", Bearer realm="x")",
       {{"basic", Params{{"realm", "with, comma"}}, ""}, {"bearer", Params{{"realm", "x"}}, ""}}},
      {R"(Basic realm="")", {{"basic", Params{{"realm", ""}}, ""}}},
      {"Negotiate", {{"negotiate", Params{}, ""}}},
      {"Negotiate, Basic realm=\"x\"", {{"negotiate", Params{}, ""}, {"basic", Params{{"realm", "x"}}, ""}}},
      {"Newauth abc123+/._~==", {{"newauth", Params{}, "abc123+/._~=="}}},
      {"Newauth abc=, Basic realm=\"x\"", {{"newauth", Params{}, "abc="}, {"basic", Params{{"realm", "x"}}, ""}}},
      {" , Basic realm=\"x\" ,, ", {{"basic", Params{{"realm", "x"}}, ""}}},
      {"Basic\trealm=\"tab\"", {{"basic", Params{{"realm", "tab"}}, ""}}},
      {"", {}, "no challenge"},
      {" , ,", {}, "no challenge"},
      {R"(Bearer realm="unterminated)", {}, "unterminated quoted string"},
      {R"(Bearer realm="ends with backslash\)", {}, "unterminated quoted string"},
      {R"(Bearer realm)", {{"bearer", Params{}, "realm"}}},
      {R"(Bearer realm service="x")", {}, "expected '='"},
      {R"(Bearer realm=)", {{"bearer", Params{}, "realm="}}}, // a token68, by the grammar
      {R"(Bearer a="x", b=, c="y")", {}, "expected a parameter value"},
      {R"(Bearer realm="a" service="b")", {}, "expected ','"},
      {R"(Bearer realm="a", realm="b")", {}, "repeated"},
      {R"(="x")", {}, "expected an authentication scheme"},
      {R"(Bearer="x")", {}, "expected a space"},
      {"Basic realm=\"ctl\x01\"", {}, "control character"},
      {R"(Bearer realm="a", @bad="x")", {}, "expected an authentication scheme"},
  };
  return cases;
}

} // namespace

// ---- WWW-Authenticate ----------------------------------------------------------------------

TEST_CASE("parse_www_authenticate: table")
{
  const auto& cases = challenge_cases();
  CHECK(cases.size() >= 20);
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const auto parsed = sigil::registry::parse_www_authenticate(c.input);
    if (c.expected.empty()) {
      REQUIRE_FALSE(parsed);
      CHECK(parsed.error().code == ErrorCode::registry);
      CHECK(parsed.error().message.find(c.error) != std::string::npos);
      continue;
    }
    REQUIRE(parsed);
    REQUIRE(parsed->size() == c.expected.size());
    for (std::size_t i = 0; i < c.expected.size(); ++i) {
      CHECK((*parsed)[i].scheme == c.expected[i].scheme);
      CHECK((*parsed)[i].params == c.expected[i].params);
      CHECK((*parsed)[i].token68 == c.expected[i].token68);
    }
  }
}

TEST_CASE("parse_www_authenticate: bounds")
{
  std::string many_params = "Bearer ";
  for (int i = 0; i < 40; ++i) {
    many_params += "p" + std::to_string(i) + "=v,";
  }
  auto parsed = sigil::registry::parse_www_authenticate(many_params);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().message.find("more than 32 parameters") != std::string::npos);

  std::string many_challenges;
  for (int i = 0; i < 20; ++i) {
    many_challenges += "Basic realm=\"x\", ";
  }
  parsed = sigil::registry::parse_www_authenticate(many_challenges);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().message.find("more than 16 challenges") != std::string::npos);

  parsed = sigil::registry::parse_www_authenticate("Basic realm=\"" + std::string(20'000, 'a') + "\"");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().message.find("longer than") != std::string::npos);
}

TEST_CASE("parse_challenges: several header lines, in order")
{
  const auto parsed = sigil::registry::parse_challenges(unauthorized({R"(Basic realm="b")", k_bearer}));
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 2);
  CHECK((*parsed)[0].scheme == "basic");
  CHECK((*parsed)[1].scheme == "bearer");
  CHECK((*parsed)[1].params.at("service") == "registry.example");
  CHECK(sigil::registry::parse_challenges(Response{})->empty());
}

// ---- Authenticator: Bearer -----------------------------------------------------------------

TEST_CASE("Authenticator: anonymous token fetch and caching")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{});
  Authenticator auth(transport, store);
  CHECK_FALSE(auth.cached("registry.example", k_scope));

  transport.reply(200, R"({"token":"tok-1","expires_in":300})");
  const auto header = auth.authorize("registry.example", k_scope, unauthorized({k_bearer}));
  REQUIRE(header);
  CHECK(*header == "Bearer tok-1");
  REQUIRE(transport.request_count() == 1);
  const Sent& sent = transport.sent(0);
  CHECK(sent.method == "GET");
  CHECK(sent.url == "https://auth.example/token?service=registry.example&scope=repository%3Ateam%2Fapp%3Apull");
  CHECK_FALSE(sent.header("Authorization"));
  CHECK(sent.max_response_bytes == std::uint64_t{1} << 20);

  CHECK(auth.cached("registry.example", k_scope) == "Bearer tok-1");
  CHECK(auth.cached("REGISTRY.example", k_scope) == "Bearer tok-1");
  CHECK_FALSE(auth.cached("registry.example", "repository:other:pull"));
  CHECK_FALSE(auth.cached("other.example", k_scope));
  auth.invalidate("registry.example", k_scope);
  CHECK_FALSE(auth.cached("registry.example", k_scope));
}

TEST_CASE("Authenticator: token fetch with Basic credentials, several scopes, access_token")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{.username = "alice", .password = "s3cret", .token = ""});
  Authenticator auth(transport, store);
  transport.reply(200, R"({"access_token":"acc-1","token":"tok-ignored"})");
  const std::string challenge =
      R"(Bearer realm="https://auth.example/token?x=1",service="registry.example",scope="repository:base:pull")";
  const auto header = auth.authorize("registry.example", "repository:team/app:pull,push repository:base:pull",
                                     unauthorized({challenge}));
  REQUIRE(header);
  CHECK(*header == "Bearer acc-1");
  const Sent& sent = transport.sent(0);
  CHECK(sent.url == "https://auth.example/token?x=1&service=registry.example"
                    "&scope=repository%3Ateam%2Fapp%3Apull%2Cpush&scope=repository%3Abase%3Apull");
  CHECK(sent.header("Authorization") == basic_of("alice:s3cret"));
}

TEST_CASE("Authenticator: token expiry and refresh")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{});
  auto now = std::chrono::steady_clock::time_point{} + 1000s;
  Authenticator auth(transport, store, [&] { return now; });

  transport.reply(200, R"({"token":"short"})"); // no expires_in: 60 s
  REQUIRE(auth.authorize("registry.example", k_scope, unauthorized({k_bearer})));
  now += 40s;
  CHECK(auth.cached("registry.example", k_scope) == "Bearer short");
  now += 10s; // 50 s: within the refresh margin
  CHECK_FALSE(auth.cached("registry.example", k_scope));

  transport.reply(200, R"({"token":"long","expires_in":3600})");
  REQUIRE(auth.authorize("registry.example", k_scope, unauthorized({k_bearer})));
  now += 3500s;
  CHECK(auth.cached("registry.example", k_scope) == "Bearer long");
  now += 80s;
  CHECK_FALSE(auth.cached("registry.example", k_scope));

  // authorize always fetches afresh: the cached token was just refused.
  transport.reply(200, R"({"token":"a","expires_in":3600})");
  transport.reply(200, R"({"token":"b","expires_in":3600})");
  CHECK(auth.authorize("registry.example", k_scope, unauthorized({k_bearer})) == "Bearer a");
  CHECK(auth.authorize("registry.example", k_scope, unauthorized({k_bearer})) == "Bearer b");
  CHECK(auth.cached("registry.example", k_scope) == "Bearer b");
}

TEST_CASE("Authenticator: identity token uses the OAuth2 refresh_token POST")
{
  const ScopedEnv env;
  env.write_config(R"({"auths":{"registry.example":{"auth":"ZHVtbXk6","identitytoken":"refresh&me=1"}}})");
  FakeTransport transport;
  CredentialStore store(CredentialFlags{});
  Authenticator auth(transport, store);
  transport.reply(200, R"({"access_token":"acc","expires_in":120})");
  const auto header =
      auth.authorize("registry.example", "repository:a:pull repository:b:push", unauthorized({k_bearer}));
  REQUIRE(header);
  CHECK(*header == "Bearer acc");
  const Sent& sent = transport.sent(0);
  CHECK(sent.method == "POST");
  CHECK(sent.url == "https://auth.example/token");
  CHECK(sent.header("Content-Type") == "application/x-www-form-urlencoded");
  CHECK_FALSE(sent.header("Authorization"));
  CHECK(sent.body ==
        "grant_type=refresh_token&service=registry.example&scope=repository%3Aa%3Apull+repository%3Ab%3Apush"
        "&client_id=sigil&refresh_token=refresh%26me%3D1");
}

TEST_CASE("Authenticator: a registry token is the Bearer token, no fetch")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{.username = "", .password = "", .token = "reg-tok"});
  Authenticator auth(transport, store);
  CHECK(auth.authorize("registry.example", k_scope, unauthorized({k_bearer})) == "Bearer reg-tok");
  CHECK(transport.request_count() == 0);
  CHECK(auth.cached("registry.example", k_scope) == "Bearer reg-tok");
}

TEST_CASE("Authenticator: concurrent authorize calls share one token fetch")
{
  const ScopedEnv env;
  FakeTransport transport;
  transport.set_delay(100ms);
  transport.reply(200, R"({"token":"shared"})");
  CredentialStore store(CredentialFlags{});
  Authenticator auth(transport, store);
  const Response challenge = unauthorized({k_bearer});
  std::vector<std::string> results(8);
  {
    std::vector<std::jthread> threads;
    for (auto& result : results) {
      threads.emplace_back([&] {
        auto header = auth.authorize("registry.example", k_scope, challenge);
        result = header ? *header : header.error().message;
      });
    }
  }
  CHECK(transport.request_count() == 1);
  for (const auto& result : results) {
    CHECK(result == "Bearer shared");
  }
}

// ---- Authenticator: Basic and errors -------------------------------------------------------

TEST_CASE("Authenticator: Basic challenge")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{.username = "bob", .password = "pa:ss", .token = ""});
  Authenticator auth(transport, store);
  const auto header = auth.authorize("basic.example", k_scope, unauthorized({R"(Basic realm="Registry")"}));
  REQUIRE(header);
  CHECK(*header == basic_of("bob:pa:ss"));
  CHECK(transport.request_count() == 0);
  CHECK(auth.cached("basic.example", "repository:any:push") == *header);
  auth.invalidate("basic.example", k_scope);
  CHECK_FALSE(auth.cached("basic.example", k_scope));
}

TEST_CASE("Authenticator: Basic challenge without credentials")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{});
  Authenticator auth(transport, store);
  const auto header = auth.authorize("basic.example", k_scope, unauthorized({R"(Basic realm="Registry")"}));
  REQUIRE_FALSE(header);
  CHECK(header.error().code == ErrorCode::auth);
  CHECK(header.error().message ==
        "authentication required by basic.example: no credentials; run sigil login basic.example or pass "
        "--registry-username/--registry-password");
}

TEST_CASE("Authenticator: token endpoint errors name no secret")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{.username = "alice", .password = "s3cret", .token = ""});
  Authenticator auth(transport, store);
  const auto challenge = unauthorized({k_bearer});
  auto check_error = [&](long status, std::string body, ErrorCode code, std::string_view text) {
    transport.reply(status, std::move(body));
    const auto header = auth.authorize("registry.example", k_scope, challenge);
    REQUIRE_FALSE(header);
    CHECK(header.error().code == code);
    CHECK(header.error().message.find(text) != std::string::npos);
    CHECK(header.error().message.find("s3cret") == std::string::npos);
    CHECK(header.error().message.find("leaked") == std::string::npos);
  };
  check_error(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"bad password"}]})", ErrorCode::auth,
              "the token service https://auth.example/token of registry.example refused the credentials for "
              "repository:team/app:pull: wrong user name or password (or an expired or revoked access token used as "
              "the password) (credentials: --registry-username/--registry-password, user alice): bad password");
  check_error(403, "", ErrorCode::auth,
              "refused the credentials for repository:team/app:pull: no access to the repository for these credentials");
  check_error(500, "oops", ErrorCode::registry, "the token endpoint of registry.example answered HTTP 500");
  check_error(200, "not json leaked", ErrorCode::registry, "invalid JSON");
  check_error(200, R"({"expires_in":60})", ErrorCode::registry, "without a token");
  check_error(200, "{\"token\":\"leaked\\r\\nX-Evil: 1\"}", ErrorCode::registry, "malformed token");
  // No response queued: the transport's own error, with context.
  const auto header = auth.authorize("registry.example", k_scope, challenge);
  REQUIRE_FALSE(header);
  CHECK(header.error().code == ErrorCode::registry);
  CHECK(header.error().message == "fetching a token for registry.example from auth.example: connection refused");
  CHECK_FALSE(auth.cached("registry.example", k_scope));
}

TEST_CASE("Authenticator: anonymous access refused by the token endpoint")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{});
  Authenticator auth(transport, store);
  transport.reply(401, "");
  const auto header = auth.authorize("registry.example", k_scope, unauthorized({k_bearer}));
  REQUIRE_FALSE(header);
  CHECK(header.error().code == ErrorCode::auth);
  CHECK(header.error().message.find("no credentials; run sigil login registry.example") != std::string::npos);
}

TEST_CASE("Authenticator: credentials never go over plain HTTP to a remote realm")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{.username = "alice", .password = "s3cret", .token = ""});
  Authenticator auth(transport, store);
  auto header =
      auth.authorize("registry.example", k_scope, unauthorized({R"(Bearer realm="http://auth.example/token")"}));
  REQUIRE_FALSE(header);
  CHECK(header.error().code == ErrorCode::auth);
  CHECK(header.error().message.find("refusing to send the credentials for registry.example over plain HTTP") !=
        std::string::npos);
  CHECK(transport.request_count() == 0);

  for (const char* realm : {"http://localhost:5000/token", "http://127.0.0.1/token", "http://[::1]:8080/token"}) {
    transport.reply(200, R"({"token":"local"})");
    header = auth.authorize("localhost:5000", k_scope, unauthorized({fmt::format(R"(Bearer realm="{}")", realm)}));
    CHECK(header == "Bearer local");
  }

  // Anonymous: nothing secret is sent, so plain HTTP is the registry's business.
  CredentialStore anonymous(CredentialFlags{});
  Authenticator anonymous_auth(transport, anonymous);
  transport.reply(200, R"({"token":"anon"})");
  CHECK(anonymous_auth.authorize("registry.example", k_scope,
                                 unauthorized({R"(Bearer realm="http://auth.example/t")"})) == "Bearer anon");
}

TEST_CASE("Authenticator: unusable challenges")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{});
  Authenticator auth(transport, store);
  auto check_error = [&](const Response& response, ErrorCode code, std::string_view text) {
    const auto header = auth.authorize("registry.example", k_scope, response);
    REQUIRE_FALSE(header);
    CHECK(header.error().code == code);
    CHECK(header.error().message.find(text) != std::string::npos);
  };
  check_error(unauthorized({}), ErrorCode::auth, "registry.example answered 401 without a WWW-Authenticate challenge");
  check_error(unauthorized({"Negotiate abc"}), ErrorCode::auth, "unsupported authentication \"negotiate\"");
  check_error(unauthorized({R"(Bearer service="x")"}), ErrorCode::registry, "Bearer challenge without a realm");
  check_error(unauthorized({R"(Bearer realm="ftp://x/y")"}), ErrorCode::registry, "not an http(s) URL");
  check_error(unauthorized({R"(Bearer realm="https://user@evil/")"}), ErrorCode::registry, "invalid token realm");
  check_error(unauthorized({R"(Bearer realm="x)"}), ErrorCode::registry, "unterminated quoted string");
  CHECK(transport.request_count() == 0);
}

TEST_CASE("query_escape and is_loopback_host")
{
  using sigil::util::is_loopback_host;
  using sigil::registry::query_escape;
  CHECK(query_escape("repository:a/b:pull,push") == "repository%3Aa%2Fb%3Apull%2Cpush");
  CHECK(query_escape("a b~-._") == "a+b~-._");
  CHECK(query_escape("\xff") == "%FF");
  CHECK(is_loopback_host("localhost"));
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.1.2.3"));
  CHECK(is_loopback_host("[::1]"));
  CHECK_FALSE(is_loopback_host("128.0.0.1"));
  CHECK_FALSE(is_loopback_host("localhost.evil.example"));
  CHECK_FALSE(is_loopback_host("[::2]"));
  CHECK_FALSE(is_loopback_host("127.0.0.1.nip.io"));
}

TEST_CASE("Authenticator: refusal says the credentials could not be read, not that there are none")
{
  const ScopedEnv env;
  FakeTransport transport;
  CredentialStore store(CredentialFlags{.username = "alice", .password = "", .token = ""});
  Authenticator auth(transport, store);
  const auto why = auth.refusal("registry.example", k_scope, unauthorized({k_bearer}));
  CHECK(why ==
        "the credentials could not be read: looking up credentials for registry.example: --registry-username and "
        "--registry-password must be given together");
  CHECK(transport.request_count() == 0);
}
