// Shared pieces of the libFuzzer targets in tests/fuzz.
//
// A target feeds its input to one parser and then checks what the parser promises, not only
// that it did not crash: SIGIL_FUZZ_CHECK(condition) prints the failed invariant and aborts,
// which libFuzzer records as a crash and saves the input (keep it in the target's corpus as
// a regression input once fixed).
//
// The key below is a test key made for the fuzz targets (openssl genpkey, P-256) and public:
// the seed corpora hold envelopes and bundles signed with it, so that the targets can check
// verification ("whatever verifies stops verifying when one signed byte changes").
#pragma once

#include "sigil/crypto/key.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/util/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define SIGIL_FUZZ_CHECK(condition)                                                                                   \
  ((condition) ? static_cast<void>(0) : ::sigil::fuzz::check_failed(#condition, __FILE__, __LINE__))

namespace sigil::fuzz {

[[noreturn]] inline void check_failed(const char* condition, const char* file, int line)
{
  std::fprintf(stderr, "%s:%d: fuzz invariant does not hold: %s\n", file, line, condition);
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size)
{
  return {reinterpret_cast<const char*>(data), size};
}

inline constexpr std::string_view k_test_private_key_pem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8tS08Csj0v/YVIEs
5GDeWuvq+46uNBb1R8AEAn/V6HmhRANCAARLDzaQfnteWyzMuBZMmuE4AZkoh4Jc
hXXQI38n8e+5XZyfojDTQK5Sg4bnMnuBjaFXVY/akgOXDaiOFFgAT3al
-----END PRIVATE KEY-----
)";

inline constexpr std::string_view k_test_public_key_pem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESw82kH57XlsszLgWTJrhOAGZKIeC
XIV10CN/J/HvuV2cn6Iw00CuUoOG5zJ7gY2hV1WP2pIDlw2ojhRYAE92pQ==
-----END PUBLIC KEY-----
)";

// The password of every encrypted key in the fuzz_encrypted_key corpus.
inline constexpr std::string_view k_test_password = "sigil-fuzz-password";

// The test key's public half, parsed once.
inline const crypto::PublicKey& test_public_key()
{
  static const crypto::PublicKey key = [] {
    auto parsed = crypto::PublicKey::from_pem(k_test_public_key_pem);
    SIGIL_FUZZ_CHECK(parsed.has_value());
    return *parsed;
  }();
  return key;
}

// The message with its first byte changed (an empty message gets one byte).
inline util::Bytes altered(util::ByteView message)
{
  util::Bytes copy(message.begin(), message.end());
  if (copy.empty()) {
    copy.push_back(0);
  } else {
    copy[0] ^= 0x01;
  }
  return copy;
}

// A key that parsed must work: a signature it makes verifies with its public half, and
// stops verifying when the message changes.
inline void check_sign_verify(const crypto::PrivateKey& key)
{
  constexpr std::string_view message = "sigil fuzz message";
  auto signature = crypto::sign_message(key, util::as_bytes(message));
  SIGIL_FUZZ_CHECK(signature.has_value());
  SIGIL_FUZZ_CHECK(crypto::verify_message(key.public_key(), util::as_bytes(message), *signature));
  SIGIL_FUZZ_CHECK(!crypto::verify_message(key.public_key(), altered(util::as_bytes(message)), *signature));
}

// The same for a public key that parsed: der() is its canonical encoding, and pem(), hint()
// and fingerprint() are built on it.
inline void check_public_key(const crypto::PublicKey& key)
{
  auto from_der = crypto::PublicKey::from_der(key.der());
  SIGIL_FUZZ_CHECK(from_der.has_value());
  SIGIL_FUZZ_CHECK(from_der->der() == key.der() && from_der->same_key(key));
  auto from_pem = crypto::PublicKey::from_pem(key.pem());
  SIGIL_FUZZ_CHECK(from_pem.has_value());
  SIGIL_FUZZ_CHECK(from_pem->der() == key.der() && from_pem->algorithm() == key.algorithm());
  SIGIL_FUZZ_CHECK(key.hint().size() == 44);
  SIGIL_FUZZ_CHECK(key.fingerprint().size() == 7 + 64 && key.fingerprint().starts_with("sha256:"));
}

} // namespace sigil::fuzz
