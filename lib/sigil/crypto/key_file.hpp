// sigil::crypto key references: where keys come from and how they are opened.
//
// A key reference is a file path or env://VAR (PEM text in an environment variable, for CI).
// "-" is refused: stdin is never read implicitly for keys.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::crypto {

// A password and where it came from ("SIGIL_PASSWORD", "--password-file FILE", "the prompt"),
// named by the wrong-password error; an empty source is not mentioned.
struct Password {
  Password(util::SecureBytes b, std::string s = {}) : bytes(std::move(b)), source(std::move(s)) {} // NOLINT: implicit
  util::SecureBytes bytes;
  std::string source;
};

// Asked for the password only when the key turns out to be encrypted.
using PasswordProvider = std::function<Result<Password>()>;

struct LoadedPrivateKey {
  PrivateKey key;
  std::vector<std::string> warnings; // e.g. unencrypted key, permissive file mode
};

// A private key file that group or others may read or write (mode & 077, the rule ssh
// applies to identity files): refused when signing, unless the user says it is fine
// (--allow-insecure-key-permissions); then, and for reading a public key out of it, a warning.
enum class KeyFileMode { refuse_insecure, warn_insecure };

[[nodiscard]] Result<LoadedPrivateKey> load_private_key(std::string_view ref, const PasswordProvider& password,
                                                        KeyFileMode mode = KeyFileMode::refuse_insecure);

// A public key: PKIX "PUBLIC KEY" PEM (or PKCS#1 "RSA PUBLIC KEY").
[[nodiscard]] Result<PublicKey> load_public_key(std::string_view ref);

// Opens a private key held in PEM text (encrypted in cosign's format, or plain PEM).
[[nodiscard]] Result<LoadedPrivateKey> open_private_key_pem(std::string_view pem, const PasswordProvider& password);

struct WriteKeyPairRequest {
  std::string prefix; // writes PREFIX.key (0600, encrypted) and PREFIX.pub (0644)
  const PrivateKey& key;
  util::ByteView password;
  util::Overwrite overwrite = util::Overwrite::no;
};

struct KeyPairPaths {
  std::string private_key;
  std::string public_key;
};

// Encrypts the key in cosign's format and writes both files atomically. Without overwrite,
// nothing is written when either file exists.
[[nodiscard]] Result<KeyPairPaths> write_key_pair(const WriteKeyPairRequest& request);

} // namespace sigil::crypto
