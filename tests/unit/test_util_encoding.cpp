// Tests for sigil::util encodings: base64 (RFC 4648 §4 and §5) and hex (RFC 4648 §8).
#include "sigil/util/encoding.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::util::as_bytes;
using sigil::util::base64_decode;
using sigil::util::base64_decode_any;
using sigil::util::base64_encode;
using sigil::util::base64url_decode;
using sigil::util::Bytes;
using sigil::util::hex_decode;
using sigil::util::hex_encode;
using sigil::util::is_lower_hex;
using sigil::util::to_bytes;

struct Vector {
  std::string_view plain;
  std::string_view base64;
  std::string_view base16;
};

// RFC 4648 §10 test vectors.
constexpr Vector k_rfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "66"},
    {"fo", "Zm8=", "666f"},
    {"foo", "Zm9v", "666f6f"},
    {"foob", "Zm9vYg==", "666f6f62"},
    {"fooba", "Zm9vYmE=", "666f6f6261"},
    {"foobar", "Zm9vYmFy", "666f6f626172"},
};

struct BadCase {
  std::string_view input;
  std::string_view message; // expected part of the error message
};

} // namespace

TEST_CASE("base64: RFC 4648 vectors encode and decode")
{
  for (const auto& v : k_rfc4648) {
    CAPTURE(v.plain);
    CHECK(base64_encode(as_bytes(v.plain)) == v.base64);
    const auto decoded = base64_decode(v.base64);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == to_bytes(v.plain));
    // The URL decoder takes the same text, with or without the padding.
    std::string unpadded(v.base64);
    while (!unpadded.empty() && unpadded.back() == '=') {
      unpadded.pop_back();
    }
    const auto url = base64url_decode(unpadded);
    REQUIRE(url.has_value());
    CHECK(*url == to_bytes(v.plain));
    const auto url_padded = base64url_decode(v.base64);
    REQUIRE(url_padded.has_value());
    CHECK(*url_padded == to_bytes(v.plain));
  }
}

TEST_CASE("base64: every byte value round-trips")
{
  Bytes all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<std::uint8_t>(i));
  }
  for (std::size_t len = 0; len <= all.size(); len += 37) {
    const Bytes part(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(len));
    const auto text = base64_encode(part);
    CHECK(text.size() % 4 == 0);
    const auto back = base64_decode(text);
    REQUIRE(back.has_value());
    CHECK(*back == part);
  }
  const auto text = base64_encode(all);
  const auto back = base64_decode(text);
  REQUIRE(back.has_value());
  CHECK(*back == all);
}

TEST_CASE("base64: line-wrapped input decodes (LF and CRLF, 64 and 76 columns)")
{
  const Bytes data = to_bytes(std::string(300, 'x') + "tail");
  const std::string flat = base64_encode(data);
  for (const std::size_t width : {std::size_t{64}, std::size_t{76}}) {
    for (const std::string_view eol : {std::string_view{"\n"}, std::string_view{"\r\n"}}) {
      std::string wrapped;
      for (std::size_t i = 0; i < flat.size(); i += width) {
        wrapped += flat.substr(i, width);
        wrapped += eol;
      }
      CAPTURE(width);
      CAPTURE(eol.size());
      const auto decoded = base64_decode(wrapped);
      REQUIRE(decoded.has_value());
      CHECK(*decoded == data);
    }
  }
  // A break in the middle of a quantum, and one inside the padding.
  const auto mid = base64_decode("Zm\n9v\r\nYg=\n=");
  REQUIRE(mid.has_value());
  CHECK(*mid == to_bytes("foob"));
}

TEST_CASE("base64: bad characters, lengths and non-canonical padding are refused")
{
  const BadCase cases[] = {
      {"Zm9v Ym=", "unexpected character"},  // space is not skipped
      {"Zm9v\tYm=", "unexpected character"}, // nor tab
      {"Zm9v*mFy", "unexpected character"},
      {"Zm9-", "unexpected character"}, // URL alphabet in the standard decoder
      {"Zm_v", "unexpected character"},
      {"Zm=v", "unexpected character"}, // padding in the middle
      {"Zg==Zg==", "unexpected character"},
      {"====", "unexpected character"},
      {"Zm9", "multiple of 4"}, // padding is required
      {"Zg", "multiple of 4"},
      {"Zg=", "multiple of 4"},
      {"Zm9vY", "multiple of 4"},
      {"Zg===", "multiple of 4"}, // too much padding
      {"Zm8==", "multiple of 4"},
      {"==", "multiple of 4"},
      {"Z===", "unexpected character"},
      {"Zh==", "non-zero padding bits"}, // "f" is Zg==; Zh== has a stray low bit
      {"Zm9=", "non-zero padding bits"}, // "fo" is Zm8=
      {"Zm9vYh==", "non-zero padding bits"},
      {"Zm9vYmF=", "non-zero padding bits"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const auto r = base64_decode(c.input);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK(r.error().message.find(c.message) != std::string::npos);
    CHECK(r.error().message.starts_with("invalid base64"));
  }
}

TEST_CASE("base64url: URL alphabet, optional padding, strict otherwise")
{
  const Bytes fb_ff = {0xfb, 0xff, 0xbf};
  CHECK(base64_encode(fb_ff) == "+/+/");
  SUBCASE("URL alphabet decodes, standard alphabet does not")
  {
    const auto url = base64url_decode("-_-_");
    REQUIRE(url.has_value());
    CHECK(*url == fb_ff);
    CHECK_FALSE(base64url_decode("+/+/").has_value());
    CHECK_FALSE(base64_decode("-_-_").has_value());
  }
  SUBCASE("padding is optional")
  {
    const Bytes two = {0xfb, 0xff};
    for (const std::string_view text : {"-_8", "-_8="}) {
      const auto r = base64url_decode(text);
      REQUIRE(r.has_value());
      CHECK(*r == two);
    }
  }
  SUBCASE("padding, when present, completes the last group exactly (Go's URLEncoding)")
  {
    struct Good {
      std::string_view text;
      std::string_view plain;
    };
    const Good good[] = {
        {"Zm9v", "foo"},       {"Zm9vYg", "foob"}, {"Zm9vYg==", "foob"},     {"Zm9vYmE", "fooba"},
        {"Zm9vYmE=", "fooba"}, {"Zg=\r\n=", "f"},  {"Zm9vYg=\n=\n", "foob"},
    };
    for (const auto& g : good) {
      CAPTURE(g.text);
      const auto r = base64url_decode(g.text);
      REQUIRE(r.has_value());
      CHECK(*r == to_bytes(g.plain));
    }
    // Stray padding after a complete group, and padding that stops short of one.
    for (const std::string_view text :
         {"Zm9v=", "Zm9v==", "Zm9vYg=", "Zm9vYg=\n", "Zg=", "Zg===", "Zm8==", "=", "==", "Zm9vYmFy="}) {
      CAPTURE(text);
      const auto r = base64url_decode(text);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == ErrorCode::bad_input);
      CHECK(r.error().message.find("padding does not complete the last group of 4") != std::string::npos);
      // Neither alphabet takes it, so base64_decode_any refuses it too.
      CHECK_FALSE(base64_decode_any(text).has_value());
    }
  }
  SUBCASE("errors")
  {
    const BadCase cases[] = {
        {"Z", "truncated"},
        {"Zm9vY", "truncated"},
        {"Zh", "non-zero padding bits"},
        {"Zm9v.A", "unexpected character"},
        {"Zm 9", "unexpected character"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.input);
      const auto r = base64url_decode(c.input);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == ErrorCode::bad_input);
      CHECK(r.error().message.find(c.message) != std::string::npos);
    }
  }
  SUBCASE("base64_decode_any takes either alphabet")
  {
    const auto std_form = base64_decode_any("+/+/");
    const auto url_form = base64_decode_any("-_-_");
    REQUIRE(std_form.has_value());
    REQUIRE(url_form.has_value());
    CHECK(*std_form == fb_ff);
    CHECK(*url_form == fb_ff);
    const auto unpadded = base64_decode_any("Zm8");
    REQUIRE(unpadded.has_value());
    CHECK(*unpadded == to_bytes("fo"));
    CHECK_FALSE(base64_decode_any("Zm9v!").has_value());
    CHECK_FALSE(base64_decode_any("+_+/*").has_value());
  }
}

TEST_CASE("hex: RFC 4648 vectors and round trip")
{
  for (const auto& v : k_rfc4648) {
    CAPTURE(v.plain);
    CHECK(hex_encode(as_bytes(v.plain)) == v.base16);
    const auto back = hex_decode(v.base16);
    REQUIRE(back.has_value());
    CHECK(*back == to_bytes(v.plain));
  }
  Bytes all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<std::uint8_t>(i));
  }
  const auto text = hex_encode(all);
  CHECK(text.size() == 512);
  CHECK(text.substr(0, 8) == "00010203");
  CHECK(text.substr(504) == "fcfdfeff");
  CHECK(is_lower_hex(text));
  const auto back = hex_decode(text);
  REQUIRE(back.has_value());
  CHECK(*back == all);
  // Upper case is accepted on input (encoding always writes lower case).
  const auto upper = hex_decode("DEADbeef");
  REQUIRE(upper.has_value());
  CHECK(*upper == Bytes{0xde, 0xad, 0xbe, 0xef});
}

TEST_CASE("hex: errors")
{
  const BadCase cases[] = {
      {"a", "odd length"},
      {"abc", "odd length"},
      {"0g", "unexpected character"},
      {"g0", "unexpected character"},
      {"zz", "unexpected character"},
      {"00 1", "unexpected character"},
      {"0x00", "unexpected character"},
      {"-1", "unexpected character"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const auto r = hex_decode(c.input);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK(r.error().message.find(c.message) != std::string::npos);
  }
  const auto empty = hex_decode("");
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
}

TEST_CASE("is_lower_hex")
{
  struct Case {
    std::string_view text;
    bool expected;
  };
  const Case cases[] = {
      {"", true},    {"0123456789abcdef", true}, {"ABCDEF", false}, {"abcdeF", false}, {"g", false}, {"00 ", false},
      {"-1", false}, {"deadbeef", true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(is_lower_hex(c.text) == c.expected);
  }
}
