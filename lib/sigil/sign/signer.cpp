#include "sigil/sign/signer.hpp"

namespace sigil::sign {

KeyRefSigner::KeyRefSigner(KeyRefSignerRequest request)
{
  const auto policy = request.prepare == Prepare::in_background ? std::launch::async : std::launch::deferred;
  m_key = std::async(policy, [r = std::move(request)]() -> Result<crypto::PrivateKey> {
            SIGIL_TRY_ASSIGN(auto loaded, crypto::load_private_key(r.ref, r.password, r.mode));
            if (r.on_warning) {
              for (const auto& w : loaded.warnings) {
                r.on_warning(w);
              }
            }
            return std::move(loaded.key);
          }).share();
}

Result<const crypto::PrivateKey*> KeyRefSigner::key() const
{
  // Each caller reads the shared state through its own copy of the future (thread-safe).
  const auto mine = m_key;
  const auto& loaded = mine.get();
  if (!loaded) {
    return fail(loaded.error());
  }
  return &*loaded;
}

} // namespace sigil::sign
