// Fuzz target: cosign's encrypted private keys (sigil::crypto::decrypt_private_key, then
// PrivateKey::from_pkcs8_der), with the corpus's fixed password.
//
// Cost: every input whose envelope parses costs one scrypt run. The corpus uses N=2^15 (the
// cheapest N cosign accepts); inputs asking for N=2^16 or 2^17 are skipped before decryption:
// the same code at two to four times the cost per input.
//
// Invariants:
//   * errors are bad_input (never internal: scrypt with accepted parameters cannot fail);
//   * what decrypts was recognised as an encrypted key PEM (is_encrypted_key_pem);
//   * a key that decrypts and parses works: pkcs8_der() reads back as the same key, it
//     signs, the signature verifies with its public half, and not over another message;
//     its public half survives der/pem round trips.
#include "fuzz.hpp"

#include "sigil/crypto/encrypted_key.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/pem.hpp"

namespace {

// True when the input is a PEM whose envelope asks for a costlier N than the corpus's.
bool asks_for_costly_scrypt(std::string_view text)
{
  auto blocks = sigil::util::parse_pem(text);
  if (!blocks) {
    return false;
  }
  auto doc = sigil::util::parse_json(blocks->front().der.chars(), 8);
  if (!doc || !doc->is_object()) {
    return false;
  }
  const auto kdf = doc->find("kdf");
  if (kdf == doc->end() || !kdf->is_object() || !kdf->contains("params") || !(*kdf)["params"].is_object()) {
    return false;
  }
  const auto& params = (*kdf)["params"];
  const auto n = params.find("N");
  return n != params.end() && n->is_number_integer() && *n != 32768;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view pem = sigil::fuzz::as_text(data, size);
  if (asks_for_costly_scrypt(pem)) {
    return 0;
  }
  auto der = sigil::crypto::decrypt_private_key(pem, sigil::util::as_bytes(sigil::fuzz::k_test_password));
  if (!der) {
    SIGIL_FUZZ_CHECK(der.error().code == sigil::ErrorCode::bad_input);
    return 0;
  }
  SIGIL_FUZZ_CHECK(sigil::crypto::is_encrypted_key_pem(pem));
  auto key = sigil::crypto::PrivateKey::from_pkcs8_der(der->view());
  if (!key) {
    SIGIL_FUZZ_CHECK(key.error().code == sigil::ErrorCode::bad_input);
    return 0;
  }
  auto der_again = key->pkcs8_der();
  SIGIL_FUZZ_CHECK(der_again.has_value());
  auto key_again = sigil::crypto::PrivateKey::from_pkcs8_der(der_again->view());
  SIGIL_FUZZ_CHECK(key_again.has_value() && key_again->public_key().same_key(key->public_key()));
  sigil::fuzz::check_sign_verify(*key);
  sigil::fuzz::check_public_key(key->public_key());
  return 0;
}
