// Tests for -a/--annotations key=value parsing (cli/annotations.hpp), shared by sign and verify.
#include "cli/annotations.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using sigil::cli::parse_annotations;

TEST_CASE("annotations: key=value pairs become a map; the value may hold '=' or be empty")
{
  const auto parsed = parse_annotations({"git-sha=abc123", "expr=a=b", "empty="});
  REQUIRE(parsed);
  const std::map<std::string, std::string> want{{"git-sha", "abc123"}, {"expr", "a=b"}, {"empty", ""}};
  CHECK(*parsed == want);
  CHECK(parse_annotations({})->empty());
}

TEST_CASE("annotations: a repeated key keeps its last value")
{
  const auto parsed = parse_annotations({"k=1", "k=2"});
  REQUIRE(parsed);
  CHECK(parsed->at("k") == "2");
  CHECK(parsed->size() == 1);
}

TEST_CASE("annotations: no '=' or an empty key is a usage error quoting the pair")
{
  for (const std::string bad : {"novalue", "=value", ""}) {
    CAPTURE(bad);
    const auto parsed = parse_annotations({"ok=1", bad});
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == sigil::ErrorCode::usage);
    CHECK(parsed.error().message == "annotation \"" + bad + "\" is not key=value");
  }
}
