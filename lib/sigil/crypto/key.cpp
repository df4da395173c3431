#include "sigil/crypto/key.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/pem.hpp"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <array>
#include <cstring>
#include <memory>

namespace sigil::crypto {

namespace {

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key)
{
  return {key, PkeyDeleter{}};
}

Result<std::string> ec_curve_name(EVP_PKEY* key)
{
  std::array<char, 64> name{};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name.data(), name.size(), &len) != 1) {
    clear_openssl_errors();
    return fail(ErrorCode::bad_input, "unsupported elliptic curve: the key has no named curve");
  }
  return std::string(name.data(), len);
}

Result<util::Bytes> encode_pkix(EVP_PKEY* key)
{
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(key, &buf);
  if (len <= 0) {
    return openssl_fail(ErrorCode::internal, "encoding public key");
  }
  util::Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

// OpenSSL 3's d2i_PUBKEY sets up a decoder context over every provider's decoders on each call
// and i2d_PUBKEY an encoder context: together ~1.5 ms, a tenth of verifying one image. The
// canonical SubjectPublicKeyInfo of a P-256, P-384 or Ed25519 key is a fixed prefix followed by
// the key itself, so those are imported straight through the key manager (which refuses an EC
// point that is not on the curve, as d2i does) and the input is already their DER. Any other
// encoding (compressed points, explicit parameters, RSA, ...) takes the generic path.
struct SpkiLayout {
  std::string_view prefix; // DER up to the BIT STRING's contents, after its unused-bits byte
  std::size_t key_size;
  const char* type; // key manager name
  const char* group; // EC group, or nullptr for a raw key
};

constexpr std::string_view k_p256_prefix{"\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08"
                                         "\x2a\x86\x48\xce\x3d\x03\x01\x07\x03\x42\x00",
                                         26};
constexpr std::string_view k_p384_prefix{"\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05"
                                         "\x2b\x81\x04\x00\x22\x03\x62\x00",
                                         23};
constexpr std::string_view k_ed25519_prefix{"\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00", 12};
constexpr std::array<SpkiLayout, 3> k_spki_layouts{{
  {k_p256_prefix, 65, "EC", "P-256"},
  {k_p384_prefix, 97, "EC", "P-384"},
  {k_ed25519_prefix, 32, "ED25519", nullptr},
}};

// The key of a canonical P-256/P-384/Ed25519 SPKI; nullptr when the DER is not one (then the
// generic path decides, and reports).
std::shared_ptr<EVP_PKEY> import_canonical_spki(util::ByteView der)
{
  for (const auto& layout : k_spki_layouts) {
    if (der.size() != layout.prefix.size() + layout.key_size ||
        std::memcmp(der.data(), layout.prefix.data(), layout.prefix.size()) != 0) {
      continue;
    }
    const unsigned char* key = der.data() + layout.prefix.size();
    if (layout.group == nullptr) {
      return share(EVP_PKEY_new_raw_public_key_ex(nullptr, layout.type, nullptr, key, layout.key_size));
    }
    if (key[0] != 0x04) { // compressed or hybrid point: the generic path
      return nullptr;
    }
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, layout.type, nullptr),
                                                                    EVP_PKEY_CTX_free);
    std::array<OSSL_PARAM, 3> params{
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(layout.group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<unsigned char*>(key), layout.key_size),
      OSSL_PARAM_construct_end()};
    EVP_PKEY* pkey = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.data()) != 1) {
      clear_openssl_errors();
      return nullptr; // not on the curve, say: the generic path gives the error
    }
    return share(pkey);
  }
  return nullptr;
}

} // namespace

std::optional<KeyKind> parse_key_kind(std::string_view name)
{
  if (name == "ecdsa-p256") {
    return KeyKind::ecdsa_p256;
  }
  if (name == "ecdsa-p384") {
    return KeyKind::ecdsa_p384;
  }
  if (name == "ed25519") {
    return KeyKind::ed25519;
  }
  if (name == "rsa-3072") {
    return KeyKind::rsa_3072;
  }
  if (name == "rsa-4096") {
    return KeyKind::rsa_4096;
  }
  return std::nullopt;
}

std::string_view key_algorithm_name(KeyAlgorithm alg)
{
  switch (alg) {
  case KeyAlgorithm::ecdsa_p256: return "ecdsa-p256";
  case KeyAlgorithm::ecdsa_p384: return "ecdsa-p384";
  case KeyAlgorithm::ecdsa_p521: return "ecdsa-p521";
  case KeyAlgorithm::ed25519: return "ed25519";
  case KeyAlgorithm::rsa: return "rsa";
  }
  return "unknown";
}

std::optional<HashAlgorithm> signing_hash(KeyAlgorithm alg)
{
  switch (alg) {
  case KeyAlgorithm::ecdsa_p256: return HashAlgorithm::sha256;
  case KeyAlgorithm::ecdsa_p384: return HashAlgorithm::sha384;
  case KeyAlgorithm::ecdsa_p521: return HashAlgorithm::sha512;
  case KeyAlgorithm::rsa: return HashAlgorithm::sha256;
  case KeyAlgorithm::ed25519: return std::nullopt;
  }
  return std::nullopt;
}

// An Ed25519 public key must be a canonical point of the prime-order subgroup, not of small
// order: OpenSSL accepts R = identity, S = 0 under a small-order key for any message (a forgery
// anyone can make), as RFC 8032 permits; no key generator makes such a key, so none is trusted.
Result<void> check_ed25519_point(EVP_PKEY* key)
{
  std::array<unsigned char, 32> raw{};
  std::size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &len) != 1 || len != raw.size()) {
    clear_openssl_errors();
    return fail(ErrorCode::bad_input, "invalid ed25519 public key");
  }
  if (sodium_init() < 0 || crypto_core_ed25519_is_valid_point(raw.data()) != 1) {
    return fail(ErrorCode::bad_input,
                "invalid ed25519 public key: a point of small order or outside the prime-order "
                "subgroup (signatures under it can be forged); use a key made by a key generator");
  }
  return {};
}

Result<KeyAlgorithm> classify_key(EVP_PKEY* key)
{
  switch (EVP_PKEY_get_base_id(key)) {
  case EVP_PKEY_ED25519: SIGIL_TRY(check_ed25519_point(key)); return KeyAlgorithm::ed25519;
  case EVP_PKEY_RSA: {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < 2048 || bits > 4096) {
      return fail(ErrorCode::bad_input, fmt::format("rsa key size not supported: {} bits (2048 to 4096 are)", bits));
    }
    return KeyAlgorithm::rsa;
  }
  case EVP_PKEY_EC: {
    SIGIL_TRY_ASSIGN(auto curve, ec_curve_name(key));
    if (curve == "prime256v1" || curve == "P-256") {
      return KeyAlgorithm::ecdsa_p256;
    }
    if (curve == "secp384r1" || curve == "P-384") {
      return KeyAlgorithm::ecdsa_p384;
    }
    if (curve == "secp521r1" || curve == "P-521") {
      return KeyAlgorithm::ecdsa_p521;
    }
    return fail(ErrorCode::bad_input, fmt::format("ecdsa curve {} not allowed (P-256, P-384 and P-521 are)", curve));
  }
  default: break;
  }
  return fail(ErrorCode::bad_input, "unsupported key type (ecdsa, ed25519 and rsa are supported)");
}

// ---- PublicKey ----

Result<PublicKey> PublicKey::make(std::shared_ptr<EVP_PKEY> key)
{
  SIGIL_TRY_ASSIGN(auto alg, classify_key(key.get()));
  SIGIL_TRY_ASSIGN(auto der, encode_pkix(key.get()));
  return PublicKey(std::move(key), alg, std::move(der));
}

Result<PublicKey> PublicKey::from_der(util::ByteView pkix_der)
{
  if (auto key = import_canonical_spki(pkix_der)) {
    SIGIL_TRY_ASSIGN(auto alg, classify_key(key.get()));
    return PublicKey(std::move(key), alg, util::Bytes(pkix_der.begin(), pkix_der.end()));
  }
  const unsigned char* p = pkix_der.data();
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(pkix_der.size()));
  if (raw == nullptr || p != pkix_der.data() + pkix_der.size()) {
    EVP_PKEY_free(raw);
    return openssl_fail(ErrorCode::bad_input, "invalid public key");
  }
  return make(share(raw));
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem)
{
  auto blocks = util::parse_pem(pem);
  if (!blocks) {
    return with_context(blocks, "reading public key");
  }
  const auto& block = blocks->front();
  if (block.type == "PUBLIC KEY") {
    return from_der(block.der.view());
  }
  if (block.type == "RSA PUBLIC KEY") {
    const unsigned char* p = block.der.data();
    EVP_PKEY* raw = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(block.der.size()));
    if (raw == nullptr || p != block.der.data() + block.der.size()) { // Go refuses trailing data too
      EVP_PKEY_free(raw);
      return openssl_fail(ErrorCode::bad_input, "invalid rsa public key");
    }
    return make(share(raw));
  }
  return fail(ErrorCode::bad_input,
              fmt::format("unsupported pem type {} for a public key (want PUBLIC KEY)", block.type));
}

std::string PublicKey::pem() const
{
  return util::encode_pem("PUBLIC KEY", der());
}

std::string PublicKey::hint() const
{
  return util::base64_encode(sha256(der()));
}

std::string PublicKey::fingerprint() const
{
  return "sha256:" + util::hex_encode(sha256(der()));
}

bool PublicKey::same_key(const PublicKey& other) const
{
  return EVP_PKEY_eq(m_key.get(), other.m_key.get()) == 1;
}

// ---- PrivateKey ----

Result<PrivateKey> PrivateKey::make(std::shared_ptr<EVP_PKEY> key, KeyAlgorithm alg)
{
  // The halves must belong together: OpenSSL reads an RSA key whose CRT values were edited,
  // or an EC key whose embedded public point is another key's, and such a key signs what its
  // public key cannot verify (found by tests/fuzz/fuzz_private_key). Go refuses the former.
  const PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
    return openssl_fail(ErrorCode::bad_input, "invalid private key: its public and private parts do not match");
  }
  // Decode the public half alone so that a PublicKey never carries private material.
  SIGIL_TRY_ASSIGN(auto der, encode_pkix(key.get()));
  const unsigned char* p = der.data();
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (pub == nullptr) {
    return openssl_fail(ErrorCode::internal, "deriving public key");
  }
  PublicKey public_key(share(pub), alg, std::move(der));
  return PrivateKey(std::move(key), alg, std::move(public_key));
}

Result<PrivateKey> PrivateKey::generate(KeyKind kind)
{
  EVP_PKEY* raw = nullptr;
  switch (kind) {
  case KeyKind::ecdsa_p256: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
  case KeyKind::ecdsa_p384: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
  case KeyKind::ed25519: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  case KeyKind::rsa_3072: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072}); break;
  case KeyKind::rsa_4096: raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{4096}); break;
  }
  if (raw == nullptr) {
    return openssl_fail(ErrorCode::internal, "generating key");
  }
  auto key = share(raw);
  SIGIL_TRY_ASSIGN(auto alg, classify_key(key.get()));
  return make(std::move(key), alg);
}

Result<PrivateKey> PrivateKey::from_pkcs8_der(util::ByteView der)
{
  const unsigned char* p = der.data();
  PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (info == nullptr || p != der.data() + der.size()) {
    PKCS8_PRIV_KEY_INFO_free(info);
    clear_openssl_errors();
    return from_ed25519_onekey_v2(der);
  }
  EVP_PKEY* raw = EVP_PKCS82PKEY(info);
  PKCS8_PRIV_KEY_INFO_free(info);
  if (raw == nullptr) {
    clear_openssl_errors();
    return from_ed25519_onekey_v2(der);
  }
  auto key = share(raw);
  SIGIL_TRY_ASSIGN(auto alg, classify_key(key.get()));
  return make(std::move(key), alg);
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem)
{
  SIGIL_TRY_ASSIGN(auto blocks, util::parse_pem(pem));
  const auto& block = blocks.front();
  if (block.type == "PRIVATE KEY") {
    return from_pkcs8_der(block.der.view());
  }
  int type = EVP_PKEY_NONE;
  if (block.type == "EC PRIVATE KEY") {
    type = EVP_PKEY_EC;
  } else if (block.type == "RSA PRIVATE KEY") {
    type = EVP_PKEY_RSA;
  } else {
    return fail(
        ErrorCode::bad_input,
        fmt::format("unsupported private key: pem type {} (want PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)",
                    block.type));
  }
  const std::string_view what = type == EVP_PKEY_EC ? "ecdsa private key" : "rsa private key";
  const unsigned char* p = block.der.data();
  EVP_PKEY* raw = d2i_PrivateKey(type, nullptr, &p, static_cast<long>(block.der.size()));
  if (raw == nullptr) {
    return openssl_fail(ErrorCode::bad_input, fmt::format("error parsing {}", what));
  }
  auto key = share(raw);
  // As from_der and from_pkcs8_der: the block must hold the key and nothing else.
  if (p != block.der.data() + block.der.size()) {
    return fail(ErrorCode::bad_input, fmt::format("error parsing {}: trailing data after the key", what));
  }
  SIGIL_TRY_ASSIGN(auto alg, classify_key(key.get()));
  return make(std::move(key), alg);
}

Result<util::SecureBytes> PrivateKey::pkcs8_der() const
{
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(m_key.get());
  if (info == nullptr) {
    return openssl_fail(ErrorCode::internal, "encoding private key as pkcs#8");
  }
  unsigned char* buf = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(info, &buf);
  PKCS8_PRIV_KEY_INFO_free(info);
  if (len <= 0) {
    return openssl_fail(ErrorCode::internal, "encoding private key as pkcs#8");
  }
  util::SecureBytes out(util::ByteView(buf, static_cast<std::size_t>(len)));
  OPENSSL_clear_free(buf, static_cast<std::size_t>(len));
  return out;
}

namespace {

// Minimal DER reader for ed25519_from_onekey_v2.
struct Der {
  util::ByteView data;
  std::size_t pos = 0;

  // Reads one TLV; returns its tag and content, or nullopt on malformed input.
  std::optional<std::pair<std::uint8_t, util::ByteView>> next()
  {
    if (pos + 2 > data.size()) {
      return std::nullopt;
    }
    const std::uint8_t tag = data[pos++];
    std::size_t len = data[pos++];
    if (len & 0x80U) {
      const std::size_t n = len & 0x7fU;
      if (n == 0 || n > 2 || pos + n > data.size()) {
        return std::nullopt;
      }
      len = 0;
      for (std::size_t i = 0; i < n; ++i) {
        len = (len << 8) | data[pos++];
      }
    }
    if (pos + len > data.size()) {
      return std::nullopt;
    }
    const util::ByteView content = data.subspan(pos, len);
    pos += len;
    return std::make_pair(tag, content);
  }
  [[nodiscard]] bool done() const { return pos == data.size(); }
};

} // namespace

// OpenSSL 3.0 does not parse these; read the 32-byte seed ourselves. The embedded public key,
// when present, must match the one derived from the seed.
Result<PrivateKey> PrivateKey::from_ed25519_onekey_v2(util::ByteView der)
{
  const auto bad = [] {
    return fail(ErrorCode::bad_input, "x509: failed to parse private key: not a pkcs#8 private key");
  };
  Der outer{der};
  const auto seq = outer.next();
  if (!seq || seq->first != 0x30 || !outer.done()) {
    return bad();
  }
  Der in{seq->second};
  const auto version = in.next();
  const auto algorithm = in.next();
  const auto octets = in.next();
  constexpr std::array<std::uint8_t, 5> k_ed25519_oid{0x06, 0x03, 0x2b, 0x65, 0x70};
  if (!version || version->first != 0x02 || version->second.size() != 1 || version->second[0] > 1 || !algorithm ||
      algorithm->first != 0x30 || algorithm->second.size() != k_ed25519_oid.size() ||
      std::memcmp(algorithm->second.data(), k_ed25519_oid.data(), k_ed25519_oid.size()) != 0 || !octets ||
      octets->first != 0x04) {
    return bad();
  }
  Der seed_der{octets->second};
  const auto seed = seed_der.next();
  if (!seed || seed->first != 0x04 || seed->second.size() != 32 || !seed_der.done()) {
    return bad();
  }
  std::optional<util::ByteView> embedded_public;
  while (!in.done()) {
    const auto extra = in.next();
    if (!extra) {
      return bad();
    }
    if (extra->first == 0x81) { // [1] IMPLICIT BIT STRING publicKey
      if (extra->second.size() != 33 || extra->second[0] != 0) {
        return bad();
      }
      embedded_public = extra->second.subspan(1);
    } else if (extra->first != 0xa0) { // [0] attributes are allowed and ignored
      return bad();
    }
  }
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed->second.data(), 32);
  if (raw == nullptr) {
    return openssl_fail(ErrorCode::bad_input, "invalid ed25519 private key");
  }
  auto key = share(raw);
  if (embedded_public) {
    std::array<std::uint8_t, 32> derived{};
    std::size_t len = derived.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), derived.data(), &len) != 1 ||
        std::memcmp(derived.data(), embedded_public->data(), 32) != 0) {
      return fail(ErrorCode::bad_input, "ed25519 private key: embedded public key does not match the private key");
    }
  }
  return make(std::move(key), KeyAlgorithm::ed25519);
}

} // namespace sigil::crypto
