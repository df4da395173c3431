#include "sigil/crypto/key_file.hpp"

#include "sigil/core/env.hpp"
#include "sigil/crypto/encrypted_key.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace sigil::crypto {

namespace {

constexpr std::string_view k_env_prefix = "env://";
constexpr std::uint64_t k_max_key_file = 1U << 20;

// A key file others may read: refused (or, when allowed, a warning), with the fix. chmod is
// the fix only for the file's owner: a file of another user (a CI File variable the runner
// wrote with mode 0666, the job running as another uid) cannot be chmod-ed, only copied.
Result<void> insecure_key_file(const std::string& path, mode_t bits, KeyFileMode mode,
                               std::vector<std::string>& warnings)
{
  const std::string what =
      fmt::format("private key file {} can be read or written by other users (mode {:04o})", path, bits);
  const auto owner = util::file_owner(path);
  const std::string fix =
      owner && *owner != ::geteuid()
          ? fmt::format(
                "it belongs to another user (uid {}): copy it to a private file, as in: (umask 077; cat {} >KEY)",
                *owner, path)
          : fmt::format("run: chmod 600 {}", path);
  if (mode == KeyFileMode::refuse_insecure) {
    return fail(ErrorCode::bad_input, fmt::format("{}; {} (or pass --allow-insecure-key-permissions)", what, fix));
  }
  warnings.push_back(fmt::format("{}; {}", what, fix));
  return {};
}

// Key PEM may be unencrypted, so it is only ever held in SecureBytes. `mode` is null for a
// public key (its file mode does not matter).
Result<util::SecureBytes> read_key_text(std::string_view ref, const KeyFileMode* mode, std::vector<std::string>* warnings)
{
  if (ref.empty()) {
    return fail(ErrorCode::usage, "no key given: pass --key PATH or --key env://VARIABLE");
  }
  if (ref == "-") {
    return fail(ErrorCode::usage, "--key - is not supported: pass a file path or env://VARIABLE");
  }
  if (ref.starts_with(k_env_prefix)) {
    const auto name = ref.substr(k_env_prefix.size());
    auto value = core::env::get_user_named(name);
    if (!value || value->empty()) {
      return fail(ErrorCode::bad_input, fmt::format("key reference {}: environment variable {} is not set", ref, name));
    }
    // A GitLab File variable holds the path of a file with the key, not the key.
    std::error_code ec;
    const bool is_path = value->find("-----BEGIN") == std::string::npos && value->find('\n') == std::string::npos &&
                         std::filesystem::is_regular_file(std::filesystem::path(*value), ec);
    util::SecureBytes out(util::as_bytes(*value));
    util::wipe(*value);
    if (is_path) {
      return fail(ErrorCode::bad_input,
                  fmt::format("key reference {0}: {1} holds a file path (as a CI File variable does), not the key: use "
                              "--key \"${1}\"",
                              ref, name));
    }
    return out;
  }
  const std::string path(ref);
  SIGIL_TRY_ASSIGN(auto text, util::read_secret_file(path, k_max_key_file));
  if (mode == nullptr) {
    return text;
  }
  // What the file is comes first: a public key given to sign with gets that said, not advice
  // about its (harmless) mode. The mode is checked before the key is decrypted.
  if (text.chars().find("-----BEGIN PUBLIC KEY-----") != std::string_view::npos ||
      text.chars().find("-----BEGIN RSA PUBLIC KEY-----") != std::string_view::npos) {
    return fail(ErrorCode::bad_input, fmt::format("{} is a public key, which verifies; sign with the private key "
                                                  "(sigil generate-key-pair writes both: PREFIX.key and PREFIX.pub)",
                                                  path));
  }
  if (auto bits = util::file_mode(path); bits && (*bits & 077) != 0) {
    SIGIL_TRY(insecure_key_file(path, *bits, *mode, *warnings));
  }
  return text;
}

} // namespace

Result<LoadedPrivateKey> open_private_key_pem(std::string_view pem, const PasswordProvider& password)
{
  if (!is_encrypted_key_pem(pem)) {
    SIGIL_TRY_ASSIGN(auto key, PrivateKey::from_pem(pem));
    return LoadedPrivateKey{
        .key = std::move(key),
        .warnings = {"the private key is not encrypted; encrypt it with: sigil import-key-pair --key FILE"}};
  }
  SIGIL_TRY_ASSIGN(auto pass, password());
  auto der = decrypt_private_key(pem, pass.bytes.view());
  if (!der) {
    return fail(pass.source.empty() ? der.error()
                                    : Error{der.error().code, fmt::format("{} (the password came from {})",
                                                                          der.error().message, pass.source)});
  }
  // cosign's loader accepts PKCS#8 only; a SEC1 key inside the envelope is refused.
  auto key = PrivateKey::from_pkcs8_der(der->view());
  if (!key) {
    return fail(key.error().context("parsing private key"));
  }
  return LoadedPrivateKey{.key = std::move(*key), .warnings = {}};
}

Result<LoadedPrivateKey> load_private_key(std::string_view ref, const PasswordProvider& password, KeyFileMode mode)
{
  std::vector<std::string> warnings;
  SIGIL_TRY_ASSIGN(auto text, read_key_text(ref, &mode, &warnings));
  auto loaded = open_private_key_pem(text.chars(), password);
  if (!loaded) {
    return fail(loaded.error().context(fmt::format("loading private key {}", ref)));
  }
  loaded->warnings.insert(loaded->warnings.begin(), warnings.begin(), warnings.end());
  return loaded;
}

Result<PublicKey> load_public_key(std::string_view ref)
{
  SIGIL_TRY_ASSIGN(auto text, read_key_text(ref, nullptr, nullptr));
  auto key = PublicKey::from_pem(text.chars());
  if (!key) {
    return fail(key.error().context(fmt::format("loading public key {}", ref)));
  }
  return key;
}

Result<KeyPairPaths> write_key_pair(const WriteKeyPairRequest& request)
{
  KeyPairPaths paths{request.prefix + ".key", request.prefix + ".pub"};
  if (request.overwrite == util::Overwrite::no) {
    for (const auto& p : {paths.private_key, paths.public_key}) {
      if (::access(p.c_str(), F_OK) == 0) {
        return fail(ErrorCode::usage, fmt::format("{} already exists; use --force to overwrite it", p));
      }
    }
  }
  SIGIL_TRY_ASSIGN(auto der, request.key.pkcs8_der());
  SIGIL_TRY_ASSIGN(auto pem, encrypt_private_key(der.view(), request.password));
  SIGIL_TRY(util::write_file_atomic({paths.private_key, util::as_bytes(pem), 0600, request.overwrite}));
  const std::string pub = request.key.public_key().pem();
  SIGIL_TRY(util::write_file_atomic({paths.public_key, util::as_bytes(pub), 0644, request.overwrite}));
  return paths;
}

} // namespace sigil::crypto
