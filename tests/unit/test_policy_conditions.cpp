// Tests for sigil::policy conditions: RFC 6901 pointers (escapes, array indices, "-", absent
// paths), exact and anchored regexp matching of strings and non-strings, parse errors, and
// the bounds on patterns and matched texts.
#include "sigil/policy/conditions.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::policy::evaluate;
using sigil::policy::Match;
using sigil::policy::parse_condition;
using sigil::util::Json;

const Json& document()
{
  static const Json doc = Json::parse(R"({
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": "app", "digest": {"sha256": "abc"}}, {"name": "b", "digest": {"sha256": "def"}}],
    "predicateType": "https://slsa.dev/provenance/v1",
    "predicate": {
      "buildDefinition": {"buildType": "https://example.com/bt/v1",
        "externalParameters": {"source": {"uri": "git+https://gitlab.com/g/p", "ref": "refs/heads/main"}}},
      "a/b": "slash", "m~n": "tilde", "~1": "literal tilde one", "": "empty key",
      "count": 3, "ratio": 1.5, "flag": true, "none": null, "list": [1, "two", {"x": "y"}],
      "obj": {"b": 2, "a": 1}, "text": "multi\nline", "eq": "a=b", "empty": "", "unicode": "h\u00e9llo"
    }
  })");
  return doc;
}

struct Case {
  std::string_view condition;
  Match match;
  bool holds;
  std::string_view found; // when it does not hold
};

constexpr std::string_view k_absent = "<absent>";

const std::vector<Case>& cases()
{
  static const std::vector<Case> table{
      {"/predicateType=https://slsa.dev/provenance/v1", Match::exact, true, ""},
      {"/predicateType=https://slsa.dev/provenance/v0.2", Match::exact, false, "https://slsa.dev/provenance/v1"},
      {"/predicateType=HTTPS://SLSA.DEV/provenance/v1", Match::exact, false, "https://slsa.dev/provenance/v1"},
      {"/predicate/a~1b=slash", Match::exact, true, ""},
      {"/predicate/m~0n=tilde", Match::exact, true, ""},
      {"/predicate/~01=literal tilde one", Match::exact, true, ""},
      {"/predicate/=empty key", Match::exact, true, ""},
      {"/predicate/a/b=slash", Match::exact, false, k_absent},
      {"/subject/0/name=app", Match::exact, true, ""},
      {"/subject/1/digest/sha256=def", Match::exact, true, ""},
      {"/subject/2/name=app", Match::exact, false, k_absent},
      {"/subject/-/name=app", Match::exact, false, k_absent},
      {"/subject/01/name=b", Match::exact, false, k_absent},
      {"/subject/+1/name=b", Match::exact, false, k_absent},
      {"/subject/name=app", Match::exact, false, k_absent},
      {"/predicate/count=3", Match::exact, true, ""},
      {"/predicate/count=3.0", Match::exact, false, "3"},
      {"/predicate/ratio=1.5", Match::exact, true, ""},
      {"/predicate/flag=true", Match::exact, true, ""},
      {"/predicate/none=null", Match::exact, true, ""},
      {"/predicate/list=[1,\"two\",{\"x\":\"y\"}]", Match::exact, true, ""},
      {"/predicate/obj={\"a\":1,\"b\":2}", Match::exact, true, ""},
      {"/predicate/list/1=two", Match::exact, true, ""},
      {"/predicate/list/2/x=y", Match::exact, true, ""},
      {"/predicate/count/0=3", Match::exact, false, k_absent},
      {"/predicate/missing=", Match::exact, false, k_absent},
      {"/predicate/empty=", Match::exact, true, ""},
      {"/predicate/eq=a=b", Match::exact, true, ""},
      {"/predicate/text=multi\nline", Match::exact, true, ""},
      {"/predicate/unicode=h\xc3\xa9llo", Match::exact, true, ""},
      {"/predicateType=https://slsa\\.dev/provenance/v.*", Match::regexp, true, ""},
      {"/predicateType=slsa", Match::regexp, false, "https://slsa.dev/provenance/v1"},
      {"/predicateType=.*slsa.*", Match::regexp, true, ""},
      {"/predicateType=https://slsa.dev/provenance/v", Match::regexp, false, "https://slsa.dev/provenance/v1"},
      {"/predicate/count=[0-9]+", Match::regexp, true, ""},
      {"/predicate/flag=tru", Match::regexp, false, "true"},
      {"/predicate/buildDefinition/externalParameters/source/ref=refs/heads/(main|master)", Match::regexp, true, ""},
      {"/predicate/buildDefinition/externalParameters/source/ref=refs/tags/v.*", Match::regexp, false,
       "refs/heads/main"},
      {"/predicate/missing=.*", Match::regexp, false, k_absent},
      {"=\\{.*\\}", Match::regexp, true, ""},
  };
  return table;
}

} // namespace

TEST_CASE("policy conditions: table")
{
  CHECK(cases().size() >= 25);
  for (const auto& c : cases()) {
    INFO(c.condition);
    auto condition = parse_condition(c.condition, c.match);
    REQUIRE(condition.has_value());
    const auto failure = evaluate(*condition, document());
    CHECK(failure.has_value() == !c.holds);
    if (failure) {
      CHECK(failure->found == c.found);
      CHECK(failure->pointer == condition->pointer);
    }
  }
}

TEST_CASE("policy conditions: the pointer is split at the first =, escapes are decoded")
{
  auto condition = parse_condition("/a~1b/~0/=x=y", Match::exact);
  REQUIRE(condition.has_value());
  CHECK(condition->pointer == "/a~1b/~0/");
  CHECK(condition->expected == "x=y");
  CHECK(condition->tokens == std::vector<std::string>{"a/b", "~", ""});
  auto whole = sigil::policy::parse_json_pointer("");
  REQUIRE(whole.has_value());
  CHECK(whole->empty());
}

TEST_CASE("policy conditions: malformed conditions are usage errors naming the pointer")
{
  struct Bad {
    std::string_view text;
    Match match;
    std::string_view mentions;
  };
  const std::string long_pattern = "/a=" + std::string(sigil::policy::k_max_pattern + 1, 'a');
  const std::vector<Bad> bad{
      {"/predicateType", Match::exact, "has no \"=\""},
      {"predicate/x=1", Match::exact, "\"predicate/x\" must be empty or start with \"/\""},
      {"/a~2=1", Match::exact, "\"/a~2\": \"~\" must be followed by 0 or 1"},
      {"/a~=1", Match::exact, "\"/a~\""},
      {"/a=(", Match::regexp, "invalid regular expression \"(\""},
      {"/a=[z-a]", Match::regexp, "invalid regular expression"},
      {"/a=(a)\\1", Match::regexp, "invalid regular expression"},
      {long_pattern, Match::regexp, "at most 1024"},
  };
  for (const auto& b : bad) {
    INFO(b.text);
    auto condition = parse_condition(b.text, b.match);
    REQUIRE_FALSE(condition.has_value());
    CHECK(condition.error().code == ErrorCode::usage);
    CHECK(condition.error().message.find(b.mentions) != std::string::npos);
  }
}

TEST_CASE("policy conditions: failures say what was expected; a regexp says it is one")
{
  auto condition = parse_condition("/predicateType=v0\\.2", Match::regexp);
  REQUIRE(condition.has_value());
  const auto failure = evaluate(*condition, document());
  REQUIRE(failure.has_value());
  CHECK(failure->expected == "regexp v0\\.2");
  CHECK(sigil::policy::describe(*failure) ==
        "/predicateType: expected regexp v0\\.2, found https://slsa.dev/provenance/v1");
}

TEST_CASE("policy conditions: long texts are bounded, and the regexp executor does not recurse per character")
{
  Json doc = Json::object();
  doc["short"] = std::string(60 * 1024, 'a');
  doc["long"] = std::string(sigil::policy::k_max_regexp_text + 1, 'a');

  // libstdc++'s backtracking executor overflows the stack here (about 10k characters).
  auto alternation = parse_condition("/short=(a|b)*", Match::regexp);
  REQUIRE(alternation.has_value());
  CHECK_FALSE(evaluate(*alternation, doc).has_value());

  auto any = parse_condition("/long=a*", Match::regexp);
  REQUIRE(any.has_value());
  const auto refused = evaluate(*any, doc);
  REQUIRE(refused.has_value());
  CHECK(refused->found.find("longer than the 65536") != std::string::npos);

  auto exact = parse_condition("/long=b", Match::exact);
  REQUIRE(exact.has_value());
  const auto cut = evaluate(*exact, doc);
  REQUIRE(cut.has_value());
  CHECK(cut->found.size() < 2 * sigil::policy::k_max_found_shown);
  CHECK(cut->found.ends_with("... (65537 bytes)"));
}

TEST_CASE("policy conditions: a shown text is cut at a UTF-8 character boundary")
{
  std::string text(sigil::policy::k_max_found_shown - 1, 'a');
  text += "\xc3\xa9\xc3\xa9";
  const std::string shown = sigil::policy::shown(text);
  CHECK(shown.starts_with(std::string(sigil::policy::k_max_found_shown - 1, 'a') + "..."));
}
