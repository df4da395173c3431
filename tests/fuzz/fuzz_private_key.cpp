// Fuzz target: private keys as they come out of a decrypted key file or an unencrypted PEM
// (sigil::crypto::PrivateKey::from_pkcs8_der, including sigil's own RFC 5958 v2 Ed25519
// reader, and PrivateKey::from_pem for PRIVATE KEY, EC PRIVATE KEY and RSA PRIVATE KEY).
//
// fuzz_encrypted_key reaches from_pkcs8_der only through a secretbox the fuzzer cannot forge,
// so this target feeds the DER (and PEM) directly. Inputs starting with "-----" are PEM.
//
// Invariants:
//   * errors are bad_input;
//   * a key that parses works: pkcs8_der() reads back as the same key, a signature it makes
//     verifies with its public half and not over another message, and its public half
//     survives der/pem round trips.
#include "fuzz.hpp"

namespace {

void check_key(const sigil::Result<sigil::crypto::PrivateKey>& key)
{
  if (!key) {
    SIGIL_FUZZ_CHECK(key.error().code == sigil::ErrorCode::bad_input);
    return;
  }
  auto der = key->pkcs8_der();
  SIGIL_FUZZ_CHECK(der.has_value());
  auto again = sigil::crypto::PrivateKey::from_pkcs8_der(der->view());
  SIGIL_FUZZ_CHECK(again.has_value() && again->algorithm() == key->algorithm());
  SIGIL_FUZZ_CHECK(again->public_key().same_key(key->public_key()));
  sigil::fuzz::check_sign_verify(*key);
  sigil::fuzz::check_public_key(key->public_key());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = sigil::fuzz::as_text(data, size);
  if (text.starts_with("-----")) {
    check_key(sigil::crypto::PrivateKey::from_pem(text));
  } else {
    check_key(sigil::crypto::PrivateKey::from_pkcs8_der(sigil::util::ByteView(data, size)));
  }
  return 0;
}
