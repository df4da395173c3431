#include "sigil/crypto/ed25519_stream.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <string_view>

namespace sigil::crypto {

namespace {

using Scalar = std::array<std::uint8_t, 32>;

// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr Scalar k_order = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                            0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

// Domain label of the nonce hash (see the header): no other hash in sigil starts with it.
constexpr std::string_view k_nonce_label = "sigil ed25519 hedged nonce v1";

bool sodium_ready()
{
  static std::once_flag once;
  static int rc = -1;
  std::call_once(once, [] { rc = sodium_init(); });
  return rc >= 0;
}

// s < L (RFC 8032 section 5.1.7: a signature's S must be canonical).
bool canonical_scalar(const std::uint8_t* s)
{
  for (std::size_t i = 32; i-- > 0;) {
    if (s[i] != k_order[i]) {
      return s[i] < k_order[i];
    }
  }
  return false; // s == L
}

// SHA-512 of the pieces, reduced mod L.
Scalar reduced_hash(EVP_MD_CTX* ctx)
{
  std::array<std::uint8_t, 64> wide{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, wide.data(), &len);
  Scalar out{};
  crypto_core_ed25519_scalar_reduce(out.data(), wide.data());
  OPENSSL_cleanse(wide.data(), wide.size());
  return out;
}

MdCtxPtr sha512_context()
{
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr) != 1) {
    ctx.reset();
  }
  return ctx;
}

bool raw_public(EVP_PKEY* key, Scalar& out)
{
  std::size_t len = out.size();
  return EVP_PKEY_get_raw_public_key(key, out.data(), &len) == 1 && len == out.size();
}

// The secret scalar a (clamped, reduced mod L) and the nonce prefix: the two halves of
// SHA-512(seed), RFC 8032 section 5.1.5.
Result<void> expand_secret(const PrivateKey& key, Scalar& scalar, Scalar& prefix)
{
  std::array<std::uint8_t, 32> seed{};
  std::size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &len) != 1 || len != seed.size()) {
    clear_openssl_errors();
    return fail(ErrorCode::internal, "cannot read the Ed25519 private key");
  }
  std::array<std::uint8_t, 64> h{};
  crypto_hash_sha512(h.data(), seed.data(), seed.size());
  OPENSSL_cleanse(seed.data(), seed.size());
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  std::array<std::uint8_t, 64> wide{}; // a as a 64-byte number, to reduce it
  std::copy_n(h.begin(), 32, wide.begin());
  crypto_core_ed25519_scalar_reduce(scalar.data(), wide.data());
  std::copy_n(h.begin() + 32, 32, prefix.begin());
  OPENSSL_cleanse(h.data(), h.size());
  OPENSSL_cleanse(wide.data(), wide.size());
  return {};
}

} // namespace

// --- verify ------------------------------------------------------------------------------

Ed25519StreamVerifier Ed25519StreamVerifier::start(const PublicKey& key, util::ByteView signature)
{
  Ed25519StreamVerifier v;
  if (key.algorithm() != KeyAlgorithm::ed25519 || signature.size() != k_ed25519_signature_size ||
      !canonical_scalar(signature.data() + 32) || !sodium_ready() || !raw_public(key.get(), v.m_public)) {
    clear_openssl_errors();
    return v;
  }
  std::copy(signature.begin(), signature.end(), v.m_signature.begin());
  v.m_ctx = sha512_context();
  if (!v.m_ctx) {
    clear_openssl_errors();
    return v;
  }
  EVP_DigestUpdate(v.m_ctx.get(), v.m_signature.data(), 32); // R
  EVP_DigestUpdate(v.m_ctx.get(), v.m_public.data(), v.m_public.size());
  v.m_usable = true;
  return v;
}

void Ed25519StreamVerifier::update(util::ByteView chunk)
{
  if (m_usable) {
    EVP_DigestUpdate(m_ctx.get(), chunk.data(), chunk.size());
  }
}

bool Ed25519StreamVerifier::finish()
{
  if (!m_usable) {
    return false;
  }
  m_usable = false;
  const Scalar k = reduced_hash(m_ctx.get());
  const std::uint8_t* s = m_signature.data() + 32;
  // [S]B; libsodium refuses S = 0, whose product is the identity (encoded as y = 1).
  Scalar sb{};
  if (sodium_is_zero(s, 32) == 1) {
    sb[0] = 1;
  } else if (crypto_scalarmult_ed25519_base_noclamp(sb.data(), s) != 0) {
    return false;
  }
  Scalar ka{};
  Scalar r_check{};
  if (crypto_scalarmult_ed25519_noclamp(ka.data(), k.data(), m_public.data()) != 0 ||
      crypto_core_ed25519_sub(r_check.data(), sb.data(), ka.data()) != 0) {
    return false;
  }
  return sodium_memcmp(r_check.data(), m_signature.data(), 32) == 0;
}

// --- sign --------------------------------------------------------------------------------

Result<Ed25519StreamSigner> Ed25519StreamSigner::start(const PrivateKey& key, util::ByteView message_sha256)
{
  if (key.algorithm() != KeyAlgorithm::ed25519 || !sodium_ready()) {
    return fail(ErrorCode::internal, "streaming Ed25519 signing needs an Ed25519 key");
  }
  Ed25519StreamSigner s;
  Scalar prefix{};
  SIGIL_TRY(expand_secret(key, s.m_scalar, prefix));
  Scalar noise{};
  Scalar a_point{};
  const bool ok =
      RAND_bytes(noise.data(), static_cast<int>(noise.size())) == 1 && raw_public(key.public_key().get(), a_point);
  MdCtxPtr nonce_ctx = sha512_context();
  if (!ok || !nonce_ctx) {
    OPENSSL_cleanse(prefix.data(), prefix.size());
    return openssl_fail(ErrorCode::internal, "Ed25519 signing");
  }
  EVP_DigestUpdate(nonce_ctx.get(), k_nonce_label.data(), k_nonce_label.size());
  EVP_DigestUpdate(nonce_ctx.get(), prefix.data(), prefix.size());
  EVP_DigestUpdate(nonce_ctx.get(), noise.data(), noise.size());
  EVP_DigestUpdate(nonce_ctx.get(), message_sha256.data(), message_sha256.size());
  OPENSSL_cleanse(prefix.data(), prefix.size());
  s.m_nonce = reduced_hash(nonce_ctx.get());
  nonce_ctx.reset(); // EVP_MD_CTX_free wipes the hash state
  s.m_ctx = sha512_context();
  if (crypto_scalarmult_ed25519_base_noclamp(s.m_r_point.data(), s.m_nonce.data()) != 0 || !s.m_ctx) {
    return fail(ErrorCode::internal, "Ed25519 signing: cannot derive the nonce point");
  }
  EVP_DigestUpdate(s.m_ctx.get(), s.m_r_point.data(), s.m_r_point.size());
  EVP_DigestUpdate(s.m_ctx.get(), a_point.data(), a_point.size());
  return s;
}

Ed25519StreamSigner::~Ed25519StreamSigner()
{
  OPENSSL_cleanse(m_scalar.data(), m_scalar.size());
  OPENSSL_cleanse(m_nonce.data(), m_nonce.size());
}

Ed25519StreamSigner::Ed25519StreamSigner(Ed25519StreamSigner&& other) noexcept
    : m_scalar(other.m_scalar), m_nonce(other.m_nonce), m_r_point(other.m_r_point), m_ctx(std::move(other.m_ctx))
{
  OPENSSL_cleanse(other.m_scalar.data(), other.m_scalar.size());
  OPENSSL_cleanse(other.m_nonce.data(), other.m_nonce.size());
}

void Ed25519StreamSigner::update(util::ByteView chunk)
{
  if (m_ctx) {
    EVP_DigestUpdate(m_ctx.get(), chunk.data(), chunk.size());
  }
}

Result<util::Bytes> Ed25519StreamSigner::finish()
{
  if (!m_ctx) {
    return fail(ErrorCode::internal, "Ed25519 signing: the signer was already used");
  }
  const Scalar k = reduced_hash(m_ctx.get());
  m_ctx.reset();
  Scalar ka{};
  Scalar s{};
  crypto_core_ed25519_scalar_mul(ka.data(), k.data(), m_scalar.data());
  crypto_core_ed25519_scalar_add(s.data(), m_nonce.data(), ka.data()); // S = r + k*a mod L
  OPENSSL_cleanse(ka.data(), ka.size());
  util::Bytes sig(m_r_point.begin(), m_r_point.end());
  sig.insert(sig.end(), s.begin(), s.end());
  OPENSSL_cleanse(m_nonce.data(), m_nonce.size());
  return sig;
}

} // namespace sigil::crypto
