// Tests for sigil::util::parse_json_strict: duplicate keys refused wherever they are, depth
// bounded like parse_json, key order kept by the ordered variant.
#include "sigil/util/json_strict.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::util::parse_json_strict;
using sigil::util::parse_ordered_json_strict;

std::string nested(int depth)
{
  return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
}

} // namespace

TEST_CASE("json_strict: ordinary documents parse like parse_json")
{
  const auto doc = parse_json_strict(R"({"a":{"x":1,"y":[{"x":2},{"x":3}]},"b":"x","x":null})");
  REQUIRE(doc.has_value());
  CHECK((*doc)["a"]["y"][1]["x"] == 3);
  // The same key in different objects (siblings, nested, array elements) is not a duplicate.
  CHECK(parse_json_strict(R"([{"k":1},{"k":2},{"k":{"k":3}}])").has_value());
  CHECK(parse_json_strict(R"("just a string")").has_value());
  CHECK(parse_json_strict("{}").has_value());
}

TEST_CASE("json_strict: duplicate keys are refused wherever they are")
{
  struct Case {
    std::string name;
    std::string json;
    std::string key;
  };
  const std::vector<Case> cases = {
      {"top level", R"({"subject":[1],"subject":[2]})", "\"subject\""},
      {"nested object", R"({"a":{"b":1,"c":2,"b":3}})", "\"b\""},
      {"object inside an array", R"([1,{"d":{},"d":{}}])", "\"d\""},
      {"after a closed sibling", R"({"x":{"y":1},"x":2})", "\"x\""},
      {"same key after unescaping", R"({"a":1,"\u0061":2})", "\"a\""},
      {"empty key twice", R"({"":1,"":2})", "\"\""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto check = [&](const auto& r) {
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == ErrorCode::bad_input);
      CHECK_MESSAGE(r.error().message.find("duplicate key " + c.key) != std::string::npos, r.error().message);
    };
    check(parse_json_strict(c.json));
    check(parse_ordered_json_strict(c.json));
  }
}

TEST_CASE("json_strict: hostile keys are quoted and truncated in the message")
{
  const std::string long_key(200, 'k');
  const auto r = parse_json_strict(R"({")" + long_key + R"(":1,")" + long_key + R"(":2})");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find(std::string(64, 'k') + "\"...") != std::string::npos);
  CHECK(r.error().message.find(std::string(65, 'k')) == std::string::npos);

  const auto ctl = parse_json_strict(R"({"a\nb":1,"a\nb":2})");
  REQUIRE_FALSE(ctl.has_value());
  CHECK(ctl.error().message.find(R"("a\nb")") != std::string::npos);
  CHECK(ctl.error().message.find('\n') == std::string::npos);
}

TEST_CASE("json_strict: depth is bounded")
{
  CHECK(parse_json_strict(nested(64)).has_value());
  const auto deep = parse_json_strict(nested(65));
  REQUIRE_FALSE(deep.has_value());
  CHECK(deep.error().message == "invalid JSON: nested deeper than 64 levels");
  CHECK(parse_json_strict(nested(3), 3).has_value());
  CHECK_FALSE(parse_json_strict(nested(4), 3).has_value());
  // Objects count as levels too, and a very deep document does not exhaust the stack.
  CHECK_FALSE(parse_json_strict(R"({"a":{"a":{"a":1}}})", 2).has_value());
  const auto huge = parse_json_strict(nested(200000));
  REQUIRE_FALSE(huge.has_value());
  CHECK(huge.error().message.find("nested deeper") != std::string::npos);
}

TEST_CASE("json_strict: invalid JSON is refused")
{
  for (const std::string text : {"", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "\"\xff\""}) {
    CAPTURE(text);
    const auto r = parse_json_strict(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK(r.error().message.starts_with("invalid JSON"));
  }
}

TEST_CASE("json_strict: the ordered variant keeps key order")
{
  const auto doc = parse_ordered_json_strict(R"({"z":1,"a":{"y":2,"b":3}})");
  REQUIRE(doc.has_value());
  CHECK(doc->dump() == R"({"z":1,"a":{"y":2,"b":3}})");
}
