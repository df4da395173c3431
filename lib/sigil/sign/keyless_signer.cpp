#include "sigil/sign/keyless_signer.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/keyless/tsa.hpp"

#include <fmt/format.h>

namespace sigil::sign {

struct KeylessSigner::State {
  http::Transport& transport;
  keyless::IdentityToken token;
  http::Url fulcio;
  keyless::FulcioApi fulcio_api;
  http::Url rekor;
  std::optional<http::Url> tsa;
  KeylessChecks checks;
  keyless::ServiceRetry retry;
};

namespace {

bool api_missing(const Error& e)
{
  return e.message.find("HTTP 404") != std::string::npos || e.message.find("HTTP 405") != std::string::npos;
}

Result<keyless::CertificateChain> ask_fulcio(const KeylessSigner::State& s, const crypto::PrivateKey& key)
{
  auto chain = keyless::request_certificate(
    s.transport, {.base = s.fulcio, .api = s.fulcio_api, .token = s.token, .key = key, .retry = s.retry});
  if (!chain && s.fulcio_api == keyless::FulcioApi::v2 && api_missing(chain.error())) {
    chain = keyless::request_certificate(
      s.transport, {.base = s.fulcio, .api = keyless::FulcioApi::v1, .token = s.token, .key = key, .retry = s.retry});
  }
  return chain;
}

} // namespace

KeylessSigner::KeylessSigner(KeylessSignerRequest r)
    : m_state(std::make_shared<State>(State{r.transport, std::move(r.token), std::move(r.fulcio), r.fulcio_api,
                                            std::move(r.rekor), std::move(r.tsa), std::move(r.checks), r.retry}))
{
  m_certified = std::async(std::launch::async, [state = m_state]() -> Result<Certified> {
                  SIGIL_TRY_ASSIGN(auto key, crypto::PrivateKey::generate(crypto::KeyKind::ecdsa_p256));
                  SIGIL_TRY_ASSIGN(auto chain, ask_fulcio(*state, key));
                  if (state->checks.certificate) {
                    SIGIL_TRY_CONTEXT(state->checks.certificate(chain, key.public_key()),
                                      "fulcio's certificate does not verify");
                  }
                  return Certified{std::move(key), std::move(chain)};
                }).share();
}

KeylessSigner::~KeylessSigner()
{
  // The request may still be running: wait, so that it never outlives the transport.
  if (m_certified.valid()) {
    m_certified.wait();
  }
}

Result<const crypto::PrivateKey*> KeylessSigner::key() const
{
  const auto mine = m_certified;
  const auto& certified = mine.get();
  if (!certified) {
    return fail(certified.error());
  }
  return &certified->key;
}

Result<const keyless::CertificateChain*> KeylessSigner::chain() const
{
  const auto mine = m_certified;
  const auto& certified = mine.get();
  if (!certified) {
    return fail(certified.error());
  }
  return &certified->chain;
}

Result<std::optional<KeylessMaterial>> KeylessSigner::witness(const Witnessed& w) const
{
  SIGIL_TRY_ASSIGN(const keyless::CertificateChain* chain, this->chain());
  const State& s = *m_state;
  const std::string& leaf_pem = chain->pem.front();
  std::string body = w.dsse_envelope.empty()
                       ? keyless::hashedrekord_body({.signature = w.signature, .certificate_pem = leaf_pem,
                                                     .sha256 = w.artifact_sha256})
                       : keyless::dsse_body({.envelope_json = w.dsse_envelope, .certificate_pem = leaf_pem});
  KeylessMaterial out{chain->pem, chain->der, {}, std::nullopt};
  SIGIL_TRY_ASSIGN(out.tlog_entry, keyless::upload_entry(s.transport, s.rekor, std::move(body), s.retry));
  if (s.checks.log_entry) {
    SIGIL_TRY_CONTEXT(s.checks.log_entry(out.tlog_entry, w, *chain),
                      fmt::format("rekor's entry {} does not verify", out.tlog_entry.log_index));
  }
  if (s.tsa) {
    const util::ByteView stamped = w.timestamped.empty() ? w.signature : w.timestamped;
    SIGIL_TRY_ASSIGN(auto response, keyless::request_timestamp(s.transport, *s.tsa, stamped, s.retry));
    if (s.checks.timestamp) {
      SIGIL_TRY_CONTEXT(s.checks.timestamp(response, stamped), "the timestamp does not verify");
    }
    out.rfc3161_timestamp = std::move(response);
  }
  return std::optional<KeylessMaterial>{std::move(out)};
}

} // namespace sigil::sign
