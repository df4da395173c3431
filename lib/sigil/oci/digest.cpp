// oci::sha256_digest (declared in reference.hpp next to Digest): kept apart from the reference
// parser so that the parser includes nothing of crypto.
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

} // namespace sigil::oci
