// Tests for sigil::tuf::canonical_json: the OLPC canonical form that securesystemslib and
// go-securesystemslib's cjson write (the bytes TUF signatures are over).
#include "sigil/tuf/canonical_json.hpp"
#include "sigil/util/json.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

std::string canon(std::string_view text)
{
  auto json = sigil::util::parse_json(text);
  REQUIRE(json);
  auto out = sigil::tuf::canonical_json(*json);
  REQUIRE(out);
  return *out;
}

} // namespace

TEST_CASE("tuf canonical json: keys sorted by bytes, no whitespace")
{
  CHECK(canon(R"({ "b": 1, "a": [ 3, 2 , {"z": null, "Z": true, "_": false}], "aa": {} })") ==
        R"({"a":[3,2,{"Z":true,"_":false,"z":null}],"aa":{},"b":1})");
  CHECK(canon("[]") == "[]");
  CHECK(canon("{}") == "{}");
}

TEST_CASE("tuf canonical json: only backslash and quote are escaped")
{
  CHECK(canon(R"({"k":"a\"b\\c"})") == "{\"k\":\"a\\\"b\\\\c\"}");
  // A newline, a tab and a control character go out raw, as securesystemslib writes them.
  CHECK(canon(R"(["line\nnext\ttab\u0001"])") == std::string{"[\"line\nnext\ttab\x01\"]"});
  // "/" is not escaped either.
  CHECK(canon(R"(["a\/b"])") == R"(["a/b"])");
}

TEST_CASE("tuf canonical json: unicode as raw UTF-8, keys in code point order")
{
  CHECK(canon(R"(["\u00e9\ud83d\ude00"])") == "[\"\xc3\xa9\xf0\x9f\x98\x80\"]");
  // U+00E9 (C3 A9) sorts after "z" (7A) and before U+1F600 (F0 ...): byte order = code points.
  CHECK(canon(R"({"\ud83d\ude00":1,"\u00e9":2,"z":3})") == "{\"z\":3,\"\xc3\xa9\":2,\"\xf0\x9f\x98\x80\":1}");
}

TEST_CASE("tuf canonical json: integers only")
{
  CHECK(canon(R"([0, -1, 18446744073709551615, -9223372036854775808])") ==
        "[0,-1,18446744073709551615,-9223372036854775808]");
  for (const auto* text : {"[1.5]", "[1e3]", "[1.0]", "[18446744073709551616]"}) {
    auto json = sigil::util::parse_json(text);
    REQUIRE(json);
    const auto out = sigil::tuf::canonical_json(*json);
    REQUIRE_FALSE(out);
    CHECK(out.error().message == "canonical JSON: a number that is not an integer has no canonical form");
  }
}

TEST_CASE("tuf canonical json: deep nesting does not recurse")
{
  std::string text(60, '[');
  text += std::string(60, ']');
  CHECK(canon(text) == text);
}
