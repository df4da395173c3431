// sigil::keyless OIDC identity tokens: where the token comes from, and what it says.
//
// A keyless signature starts from an OIDC identity token (GitLab CI's `id_tokens:` entry with
// `aud: sigstore` sets SIGSTORE_ID_TOKEN). Fulcio checks the token's signature; sigil only reads
// its payload to refuse early and clearly what Fulcio would refuse anyway (not a JWT, expired,
// another audience) and to learn the identity it is about to publish. The token is a secret:
// it is remembered with util::remember_secret (so no message or log shows it) and wiped when
// the IdentityToken goes.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::keyless {

constexpr std::string_view k_default_audience = "sigstore";

struct TokenCheck {
  std::string audience{k_default_audience}; // --oidc-client-id
  std::int64_t now = 0;                     // seconds since the epoch
  std::int64_t skew_seconds = 10;           // a token this far past `exp` is still tried
};

class IdentityToken {
public:
  IdentityToken() = default;

  [[nodiscard]] std::string_view raw() const { return m_raw.chars(); } // the JWT itself: never print it
  [[nodiscard]] const std::string& issuer() const { return m_issuer; }
  [[nodiscard]] const std::string& subject() const { return m_subject; }
  [[nodiscard]] const std::optional<std::string>& email() const { return m_email; }
  [[nodiscard]] std::int64_t expires_at() const { return m_expires_at; }
  // What Fulcio's proof of possession signs: the email of a token that has an `email` claim,
  // else `sub` (sigstore-go's rule; Fulcio compares it with the identity it certifies).
  [[nodiscard]] const std::string& challenge() const { return m_email ? *m_email : m_subject; }
  // The identity shown before publishing: the email, else the subject.
  [[nodiscard]] const std::string& identity() const { return challenge(); }

private:
  util::SecureBytes m_raw;
  std::string m_issuer;
  std::string m_subject;
  std::optional<std::string> m_email;
  std::int64_t m_expires_at = 0;
  friend Result<IdentityToken> make_identity_token(std::string_view jwt, const TokenCheck& check);
};

// Parses a compact JWS (header.payload.signature, base64url) and checks what can be checked
// without the issuer's keys: `exp` (with skew), `aud` (string or array) holds the audience,
// `iss` and `sub` present, `email` when present is a string. Errors are ErrorCode::usage and
// never quote the token.
[[nodiscard]] Result<IdentityToken> make_identity_token(std::string_view jwt, const TokenCheck& check);

// The token from `--identity-token VALUE|@FILE` when given, else SIGSTORE_ID_TOKEN; nullopt
// when neither is set. Surrounding whitespace (a file's newline) is dropped. The value is
// remembered as a secret before anything else happens to it.
[[nodiscard]] Result<std::optional<util::SecureBytes>> find_identity_token(std::string_view flag);

} // namespace sigil::keyless
