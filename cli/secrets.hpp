// Passwords and private keys on the CLI side: where the password comes from, and keeping
// the process from dumping key material.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key_file.hpp"
#include "sigil/sign/signer.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace sigil::cli {

enum class Confirm { yes, no };

// In order: --password-file FILE (its content without one trailing newline),
// SIGIL_PASSWORD, COSIGN_PASSWORD (set but empty means the empty password), a no-echo
// prompt on the terminal, else an error saying how to provide it. stdin is never read.
[[nodiscard]] Result<util::SecureBytes> read_password(const std::string& password_file, Confirm confirm);

// True when read_password would not prompt: --password-file or SIGIL_PASSWORD/COSIGN_PASSWORD.
[[nodiscard]] bool password_without_prompt(const std::string& password_file);

// A provider for crypto::load_private_key that asks only when the key is encrypted.
[[nodiscard]] crypto::PasswordProvider password_provider(const std::string& password_file);

// prctl(PR_SET_DUMPABLE, 0): no core dump or ptrace attach while we hold a private key.
void protect_key_material();

// Loads a private key, printing the loader's warnings. Signing commands refuse a key file
// that others can read unless --allow-insecure-key-permissions (see add_key_permissions_flag).
[[nodiscard]] Result<crypto::PrivateKey> open_signing_key(const std::string& ref, const std::string& password_file,
                                                          crypto::KeyFileMode mode);

// Asks for the new password (confirmed at a prompt), writes PREFIX.key encrypted in cosign's
// format and PREFIX.pub, and says where (generate-key-pair, import-key-pair).
struct KeyPairOutput {
  std::string prefix;
  std::string password_file;
  bool force = false; // overwrite existing files
};
[[nodiscard]] Result<int> write_key_pair_files(const crypto::PrivateKey& key, const KeyPairOutput& out);

// The signer for --key. With the password in a file or the environment, the key is decrypted
// on another thread while the registry work that needs no key runs; a password typed at a
// prompt is asked for first, before any registry traffic (and a failure is returned here).
// The loader's warnings are printed as they occur.
[[nodiscard]] Result<std::unique_ptr<sign::KeyRefSigner>> open_signer(const std::string& ref,
                                                                      const std::string& password_file,
                                                                      crypto::KeyFileMode mode);

// --allow-insecure-key-permissions, for the commands that sign.
void add_key_permissions_flag(CLI::App* app, bool& allow);
[[nodiscard]] inline crypto::KeyFileMode key_file_mode(bool allow_insecure)
{
  return allow_insecure ? crypto::KeyFileMode::warn_insecure : crypto::KeyFileMode::refuse_insecure;
}

} // namespace sigil::cli
