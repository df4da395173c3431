// Tests for sigil::Result/Error (exit statuses of DESIGN.md §5) and the core::env table.
#include "sigil/core/env.hpp"
#include "sigil/core/result.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>

namespace {

using sigil::Error;
using sigil::ErrorCode;

// Sets an environment variable for the scope of a test and restores it afterwards.
class ScopedEnv {
public:
  ScopedEnv(const char* name, std::optional<std::string> value) : m_name(name)
  {
    if (const char* old = std::getenv(name)) { // NOLINT(concurrency-mt-unsafe): tests are single-threaded
      m_old = old;
    }
    set(value);
  }
  ~ScopedEnv() { set(m_old); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  void set(const std::optional<std::string>& value)
  {
    if (value) {
      ::setenv(m_name, value->c_str(), 1); // NOLINT(concurrency-mt-unsafe): single-threaded test
    } else {
      ::unsetenv(m_name); // NOLINT(concurrency-mt-unsafe)
    }
  }
  const char* m_name;
  std::optional<std::string> m_old;
};

sigil::Result<int> failing()
{
  return sigil::fail(ErrorCode::registry, "401 unauthorized");
}

} // namespace

TEST_CASE("exit statuses and code names follow DESIGN.md §5")
{
  struct Case {
    ErrorCode code;
    int status;
    std::string_view name;
  };
  const Case cases[] = {
      {ErrorCode::other, 1, "other"},
      {ErrorCode::usage, 2, "usage"},
      {ErrorCode::no_signatures, 10, "no_signatures"},
      {ErrorCode::not_found, 11, "not_found"},
      {ErrorCode::none_verified, 12, "none_verified"},
      {ErrorCode::no_certificate, 13, "no_certificate"},
      {ErrorCode::no_attestation, 14, "no_attestation"},
      {ErrorCode::policy_failed, 15, "policy_failed"},
      {ErrorCode::registry, 20, "registry"},
      {ErrorCode::auth, 21, "auth"},
      {ErrorCode::bad_input, 30, "bad_input"},
      {ErrorCode::internal, 70, "internal"},
  };
  std::set<int> statuses;
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(sigil::exit_status(c.code) == c.status);
    CHECK(sigil::error_code_name(c.code) == c.name);
    statuses.insert(c.status);
  }
  CHECK(statuses.size() == std::size(cases));
  CHECK(statuses.count(0) == 0); // no error maps to success
}

TEST_CASE("errors gain context at each layer")
{
  const Error base{ErrorCode::auth, "401 unauthorized"};
  const Error outer = base.context("pushing signature for r.example/app").context("signing");
  CHECK(outer.code == ErrorCode::auth);
  CHECK(outer.message == "signing: pushing signature for r.example/app: 401 unauthorized");
  CHECK(base.message == "401 unauthorized"); // context() returns a copy

  const auto r = failing();
  REQUIRE_FALSE(r.has_value());
  const sigil::Result<std::string> wrapped = sigil::with_context(r, "resolving tag");
  REQUIRE_FALSE(wrapped.has_value());
  CHECK(wrapped.error().code == ErrorCode::registry);
  CHECK(wrapped.error().message == "resolving tag: 401 unauthorized");

  const sigil::Result<void> from_error = sigil::fail(base);
  REQUIRE_FALSE(from_error.has_value());
  CHECK(from_error.error().message == base.message);
  CHECK(Error{}.code == ErrorCode::other);
}

TEST_CASE("env: the variable table")
{
  const auto vars = sigil::core::env::variables();
  REQUIRE_FALSE(vars.empty());
  std::set<std::string_view> names;
  for (const auto& v : vars) {
    CAPTURE(v.name);
    CHECK(names.insert(v.name).second); // listed once
    CHECK_FALSE(v.description.empty());
    for (const char c : v.name) {
      CHECK((std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'));
    }
  }
  struct Case {
    std::string_view name;
    sigil::core::env::Secret secret;
  };
  const Case expected[] = {
      {"SIGIL_PASSWORD", sigil::core::env::Secret::yes},
      {"COSIGN_PASSWORD", sigil::core::env::Secret::yes},
      {"CI_REGISTRY_PASSWORD", sigil::core::env::Secret::yes},
      {"CI_JOB_TOKEN", sigil::core::env::Secret::yes},
      {"SIGIL_REPOSITORY", sigil::core::env::Secret::no},
      {"COSIGN_REPOSITORY", sigil::core::env::Secret::no},
      {"NO_COLOR", sigil::core::env::Secret::no},
  };
  for (const auto& e : expected) {
    CAPTURE(e.name);
    bool found = false;
    for (const auto& v : vars) {
      if (v.name == e.name) {
        found = true;
        CHECK(v.secret == e.secret);
      }
    }
    CHECK(found);
  }
}

TEST_CASE("env: get distinguishes unset from set-but-empty; flag")
{
  {
    const ScopedEnv unset("NO_COLOR", std::nullopt);
    CHECK_FALSE(sigil::core::env::get("NO_COLOR").has_value());
    CHECK_FALSE(sigil::core::env::flag("NO_COLOR"));
  }
  struct Case {
    std::string value;
    bool flag;
  };
  const Case cases[] = {{"", false}, {"0", false}, {"false", false}, {"1", true}, {"yes", true}, {"true", true}};
  for (const auto& c : cases) {
    CAPTURE(c.value);
    const ScopedEnv set("NO_COLOR", c.value);
    const auto value = sigil::core::env::get("NO_COLOR");
    REQUIRE(value.has_value());
    CHECK(*value == c.value);
    CHECK(sigil::core::env::flag("NO_COLOR") == c.flag);
  }
  {
    const ScopedEnv user("SIGIL_UNIT_TEST_USER_NAMED", "-----BEGIN PUBLIC KEY-----");
    CHECK(sigil::core::env::get_user_named("SIGIL_UNIT_TEST_USER_NAMED") == "-----BEGIN PUBLIC KEY-----");
  }
  CHECK_FALSE(sigil::core::env::get_user_named("SIGIL_UNIT_TEST_USER_NAMED").has_value());
}

namespace {

sigil::Result<int> parse_positive(int v)
{
  if (v <= 0) {
    return sigil::fail(sigil::ErrorCode::bad_input, "not positive");
  }
  return v;
}

sigil::Result<void> check(int v)
{
  SIGIL_TRY(parse_positive(v));
  return {};
}

sigil::Result<std::string> doubled(int v)
{
  SIGIL_TRY_ASSIGN(const int n, parse_positive(v));
  SIGIL_TRY_ASSIGN(auto m, parse_positive(n * 2));
  SIGIL_TRY_CONTEXT(check(m), "doubling");
  return std::to_string(m);
}

} // namespace

TEST_CASE("SIGIL_TRY, SIGIL_TRY_ASSIGN and SIGIL_TRY_CONTEXT return the error or go on")
{
  CHECK(check(1));
  CHECK(check(0).error().message == "not positive");
  CHECK(*doubled(21) == "42");
  CHECK(doubled(-1).error().code == sigil::ErrorCode::bad_input);
  CHECK(doubled(-1).error().message == "not positive");
}
