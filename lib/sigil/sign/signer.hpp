// sigil::sign who signs. A use case asks its Signer for the key when it is about to sign, and
// does the registry work that needs no key (connecting, authenticating, uploading the payload)
// before that.
//
// Today: a private key at hand (KeySigner), or one read from a file or env://VAR (KeyRefSigner),
// which decrypts an encrypted key (scrypt: ~100 ms of CPU and 64 MiB) on another thread while
// that registry work runs. Next: keyless (a Fulcio certificate for an OIDC identity) and
// PKCS#11, as further implementations of the same interface.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/key_file.hpp"

#include <functional>
#include <future>
#include <string>
#include <string_view>

namespace sigil::sign {

class Signer {
public:
  Signer() = default;
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;
  virtual ~Signer() = default;

  // The key to sign with, waiting while it is being prepared; callable from any thread. A
  // failure (wrong password, unreadable key) is the signer's error: the use case then writes
  // no manifest.
  [[nodiscard]] virtual Result<const crypto::PrivateKey*> key() const = 0;
};

// A key already at hand.
class KeySigner final : public Signer {
public:
  explicit KeySigner(const crypto::PrivateKey& key) : m_key(key) {}
  [[nodiscard]] Result<const crypto::PrivateKey*> key() const override { return &m_key; }

private:
  const crypto::PrivateKey& m_key;
};

// When a KeyRefSigner opens its key: on another thread from the start (the password needs no
// prompt), or on the first key() call, in the caller's thread (a prompt must come first).
enum class Prepare { in_background, when_asked };

struct KeyRefSignerRequest {
  std::string ref;                   // key file path or env://VAR
  crypto::PasswordProvider password; // asked only when the key is encrypted
  crypto::KeyFileMode mode = crypto::KeyFileMode::refuse_insecure;
  Prepare prepare = Prepare::when_asked;
  std::function<void(std::string_view)> on_warning; // the loader's warnings, as they occur
};

class KeyRefSigner final : public Signer {
public:
  explicit KeyRefSigner(KeyRefSignerRequest request);
  [[nodiscard]] Result<const crypto::PrivateKey*> key() const override;

private:
  std::shared_future<Result<crypto::PrivateKey>> m_key;
};

} // namespace sigil::sign
