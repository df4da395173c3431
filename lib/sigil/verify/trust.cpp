#include "sigil/verify/trust.hpp"

#include "sigil/crypto/key_file.hpp"
#include "sigil/crypto/signature.hpp"

namespace sigil::verify {

Result<std::vector<TrustedKey>> load_trusted_keys(std::span<const std::string> refs)
{
  std::vector<TrustedKey> keys;
  keys.reserve(refs.size());
  for (const auto& ref : refs) {
    SIGIL_TRY_ASSIGN(auto key, crypto::load_public_key(ref));
    keys.push_back({ref, std::move(key)});
  }
  return keys;
}

void prewarm(std::span<const TrustedKey> keys)
{
  for (const auto& k : keys) {
    crypto::prewarm_verify(k.key);
  }
}

} // namespace sigil::verify
