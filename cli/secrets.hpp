// Passwords and private keys on the CLI side: where the password comes from, and keeping
// the process from dumping key material.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key_file.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <string>

namespace sigil::cli {

enum class Confirm { yes, no };

// In order: --password-file FILE (its content without one trailing newline),
// SIGIL_PASSWORD, COSIGN_PASSWORD (set but empty means the empty password), a no-echo
// prompt on the terminal, else an error saying how to provide it. stdin is never read.
[[nodiscard]] Result<util::SecureBytes> read_password(const std::string& password_file, Confirm confirm);

// A provider for crypto::load_private_key that asks only when the key is encrypted.
[[nodiscard]] crypto::PasswordProvider password_provider(const std::string& password_file);

// prctl(PR_SET_DUMPABLE, 0): no core dump or ptrace attach while we hold a private key.
void protect_key_material();

// Loads a private key, printing the loader's warnings.
[[nodiscard]] Result<crypto::PrivateKey> open_signing_key(const std::string& ref, const std::string& password_file);

} // namespace sigil::cli
