// Fuzz target: public keys in PEM (sigil::crypto::PublicKey::from_pem: PKIX "PUBLIC KEY" and
// PKCS#1 "RSA PUBLIC KEY"; the first block counts).
//
// Invariants:
//   * errors are bad_input;
//   * a key that parses is one of the supported algorithms, its der() is canonical (from_der
//     and from_pem of pem() give the same bytes and key), hint() is base64 of a SHA-256 and
//     fingerprint() "sha256:" and 64 hex digits;
//   * verification never accepts a signature made by another key (the fuzz test key's) and
//     never fails on malformed signature bytes.
#include "fuzz.hpp"

namespace {
constexpr std::string_view k_message = "sigil fuzz message";
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view pem = sigil::fuzz::as_text(data, size);
  auto key = sigil::crypto::PublicKey::from_pem(pem);
  if (!key) {
    SIGIL_FUZZ_CHECK(key.error().code == sigil::ErrorCode::bad_input);
    return 0;
  }
  sigil::fuzz::check_public_key(*key);
  SIGIL_FUZZ_CHECK(!sigil::crypto::key_algorithm_name(key->algorithm()).empty());
  // Any bytes as a signature: a malformed one is false, never a crash.
  (void)sigil::crypto::verify_message(*key, sigil::util::as_bytes(k_message), sigil::util::ByteView(data, size));
  if (!key->same_key(sigil::fuzz::test_public_key())) {
    static const auto signature = [] {
      auto test_key = sigil::crypto::PrivateKey::from_pem(sigil::fuzz::k_test_private_key_pem);
      SIGIL_FUZZ_CHECK(test_key.has_value());
      auto sig = sigil::crypto::sign_message(*test_key, sigil::util::as_bytes(k_message));
      SIGIL_FUZZ_CHECK(sig.has_value());
      return *sig;
    }();
    SIGIL_FUZZ_CHECK(!sigil::crypto::verify_message(*key, sigil::util::as_bytes(k_message), signature));
  }
  return 0;
}
