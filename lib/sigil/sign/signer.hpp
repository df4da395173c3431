// sigil::sign who signs. A use case asks its Signer for the key when it is about to sign, and
// does the registry work that needs no key (connecting, authenticating, uploading the payload)
// before that.
//
// A private key at hand (KeySigner), or one read from a file or env://VAR (KeyRefSigner), which
// decrypts an encrypted key (scrypt: ~100 ms of CPU and 64 MiB) on another thread while that
// registry work runs; or keyless (KeylessSigner, keyless_signer.hpp: an ephemeral key certified
// by Fulcio for an OIDC identity). After signing, and before anything is attached or written,
// a use case hands the signature to witness(): a keyless signer logs it in Rekor (and has it
// timestamped), verifies the answers, and returns what goes next to the signature.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/key_file.hpp"
#include "sigil/keyless/rekor.hpp"
#include "sigil/util/bytes.hpp"

#include <functional>
#include <optional>
#include <future>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::sign {

// What a signature is over, for the transparency log and the timestamp.
struct Witnessed {
  util::ByteView signature;       // DSSE: the envelope's (one) signature, decoded
  util::ByteView artifact_sha256; // hashedrekord: SHA-256 of the signed bytes (blob, simple-signing
                                  // payload); DSSE: SHA-256 of the envelope's payload
  std::string_view dsse_envelope; // attestations: the envelope as stored (a dsse entry); else empty
  // What the TSA timestamps: empty = the signature (bundles, .sig layers); cosign's legacy .att
  // layer timestamps the whole envelope (its verifier reads the layer's bytes).
  util::ByteView timestamped;
};

// What a keyless signature carries besides itself.
struct KeylessMaterial {
  std::vector<std::string> chain_pem; // the certificate chain, leaf first (PEM blocks)
  std::vector<util::Bytes> chain_der; // the same, DER
  keyless::LogEntry tlog_entry;       // verified (SET, inclusion proof) before it is returned
  std::optional<util::Bytes> rfc3161_timestamp; // DER TimeStampResp, when a TSA is configured
};

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

  // Called once per signature, after signing and before anything is attached or written; thread-
  // safe. Key signers have nothing to add (nullopt). A keyless signer's failure (Rekor refused,
  // SET or proof did not verify, TSA answered for another nonce) means nothing is published.
  [[nodiscard]] virtual Result<std::optional<KeylessMaterial>> witness(const Witnessed& signed_bytes) const
  {
    (void)signed_bytes;
    return std::optional<KeylessMaterial>{};
  }

  // False when witness() gives log entries without a signed entry timestamp (Rekor v2): cosign's
  // legacy .sig/.att annotations (dev.sigstore.cosign/bundle) cannot carry them, only a bundle.
  [[nodiscard]] virtual bool gives_signed_entry_timestamp() const { return true; }
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
