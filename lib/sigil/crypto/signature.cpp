#include "sigil/crypto/signature.hpp"

#include <array>

#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

namespace sigil::crypto {

namespace {

std::size_t ec_coordinate_size(KeyAlgorithm alg)
{
  switch (alg) {
  case KeyAlgorithm::ecdsa_p256: return 32;
  case KeyAlgorithm::ecdsa_p384: return 48;
  case KeyAlgorithm::ecdsa_p521: return 66;
  case KeyAlgorithm::ed25519:
  case KeyAlgorithm::rsa: return 0;
  }
  return 0;
}

bool is_ecdsa(KeyAlgorithm alg)
{
  return ec_coordinate_size(alg) != 0;
}

// IEEE P1363 r||s -> ASN.1 DER, for verifiers that hand us raw ECDSA signatures.
util::Bytes p1363_to_der(util::ByteView sig)
{
  const std::size_t half = sig.size() / 2;
  ECDSA_SIG* es = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(sig.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(sig.data() + half, static_cast<int>(half), nullptr);
  util::Bytes out;
  if (es != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(es, r, s) == 1) {
    r = nullptr;
    s = nullptr;
    unsigned char* buf = nullptr;
    const int len = i2d_ECDSA_SIG(es, &buf);
    if (len > 0) {
      out.assign(buf, buf + len);
      OPENSSL_free(buf);
    }
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(es);
  return out;
}

template <typename Fn> bool verify_with_p1363_fallback(const PublicKey& key, util::ByteView sig, Fn&& verify_der)
{
  if (verify_der(sig)) {
    return true;
  }
  clear_openssl_errors();
  if (is_ecdsa(key.algorithm()) && sig.size() == 2 * ec_coordinate_size(key.algorithm())) {
    const util::Bytes der = p1363_to_der(sig);
    const bool ok = !der.empty() && verify_der(der);
    clear_openssl_errors();
    return ok;
  }
  return false;
}

} // namespace

std::optional<HashAlgorithm> oci_signing_hash(KeyAlgorithm alg)
{
  return alg == KeyAlgorithm::ed25519 ? std::nullopt : std::optional(HashAlgorithm::sha256);
}

Result<util::Bytes> sign_message(const PrivateKey& key, util::ByteView message, std::optional<HashAlgorithm> hash)
{
  // Ed25519 hashes internally (no digest); the others with `hash`, else the key's default.
  const EVP_MD* md = nullptr;
  if (key.algorithm() != KeyAlgorithm::ed25519) {
    std::optional<HashAlgorithm> chosen = hash;
    if (!chosen.has_value()) {
      chosen = signing_hash(key.algorithm());
    }
    if (chosen.has_value()) {
      md = evp_md(chosen.value());
    }
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1) {
    return openssl_fail(ErrorCode::internal, "initialising signer");
  }
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return openssl_fail(ErrorCode::internal, "signing");
  }
  util::Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) {
    return openssl_fail(ErrorCode::internal, "signing");
  }
  sig.resize(len);
  return sig;
}

Result<util::Bytes> sign_digest(const PrivateKey& key, HashAlgorithm alg, util::ByteView digest)
{
  if (key.algorithm() == KeyAlgorithm::ed25519) {
    return fail(ErrorCode::internal, "ed25519 signs messages, not digests");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), evp_md(alg)) != 1) {
    return openssl_fail(ErrorCode::internal, "initialising signer");
  }
  if (key.algorithm() == KeyAlgorithm::rsa && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return openssl_fail(ErrorCode::internal, "initialising signer");
  }
  std::size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1) {
    return openssl_fail(ErrorCode::internal, "signing");
  }
  util::Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1) {
    return openssl_fail(ErrorCode::internal, "signing");
  }
  sig.resize(len);
  return sig;
}

bool verify_message(const PublicKey& key, util::ByteView message, util::ByteView signature)
{
  const auto key_default = signing_hash(key.algorithm());
  const auto verify_with = [&](const EVP_MD* md) {
    return verify_with_p1363_fallback(key, signature, [&](util::ByteView sig) {
      MdCtxPtr ctx(EVP_MD_CTX_new());
      if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1) {
        return false;
      }
      return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), message.data(), message.size()) == 1;
    });
  };
  if (!key_default) {
    return verify_with(nullptr); // Ed25519
  }
  if (verify_with(evp_md(*key_default))) {
    return true;
  }
  return *key_default != HashAlgorithm::sha256 && verify_with(evp_md(HashAlgorithm::sha256));
}

void prewarm_verify(const PublicKey& key)
{
  (void)sha256({});
  const std::array<std::uint8_t, 1> not_a_signature{0};
  (void)verify_message(key, {}, not_a_signature); // fetches the method, then refuses the signature
}

bool verify_digest(const PublicKey& key, HashAlgorithm alg, util::ByteView digest, util::ByteView signature)
{
  if (key.algorithm() == KeyAlgorithm::ed25519 || digest.size() != digest_size(alg)) {
    return false;
  }
  return verify_with_p1363_fallback(key, signature, [&](util::ByteView sig) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), evp_md(alg)) != 1) {
      return false;
    }
    if (key.algorithm() == KeyAlgorithm::rsa && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
      return false;
    }
    return EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(), digest.size()) == 1;
  });
}

bool verify_rsa_pss_sha256(const PublicKey& key, util::ByteView message, util::ByteView signature)
{
  if (key.algorithm() != KeyAlgorithm::rsa) {
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr; // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
}

} // namespace sigil::crypto
