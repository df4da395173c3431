// Tests for sigil::util's JSON adapter: bounded depth, typed getters, no exceptions.
#include "sigil/util/json.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace {

using sigil::ErrorCode;
using sigil::util::dump_json;
using sigil::util::Json;
using sigil::util::json_array;
using sigil::util::json_int;
using sigil::util::json_object;
using sigil::util::json_optional_object;
using sigil::util::json_string;
using sigil::util::k_max_json_depth;
using sigil::util::OrderedJson;
using sigil::util::parse_json;

std::string nested_arrays(int depth)
{
  return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
}

std::string nested_objects(int depth)
{
  std::string out;
  for (int i = 0; i < depth; ++i) {
    out += "{\"a\":";
  }
  out += "1";
  out += std::string(static_cast<std::size_t>(depth), '}');
  return out;
}

Json parsed(std::string_view text)
{
  auto r = parse_json(text);
  REQUIRE(r.has_value());
  return *r;
}

} // namespace

TEST_CASE("json: nesting depth is bounded at 64")
{
  CHECK(k_max_json_depth == 64);
  SUBCASE("64 nested arrays are accepted")
  {
    CHECK(parse_json(nested_arrays(64)).has_value());
    CHECK(parse_json(nested_objects(64)).has_value());
  }
  SUBCASE("65 nested arrays are refused before parsing")
  {
    for (const auto& text : {nested_arrays(65), nested_objects(65), nested_arrays(100000)}) {
      const auto r = parse_json(text);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == ErrorCode::bad_input);
      CHECK(r.error().message.find("nested deeper than 64 levels") != std::string::npos);
    }
  }
  SUBCASE("mixed arrays and objects count together")
  {
    std::string mixed;
    for (int i = 0; i < 33; ++i) {
      mixed += "[{\"k\":";
    }
    mixed += "0";
    for (int i = 0; i < 33; ++i) {
      mixed += "}]";
    }
    CHECK_FALSE(parse_json(mixed).has_value()); // 66 levels
  }
  SUBCASE("siblings do not add up")
  {
    std::string wide = "[";
    for (int i = 0; i < 200; ++i) {
      wide += (i == 0 ? "" : ",") + nested_arrays(60);
    }
    wide += "]";
    CHECK(parse_json(wide).has_value());
  }
  SUBCASE("brackets inside strings are not nesting")
  {
    const std::string in_string = "[\"" + std::string(200, '[') + "\"]";
    CHECK(parse_json(in_string).has_value());
    const std::string escaped_quote = "[\"\\\"" + std::string(200, '{') + "\"]";
    CHECK(parse_json(escaped_quote).has_value());
    const std::string escaped_backslash = "[\"\\\\\"," + nested_arrays(64) + "]"; // 65 levels
    CHECK_FALSE(parse_json(escaped_backslash).has_value());
  }
  SUBCASE("the limit is a parameter")
  {
    CHECK(parse_json(nested_arrays(8), 8).has_value());
    const auto r = parse_json(nested_arrays(9), 8);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("nested deeper than 8 levels") != std::string::npos);
  }
}

TEST_CASE("json: invalid JSON is an error, never an exception")
{
  const std::string_view cases[] = {
      "",      "{",   "}",         "[1,]",       "{\"a\":}", "{\"a\" 1}",
      "{} x",  "NaN", "[01]",      "'single'",   "{a:1}",    "\"unterminated",
      "[1 2]", "tru", "[\"\\x\"]", "{\"a\":1,}", "\xff\xfe", "/* c */ {}",
  };
  for (const auto text : cases) {
    CAPTURE(text);
    const auto r = parse_json(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK(r.error().message.starts_with("invalid JSON"));
  }
}

TEST_CASE("json: valid documents parse")
{
  const auto doc = parsed(R"({"s":"text","i":-42,"big":9007199254740993,"o":{"x":1},"a":[1,2],"n":null})");
  CHECK(doc.is_object());
  CHECK(parsed("[]").is_array());
  CHECK(parsed("  \n\t{}  \n").is_object());
  CHECK(parsed("\"\\u00e9\"").get<std::string>() == "\xc3\xa9");
}

TEST_CASE("json: typed getters return values")
{
  const auto doc = parsed(R"({"s":"text","i":-42,"big":9007199254740993,"o":{"x":1},"a":[1,2],"n":null})");
  const auto s = json_string(doc, "s");
  REQUIRE(s.has_value());
  CHECK(*s == "text");
  const auto i = json_int(doc, "i");
  REQUIRE(i.has_value());
  CHECK(*i == -42);
  const auto big = json_int(doc, "big");
  REQUIRE(big.has_value());
  CHECK(*big == 9007199254740993LL); // no double rounding
  const auto o = json_object(doc, "o");
  REQUIRE(o.has_value());
  CHECK((**o)["x"] == 1);
  const auto a = json_array(doc, "a");
  REQUIRE(a.has_value());
  CHECK((*a)->size() == 2);
  const auto present = json_optional_object(doc, "o");
  REQUIRE(present.has_value());
  CHECK(*present == *o);
  const auto absent = json_optional_object(doc, "missing");
  REQUIRE(absent.has_value());
  CHECK(*absent == nullptr);
}

TEST_CASE("json: typed getter errors name the field")
{
  const auto doc = parsed(R"({"s":"text","i":7,"f":1.5,"o":{},"a":[],"n":null,"t":true})");
  struct Case {
    std::string name;
    sigil::Error error;
    std::string message;
  };
  auto err = [](const auto& r) {
    REQUIRE_FALSE(r.has_value());
    return r.error();
  };
  const Case cases[] = {
      {"string missing", err(json_string(doc, "nope")), "missing field \"nope\""},
      {"string given int", err(json_string(doc, "i")), "field \"i\" is not a string"},
      {"string given null", err(json_string(doc, "n")), "field \"n\" is not a string"},
      {"int missing", err(json_int(doc, "count")), "missing field \"count\""},
      {"int given float", err(json_int(doc, "f")), "field \"f\" is not an integer"},
      {"int given string", err(json_int(doc, "s")), "field \"s\" is not an integer"},
      {"int given bool", err(json_int(doc, "t")), "field \"t\" is not an integer"},
      {"object missing", err(json_object(doc, "kdf")), "missing field \"kdf\""},
      {"object given array", err(json_object(doc, "a")), "field \"a\" is not an object"},
      {"object given null", err(json_object(doc, "n")), "field \"n\" is not an object"},
      {"array missing", err(json_array(doc, "signatures")), "missing field \"signatures\""},
      {"array given object", err(json_array(doc, "o")), "field \"o\" is not an array"},
      {"optional object given string", err(json_optional_object(doc, "s")), "field \"s\" is not an object"},
      {"holder not an object", err(json_string(parsed("[1]"), "mediaType")), "\"mediaType\""},
      {"holder is a string", err(json_int(parsed("\"x\""), "N")), "\"N\""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(c.error.code == ErrorCode::bad_input);
    CHECK(c.error.message.find(c.message) != std::string::npos);
  }
  // json_optional_object on something that is not an object reports absence.
  const auto on_array = json_optional_object(parsed("[]"), "x");
  REQUIRE(on_array.has_value());
  CHECK(*on_array == nullptr);
}

TEST_CASE("json: dump is compact, keeps order for OrderedJson, and never throws")
{
  OrderedJson ordered;
  ordered["zeta"] = 1;
  ordered["alpha"] = "two";
  ordered["mid"] = OrderedJson::array({1, 2});
  CHECK(dump_json(ordered) == R"({"zeta":1,"alpha":"two","mid":[1,2]})");

  Json sorted;
  sorted["zeta"] = 1;
  sorted["alpha"] = "two";
  CHECK(dump_json(sorted) == R"({"alpha":"two","zeta":1})");

  Json bad_utf8 = std::string("a\xff"
                              "b");
  std::string out;
  CHECK_NOTHROW(out = dump_json(bad_utf8));
  CHECK(out == "\"a\xef\xbf\xbd"
               "b\""); // U+FFFD replacement character
}

TEST_CASE("json_base64: decodes a base64 member with the chosen alphabet")
{
  using sigil::util::Base64Alphabet;
  using sigil::util::json_base64;
  const Json doc = Json::parse(R"({"std":"+/8=","url":"-_8","bad":"!!","num":1})");
  struct Case {
    const char* key;
    Base64Alphabet alphabet;
    bool ok;
    const char* error; // substring of the message when !ok
  };
  const Case cases[] = {
      {"std", Base64Alphabet::standard, true, ""},
      {"std", Base64Alphabet::any, true, ""},
      {"url", Base64Alphabet::standard, false, "field \"url\": "},
      {"url", Base64Alphabet::any, true, ""},
      {"bad", Base64Alphabet::any, false, "field \"bad\": invalid base64"},
      {"num", Base64Alphabet::any, false, "num"},
      {"absent", Base64Alphabet::standard, false, "absent"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.key);
    const auto bytes = json_base64(doc, c.key, c.alphabet);
    REQUIRE(bytes.has_value() == c.ok);
    if (c.ok) {
      CHECK(*bytes == sigil::util::Bytes{0xfb, 0xff});
    } else {
      CHECK(bytes.error().code == ErrorCode::bad_input);
      CHECK(bytes.error().message.find(c.error) != std::string::npos);
    }
  }
}

TEST_CASE("json_base64: a missing or mistyped member keeps json_string's error")
{
  const Json doc = Json::parse(R"({"n":1})");
  const auto bytes = sigil::util::json_base64(doc, "n", sigil::util::Base64Alphabet::any);
  const auto text = json_string(doc, "n");
  REQUIRE(!bytes);
  REQUIRE(!text);
  CHECK(bytes.error().message == text.error().message);
}
