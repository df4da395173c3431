#include "sigil/crypto/digest.hpp"

#include "sigil/util/encoding.hpp"

#include <cassert>

namespace sigil::crypto {

std::string_view sigstore_hash_name(HashAlgorithm alg)
{
  switch (alg) {
  case HashAlgorithm::sha256: return "SHA2_256";
  case HashAlgorithm::sha384: return "SHA2_384";
  case HashAlgorithm::sha512: return "SHA2_512";
  }
  return "SHA2_256";
}

std::optional<HashAlgorithm> parse_sigstore_hash_name(std::string_view name)
{
  if (name == "SHA2_256") {
    return HashAlgorithm::sha256;
  }
  if (name == "SHA2_384") {
    return HashAlgorithm::sha384;
  }
  if (name == "SHA2_512") {
    return HashAlgorithm::sha512;
  }
  return std::nullopt;
}

std::string_view hash_name(HashAlgorithm alg)
{
  switch (alg) {
  case HashAlgorithm::sha256: return "sha256";
  case HashAlgorithm::sha384: return "sha384";
  case HashAlgorithm::sha512: return "sha512";
  }
  return "sha256";
}

std::size_t digest_size(HashAlgorithm alg)
{
  switch (alg) {
  case HashAlgorithm::sha256: return 32;
  case HashAlgorithm::sha384: return 48;
  case HashAlgorithm::sha512: return 64;
  }
  return 32;
}

const EVP_MD* evp_md(HashAlgorithm alg)
{
  switch (alg) {
  case HashAlgorithm::sha256: return EVP_sha256();
  case HashAlgorithm::sha384: return EVP_sha384();
  case HashAlgorithm::sha512: return EVP_sha512();
  }
  return EVP_sha256();
}

Hasher::Hasher(HashAlgorithm alg) : m_alg(alg), m_ctx(EVP_MD_CTX_new())
{
  // Allocation or init failure of a built-in digest is not recoverable.
  [[maybe_unused]] const int ok = m_ctx ? EVP_DigestInit_ex(m_ctx.get(), evp_md(alg), nullptr) : 0;
  assert(ok == 1);
}

void Hasher::update(util::ByteView data)
{
  EVP_DigestUpdate(m_ctx.get(), data.data(), data.size());
}

util::Bytes Hasher::finish()
{
  util::Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_ctx.get(), out.data(), &len);
  out.resize(len);
  return out;
}

util::Bytes hash(HashAlgorithm alg, util::ByteView data)
{
  Hasher h(alg);
  h.update(data);
  return h.finish();
}

util::Bytes sha256(util::ByteView data)
{
  return hash(HashAlgorithm::sha256, data);
}

std::string sha256_digest_string(util::ByteView data)
{
  return "sha256:" + util::hex_encode(sha256(data));
}

} // namespace sigil::crypto
