// Tests for sigil::crypto RFC 3161 timestamps (timestamp.hpp): parsing responses and bare tokens
// from conformance bundles, the message imprint, and refusals of malformed input.
#include "sigil/crypto/timestamp.hpp"

#include "keyless_fixtures.hpp"
#include "sigil/crypto/digest.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using sigil::crypto::parse_timestamp_response_or_token;
using sigil::crypto::TimestampToken;

struct BundleTimestamp {
  TimestampToken token;
  sigil::util::Bytes signature;
};

BundleTimestamp first_timestamp(const std::string& bundle_path)
{
  const auto bundle = sigil::test::conformance_json(bundle_path);
  const auto timestamps = sigil::test::bundle_timestamps(bundle);
  REQUIRE(!timestamps.empty());
  auto token = parse_timestamp_response_or_token(timestamps.front());
  REQUIRE_MESSAGE(token.has_value(), (token ? "" : token.error().message));
  return {*token, sigil::test::bundle_signature(bundle)};
}

} // namespace

TEST_CASE("timestamp responses from Rekor v2 bundles parse, with and without embedded certificates")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const auto with = first_timestamp(sigil::test::bundle_case("rekor2-timestamp-with-embedded-cert"));
  CHECK_FALSE(with.token.embedded_certs.empty());
  CHECK(with.token.imprint_algorithm == sigil::crypto::HashAlgorithm::sha256);
  CHECK(with.token.imprint.size() == 32);
  CHECK(with.token.time > 1700000000); // after 2023-11
  CHECK(sigil::crypto::check_timestamp_imprint(with.token, with.signature).has_value());

  const auto without = first_timestamp(sigil::test::bundle_case("rekor2-timestamp-without-embedded-cert"));
  CHECK(without.token.embedded_certs.empty());
  CHECK(sigil::crypto::check_timestamp_imprint(without.token, without.signature).has_value());
}

TEST_CASE("the imprint binds the timestamp to the signature bytes")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const auto ts = first_timestamp(sigil::test::bundle_case("rekor2-timestamp-with-embedded-cert"));
  auto other = ts.signature;
  other.back() ^= 0x01;
  auto result = sigil::crypto::check_timestamp_imprint(ts.token, other);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message.find("over other bytes") != std::string::npos);
  TimestampToken sha1 = ts.token;
  sha1.imprint_algorithm.reset();
  sha1.imprint_algorithm_name = "SHA1";
  CHECK_FALSE(sigil::crypto::check_timestamp_imprint(sha1, ts.signature).has_value());
}

TEST_CASE("sigstore-python's timestamp without certificates parses, and its imprint is the message's")
{
  if (!sigil::test::have_conformance()) {
    return;
  }
  const std::string der = sigil::test::read_conformance("sigstore-python/tsa/issue1482-timestamp-with-no-cert");
  auto token = parse_timestamp_response_or_token(sigil::util::as_bytes(der));
  REQUIRE_MESSAGE(token.has_value(), (token ? "" : token.error().message));
  CHECK(token->embedded_certs.empty());
  const std::string message = sigil::test::read_conformance("sigstore-python/tsa/issue1482-message");
  CHECK(sigil::crypto::check_timestamp_imprint(*token, sigil::util::as_bytes(message)).has_value());
}

TEST_CASE("malformed timestamps are errors, never exceptions")
{
  CHECK_FALSE(parse_timestamp_response_or_token({}).has_value());
  const std::string junk = "\x30\x03\x02\x01\x00";
  CHECK_FALSE(parse_timestamp_response_or_token(sigil::util::as_bytes(junk)).has_value());
  const sigil::util::Bytes huge(sigil::crypto::k_max_timestamp_size + 1, 0x30);
  auto too_big = parse_timestamp_response_or_token(huge);
  REQUIRE_FALSE(too_big.has_value());
  CHECK(too_big.error().message.find("limit") != std::string::npos);
  if (!sigil::test::have_conformance()) {
    return;
  }
  const auto bundle = sigil::test::conformance_json(sigil::test::bundle_case("rekor2-timestamp-with-embedded-cert"));
  auto der = sigil::test::bundle_timestamps(bundle).front();
  auto truncated = der;
  truncated.resize(truncated.size() / 2);
  CHECK_FALSE(parse_timestamp_response_or_token(truncated).has_value());
  der.push_back(0);
  CHECK_FALSE(parse_timestamp_response_or_token(der).has_value()); // trailing byte
}
