#include "sigil/sign/keyless_signer.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/keyless/tsa.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::sign {

struct KeylessSigner::State {
  http::Transport& transport;
  keyless::IdentityToken token;
  http::Url fulcio;
  keyless::FulcioApi fulcio_api;
  http::Url rekor;
  keyless::RekorApi rekor_api;
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

Result<keyless::LogEntry> log_v1(const KeylessSigner::State& s, const Witnessed& w, const std::string& leaf_pem)
{
  std::string body = w.dsse_envelope.empty()
                       ? keyless::hashedrekord_body({.signature = w.signature, .certificate_pem = leaf_pem,
                                                     .sha256 = w.artifact_sha256})
                       : keyless::dsse_body({.envelope_json = w.dsse_envelope, .certificate_pem = leaf_pem});
  return keyless::upload_entry(s.transport, s.rekor, std::move(body), s.retry);
}

Result<keyless::LogEntry> log_v2(const KeylessSigner::State& s, const Witnessed& w,
                                 const keyless::CertificateChain& chain)
{
  if (!s.tsa) {
    return fail(ErrorCode::usage, "Rekor v2 gives no signing time: keyless signing with it needs an RFC 3161 "
                                  "timestamp authority");
  }
  SIGIL_TRY_ASSIGN(const auto logged, rekor_v2_logged(w, chain));
  SIGIL_TRY_ASSIGN(auto request, keyless::hashedrekord_v002_request({.digest = logged.digest,
                                                                     .signature = w.signature,
                                                                     .certificate_der = chain.der.front(),
                                                                     .key_algorithm = logged.key_algorithm}));
  SIGIL_TRY_ASSIGN(auto entry, keyless::upload_entry_v2(s.transport, s.rekor, std::move(request), s.retry));
  if (entry.kind != "hashedrekord" || entry.api_version != "0.0.2") {
    return fail(ErrorCode::none_verified, fmt::format("rekor: the v2 log answered with a {} {} entry, not "
                                                      "hashedrekord 0.0.2",
                                                      entry.kind, entry.api_version));
  }
  return entry;
}

} // namespace

Result<RekorV2Logged> rekor_v2_logged(const Witnessed& w, const keyless::CertificateChain& chain)
{
  if (chain.der.empty()) {
    return fail(ErrorCode::none_verified, "no signing certificate");
  }
  SIGIL_TRY_ASSIGN(const auto leaf, crypto::Certificate::from_der(chain.der.front()));
  SIGIL_TRY_ASSIGN(const auto key, leaf.public_key());
  RekorV2Logged out;
  out.key_algorithm = key.algorithm();
  if (w.dsse_envelope.empty()) {
    out.digest.assign(w.artifact_sha256.begin(), w.artifact_sha256.end());
    return out;
  }
  SIGIL_TRY_ASSIGN(const auto envelope, dsse::parse(w.dsse_envelope, dsse::k_unbounded_payload));
  if (envelope.signatures.size() != 1 || !std::ranges::equal(envelope.signatures.front().sig, w.signature)) {
    return fail(ErrorCode::bad_input, "the DSSE envelope to log does not carry exactly this one signature");
  }
  out.digest = crypto::sha256(dsse::pae(envelope.payload_type, envelope.payload));
  return out;
}

KeylessSigner::KeylessSigner(KeylessSignerRequest r)
    : m_state(std::make_shared<State>(State{r.transport, std::move(r.token), std::move(r.fulcio), r.fulcio_api,
                                            std::move(r.rekor), r.rekor_api, std::move(r.tsa), std::move(r.checks),
                                            r.retry}))
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

bool KeylessSigner::gives_signed_entry_timestamp() const
{
  return m_state->rekor_api == keyless::RekorApi::v1;
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
  KeylessMaterial out{chain->pem, chain->der, {}, std::nullopt};
  if (s.rekor_api == keyless::RekorApi::v2) {
    SIGIL_TRY_ASSIGN(out.tlog_entry, log_v2(s, w, *chain));
  } else {
    SIGIL_TRY_ASSIGN(out.tlog_entry, log_v1(s, w, chain->pem.front()));
  }
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
