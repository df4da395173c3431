// oci::sha256_digest (declared in reference.hpp next to Digest) and oci::DigestCheck: kept apart
// from the reference parser so that the parser includes nothing of crypto.
#include "sigil/oci/digest.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/encoding.hpp"

namespace sigil::oci {

Digest sha256_digest(std::span<const std::uint8_t> content)
{
  return Digest{DigestAlgorithm::sha256, util::hex_encode(crypto::sha256(content))};
}

Digest sha256_digest(std::string_view content)
{
  return sha256_digest(util::as_bytes(content));
}

namespace {

crypto::HashAlgorithm hash_of(const Digest& d)
{
  return d.algorithm == DigestAlgorithm::sha512 ? crypto::HashAlgorithm::sha512 : crypto::HashAlgorithm::sha256;
}

} // namespace

DigestCheck::DigestCheck(Digest expected) : m_expected(std::move(expected)), m_hasher(hash_of(m_expected)) {}

std::optional<std::string> DigestCheck::mismatch()
{
  std::string actual{algorithm_name(m_expected.algorithm)};
  actual += ':';
  actual += util::hex_encode(m_hasher.finish());
  return actual == m_expected.str() ? std::nullopt : std::optional<std::string>{std::move(actual)};
}

std::optional<std::string> digest_mismatch(const Digest& expected, util::ByteView bytes)
{
  DigestCheck check(expected);
  check.update(bytes);
  return check.mismatch();
}

} // namespace sigil::oci
