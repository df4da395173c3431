#include "sigil/crypto/encrypted_key.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/pem.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <limits>
#include <mutex>

namespace sigil::crypto {

namespace {

constexpr std::size_t k_salt_size = 32;
constexpr std::size_t k_key_size = crypto_secretbox_KEYBYTES;
static_assert(crypto_secretbox_NONCEBYTES == 24);

Result<void> init_sodium()
{
  static std::once_flag once;
  static int rc = -1;
  std::call_once(once, [] { rc = sodium_init(); });
  if (rc < 0) {
    return fail(ErrorCode::internal, "libsodium failed to initialise");
  }
  return {};
}

Result<util::SecureBytes> derive_key(util::ByteView password, util::ByteView salt, const ScryptParams& params)
{
  util::SecureBytes key(k_key_size);
  // The empty password is legal, but libsodium's arguments are declared non-null.
  static constexpr std::uint8_t k_empty = 0;
  const std::uint8_t* pass = password.empty() ? &k_empty : password.data();
  if (crypto_pwhash_scryptsalsa208sha256_ll(pass, password.size(), salt.data(), salt.size(), params.n,
                                            params.r, params.p, key.data(), key.size()) != 0) {
    return fail(ErrorCode::internal, "scrypt key derivation failed (out of memory?)");
  }
  return key;
}

bool params_accepted(const ScryptParams& p)
{
  return (p.n == (1U << 15) || p.n == (1U << 16) || p.n == (1U << 17)) && p.r == 8 && p.p == 1;
}

std::string unsupported_params(std::uint64_t n, std::uint64_t r, std::uint64_t p)
{
  return fmt::format("unsupported scrypt parameters N={} r={} p={} (N=32768, 65536 or 131072 with r=8, p=1 are)", n, r,
                     p);
}

struct Envelope {
  ScryptParams params;
  util::Bytes salt;
  util::Bytes nonce;
  util::Bytes ciphertext;
};

Result<util::Bytes> b64_field(const util::Json& object, std::string_view key)
{
  return util::json_base64(object, key, util::Base64Alphabet::standard);
}

Result<Envelope> parse_envelope(std::string_view json_text)
{
  SIGIL_TRY_ASSIGN(auto doc, util::parse_json(json_text, 8));
  SIGIL_TRY_ASSIGN(const util::Json* kdf, util::json_object(doc, "kdf"));
  SIGIL_TRY_ASSIGN(const util::Json* cipher, util::json_object(doc, "cipher"));
  auto kdf_name = util::json_string(*kdf, "name");
  auto cipher_name = util::json_string(*cipher, "name");
  if (!kdf_name || *kdf_name != "scrypt") {
    return fail(ErrorCode::bad_input, "unsupported kdf (want scrypt)");
  }
  if (!cipher_name || *cipher_name != "nacl/secretbox") {
    return fail(ErrorCode::bad_input, "unsupported cipher (want nacl/secretbox)");
  }
  SIGIL_TRY_ASSIGN(auto params, util::json_object(*kdf, "params"));
  auto n = util::json_int(*params, "N");
  auto r = util::json_int(*params, "r");
  auto p = util::json_int(*params, "p");
  if (!n || !r || !p || *n <= 0 || *r <= 0 || *p <= 0) {
    return fail(ErrorCode::bad_input, "invalid scrypt parameters");
  }
  // r and p are checked before narrowing: r = 2^32 + 8 must not pass as r = 8.
  constexpr std::int64_t k_u32_max = std::numeric_limits<std::uint32_t>::max();
  Envelope env;
  env.params = {static_cast<std::uint64_t>(*n), static_cast<std::uint32_t>(*r), static_cast<std::uint32_t>(*p)};
  if (*r > k_u32_max || *p > k_u32_max || !params_accepted(env.params)) {
    return fail(ErrorCode::bad_input, unsupported_params(static_cast<std::uint64_t>(*n), static_cast<std::uint64_t>(*r),
                                                         static_cast<std::uint64_t>(*p)));
  }
  SIGIL_TRY_ASSIGN(auto salt, b64_field(*kdf, "salt"));
  SIGIL_TRY_ASSIGN(auto nonce, b64_field(*cipher, "nonce"));
  SIGIL_TRY_ASSIGN(auto ciphertext, b64_field(doc, "ciphertext"));
  if (nonce.size() != crypto_secretbox_NONCEBYTES) {
    return fail(ErrorCode::bad_input, "invalid nonce: want 24 bytes");
  }
  if (ciphertext.size() < crypto_secretbox_MACBYTES) {
    return fail(ErrorCode::bad_input, "ciphertext too short");
  }
  env.salt = std::move(salt);
  env.nonce = std::move(nonce);
  env.ciphertext = std::move(ciphertext);
  return env;
}

} // namespace

bool is_encrypted_key_pem(std::string_view text)
{
  return text.find(fmt::format("-----BEGIN {}-----", k_sigstore_key_label)) != std::string_view::npos ||
         text.find(fmt::format("-----BEGIN {}-----", k_cosign_key_label)) != std::string_view::npos;
}

Result<std::string> encrypt_private_key(util::ByteView pkcs8_der, util::ByteView password, ScryptParams params)
{
  // Never write a key that decrypt_private_key (and cosign) would refuse to open.
  if (!params_accepted(params)) {
    return fail(ErrorCode::bad_input, unsupported_params(params.n, params.r, params.p));
  }
  SIGIL_TRY(init_sodium());
  std::array<std::uint8_t, k_salt_size> salt{};
  std::array<std::uint8_t, crypto_secretbox_NONCEBYTES> nonce{};
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  SIGIL_TRY_ASSIGN(auto key, derive_key(password, salt, params));
  util::Bytes ciphertext(pkcs8_der.size() + crypto_secretbox_MACBYTES);
  if (crypto_secretbox_easy(ciphertext.data(), pkcs8_der.data(), pkcs8_der.size(), nonce.data(), key.data()) != 0) {
    return fail(ErrorCode::internal, "encrypting private key");
  }
  // Field order and spelling as Go's json.Marshal writes cosign's struct.
  const std::string body = fmt::format(R"({{"kdf":{{"name":"scrypt","params":{{"N":{},"r":{},"p":{}}},"salt":"{}"}},)"
                                       R"("cipher":{{"name":"nacl/secretbox","nonce":"{}"}},"ciphertext":"{}"}})",
                                       params.n, params.r, params.p, util::base64_encode(salt),
                                       util::base64_encode(nonce), util::base64_encode(ciphertext));
  return util::encode_pem(k_sigstore_key_label, util::as_bytes(body));
}

Result<util::SecureBytes> decrypt_private_key(std::string_view pem, util::ByteView password)
{
  SIGIL_TRY(init_sodium());
  SIGIL_TRY_ASSIGN(auto blocks, util::parse_pem(pem));
  const auto& block = blocks.front();
  if (block.type != k_sigstore_key_label && block.type != k_cosign_key_label) {
    return fail(ErrorCode::bad_input, fmt::format("unsupported pem type {}", block.type));
  }
  auto env = parse_envelope(block.der.chars());
  if (!env) {
    return fail(env.error().context("invalid encrypted key"));
  }
  SIGIL_TRY_ASSIGN(auto key, derive_key(password, env->salt, env->params));
  util::SecureBytes plain(env->ciphertext.size() - crypto_secretbox_MACBYTES);
  if (crypto_secretbox_open_easy(plain.data(), env->ciphertext.data(), env->ciphertext.size(), env->nonce.data(),
                                 key.data()) != 0) {
    return fail(ErrorCode::bad_input, "wrong password or corrupt key");
  }
  return plain;
}

} // namespace sigil::crypto
