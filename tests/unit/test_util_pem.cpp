// Tests for sigil::util PEM (RFC 7468) parsing and encoding.
#include "sigil/util/pem.hpp"

#include "sigil/util/encoding.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace {

using sigil::ErrorCode;
using sigil::util::as_bytes;
using sigil::util::Bytes;
using sigil::util::encode_pem;
using sigil::util::parse_pem;
using sigil::util::to_bytes;

struct BadCase {
  std::string name;
  std::string text;
  std::string message; // expected part of the error message
};

} // namespace

TEST_CASE("pem: one block round-trips through encode_pem")
{
  Bytes der;
  for (int i = 0; i < 200; ++i) {
    der.push_back(static_cast<std::uint8_t>(i * 7));
  }
  const std::string pem = encode_pem("PUBLIC KEY", der);
  CHECK(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
  CHECK(pem.ends_with("-----END PUBLIC KEY-----\n"));
  // Lines of 64 characters as Go's pem.Encode writes.
  std::size_t start = 0;
  std::size_t body_lines = 0;
  while (start < pem.size()) {
    const auto nl = pem.find('\n', start);
    REQUIRE(nl != std::string::npos);
    const auto line = std::string_view(pem).substr(start, nl - start);
    if (!line.starts_with("-----")) {
      CHECK(line.size() <= 64);
      ++body_lines;
    }
    start = nl + 1;
  }
  CHECK(body_lines == (sigil::util::base64_encode(der).size() + 63) / 64);
  const auto blocks = parse_pem(pem);
  REQUIRE(blocks.has_value());
  REQUIRE(blocks->size() == 1);
  CHECK(blocks->front().type == "PUBLIC KEY");
  CHECK(blocks->front().der.equals(der));
}

TEST_CASE("pem: several blocks are returned in order; text around them is ignored")
{
  const std::string text = "leading text\n" + encode_pem("CERTIFICATE", to_bytes("first")) + "between blocks\n" +
                           encode_pem("PUBLIC KEY", to_bytes("second")) + encode_pem("X", to_bytes("")) + "trailer";
  const auto blocks = parse_pem(text);
  REQUIRE(blocks.has_value());
  REQUIRE(blocks->size() == 3);
  CHECK((*blocks)[0].type == "CERTIFICATE");
  CHECK((*blocks)[0].der.chars() == "first");
  CHECK((*blocks)[1].type == "PUBLIC KEY");
  CHECK((*blocks)[1].der.chars() == "second");
  CHECK((*blocks)[2].type == "X");
  CHECK((*blocks)[2].der.empty());
}

TEST_CASE("pem: CRLF line endings, indentation and no trailing newline are accepted")
{
  const std::string text = "-----BEGIN PRIVATE KEY-----\r\n  Zm9v\r\n\tYmFy  \r\n-----END PRIVATE KEY-----";
  const auto blocks = parse_pem(text);
  REQUIRE(blocks.has_value());
  REQUIRE(blocks->size() == 1);
  CHECK(blocks->front().type == "PRIVATE KEY");
  CHECK(blocks->front().der.chars() == "foobar");
}

TEST_CASE("pem: errors")
{
  const std::vector<BadCase> cases = {
      {"empty text", "", "no PEM block found"},
      {"no block", "just some text\nwithout a block\n", "no PEM block found"},
      {"END only", "-----END PUBLIC KEY-----\n", "no PEM block found"},
      {"missing END", "-----BEGIN PUBLIC KEY-----\nZm9v\n", "no END line for PUBLIC KEY"},
      {"END of another type", "-----BEGIN PUBLIC KEY-----\nZm9v\n-----END PRIVATE KEY-----\n",
       "no END line for PUBLIC KEY"},
      {"second block without END", encode_pem("PUBLIC KEY", to_bytes("ok")) + "-----BEGIN CERTIFICATE-----\nZm9v\n",
       "no END line for CERTIFICATE"},
      {"malformed BEGIN line", "-----BEGIN PUBLIC KEY\nZm9v\n-----END PUBLIC KEY-----\n", "malformed BEGIN line"},
      {"unterminated BEGIN", "-----BEGIN PUBLIC KEY", "malformed BEGIN line"},
      {"legacy encrypted headers",
       "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011\n\nZm9v\n"
       "-----END RSA PRIVATE KEY-----\n",
       "has headers"},
      {"PGP armour headers",
       "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: BCPG C# v1.6.1.0\n\nZm9v\n"
       "-----END PGP PRIVATE KEY BLOCK-----\n",
       "has headers"},
      {"body not base64", "-----BEGIN PUBLIC KEY-----\nZm9v!!\n-----END PUBLIC KEY-----\n",
       "body of PUBLIC KEY is not base64"},
      {"body with bad length", "-----BEGIN PUBLIC KEY-----\nZm9vY\n-----END PUBLIC KEY-----\n",
       "body of PUBLIC KEY is not base64"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto r = parse_pem(c.text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::bad_input);
    CHECK(r.error().message.starts_with("invalid pem"));
    CHECK(r.error().message.find(c.message) != std::string::npos);
  }
}

TEST_CASE("pem: error messages never echo the body")
{
  const std::string secret = "c2VjcmV0LWtleS1tYXRlcmlhbA"; // not a multiple of 4
  const auto r = parse_pem("-----BEGIN PRIVATE KEY-----\n" + secret + "\n-----END PRIVATE KEY-----\n");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find(secret) == std::string::npos);
}

TEST_CASE("take_secure copies the bytes and wipes the source vector")
{
  Bytes source = to_bytes("private key material");
  const Bytes expected = source;
  const std::uint8_t* storage = source.data();
  const std::size_t size = source.size();
  auto secure = sigil::util::take_secure(std::move(source));
  CHECK(secure.equals(expected));
  // clear() keeps the allocation, so the old storage is still owned by `source` and readable.
  CHECK(source.empty()); // NOLINT(bugprone-use-after-move): take_secure documents the state
  REQUIRE(source.capacity() >= size);
  CHECK(source.data() == storage);
  for (std::size_t i = 0; i < size; ++i) {
    CHECK(storage[i] == 0);
  }
}
