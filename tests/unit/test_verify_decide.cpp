// Tests for verify::decide: which exit code the reports of verify-attestation lead to
// (0 / 12 none verified / 14 no attestation of the type / 15 policy failed), without a registry.
#include "sigil/core/result.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/policy/conditions.hpp"
#include "sigil/verify/attestation.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::verify::AttestationPolicy;
using sigil::verify::SignatureReport;

constexpr const char* k_type = "https://slsa.dev/provenance/v1";

std::string statement(const std::string& builder)
{
  return R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":")" +
         std::string(64, 'a') + R"("}}],"predicateType":")" + k_type + R"(","predicate":{"builder":")" + builder +
         R"("}})";
}

SignatureReport verified(const std::string& builder)
{
  SignatureReport r;
  r.verified = true;
  r.key_index = 0;
  r.payload = statement(builder);
  auto parsed = sigil::intoto::parse_statement(r.payload);
  REQUIRE(parsed);
  r.statement = std::move(*parsed);
  r.signed_predicate_type = k_type;
  return r;
}

SignatureReport rejected(std::optional<std::size_t> key_index, std::string signed_type)
{
  SignatureReport r;
  r.verified = false;
  r.key_index = key_index;
  r.signed_predicate_type = std::move(signed_type);
  return r;
}

AttestationPolicy builder_is(const std::string& value)
{
  AttestationPolicy p;
  auto c = sigil::policy::parse_condition("/predicate/builder=" + value, sigil::policy::Match::exact);
  REQUIRE(c);
  p.conditions.push_back(*c);
  return p;
}

} // namespace

TEST_CASE("decide: the outcome of verify-attestation from its reports")
{
  struct Case {
    const char* name;
    std::vector<SignatureReport> reports;
    AttestationPolicy policy;
    bool ok;
    ErrorCode code;      // when !ok
    const char* message; // substring, when !ok
    std::size_t statements;
  };
  const Case cases[] = {
      {"nothing attached", {}, {}, false, ErrorCode::no_attestation, "no attestations found (want type", 0},
      {"one verified, no policy", {verified("b")}, {}, true, ErrorCode::other, "", 1},
      {"one verified, policy holds", {verified("b")}, builder_is("b"), true, ErrorCode::other, "", 1},
      {"one verified, policy fails",
       {verified("b")},
       builder_is("c"),
       false,
       ErrorCode::policy_failed,
       "verified, but the policy failed: /predicate/builder: want c, found",
       0},
      {"one of two verified passes the policy",
       {verified("c"), verified("b")},
       builder_is("b"),
       true,
       ErrorCode::other,
       "",
       1},
      {"only another type verified with the key",
       {rejected(0, "https://spdx.dev/Document")},
       {},
       false,
       ErrorCode::no_attestation,
       "no verified attestation of type https://slsa.dev/provenance/v1; found only: https://spdx.dev/Document",
       0},
      {"only another type, verified keyless (an identity, no key index)",
       {rejected(std::nullopt, "https://spdx.dev/Document")},
       {},
       false,
       ErrorCode::no_attestation,
       "no verified attestation of type https://slsa.dev/provenance/v1; found only: https://spdx.dev/Document",
       0},
      {"an unverified one of unknown type",
       {rejected(std::nullopt, "")},
       {},
       false,
       ErrorCode::none_verified,
       "1 attestation(s) considered, none of type https://slsa.dev/provenance/v1 verified",
       0},
      {"unverified of the type next to another type",
       {rejected(std::nullopt, k_type), rejected(0, "https://spdx.dev/Document")},
       {},
       false,
       ErrorCode::none_verified,
       "2 attestation(s) considered",
       0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const auto d = sigil::verify::decide(c.reports, k_type, c.policy);
    CHECK(d.ok == c.ok);
    CHECK(d.passed.size() == c.statements);
    if (!c.ok) {
      CHECK(d.code == c.code);
      CHECK(d.message.find(c.message) != std::string::npos);
    }
  }
}
