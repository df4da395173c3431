// sigil::crypto encrypted private keys in cosign's format.
//
//   -----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
//   base64({"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<32 bytes>"},
//           "cipher":{"name":"nacl/secretbox","nonce":"<24 bytes>"},
//           "ciphertext":"<secretbox(PKCS#8 DER)>"})
//
// key = scrypt(password, salt, N, r, p, 32); XSalsa20-Poly1305 secretbox. Like cosign, only
// N in {2^15, 2^16, 2^17} with r=8, p=1 is accepted, and the label may also be
// "ENCRYPTED COSIGN PRIVATE KEY" (older cosign, skopeo).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace sigil::crypto {

constexpr std::string_view k_sigstore_key_label = "ENCRYPTED SIGSTORE PRIVATE KEY";
constexpr std::string_view k_cosign_key_label = "ENCRYPTED COSIGN PRIVATE KEY";

struct ScryptParams {
  std::uint64_t n = 65536;
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};

// PEM text (label ENCRYPTED SIGSTORE PRIVATE KEY) holding pkcs8 encrypted under password.
// Parameters decrypt_private_key would refuse are refused here too (ErrorCode::bad_input).
[[nodiscard]] Result<std::string> encrypt_private_key(util::ByteView pkcs8_der, util::ByteView password,
                                                      ScryptParams params = {});

// PKCS#8 DER from an encrypted PEM. A wrong password is ErrorCode::bad_input with
// "wrong password or corrupt key".
[[nodiscard]] Result<util::SecureBytes> decrypt_private_key(std::string_view pem, util::ByteView password);

// True when text holds one of the two encrypted labels.
[[nodiscard]] bool is_encrypted_key_pem(std::string_view text);

} // namespace sigil::crypto
