#include "sigil/sign/keyless_checks.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/timestamp.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/tlog/body.hpp"
#include "sigil/tlog/checkpoint.hpp"
#include "sigil/tlog/entry.hpp"
#include "sigil/tlog/set.hpp"
#include "sigil/trust/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace sigil::sign {

namespace {

std::int64_t now_seconds()
{
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<void> check_certificate(const trust::TrustedRoot& root, const keyless::CertificateChain& chain,
                               const crypto::PublicKey& ephemeral)
{
  SIGIL_TRY_ASSIGN(const auto leaf, crypto::Certificate::from_der(chain.der.front()));
  SIGIL_TRY_ASSIGN(const auto leaf_key, leaf.public_key());
  if (!leaf_key.same_key(ephemeral)) {
    return fail(ErrorCode::none_verified, "the certificate is for another key than the one sigil made");
  }
  std::vector<crypto::Certificate> presented;
  for (std::size_t i = 1; i < chain.der.size(); ++i) {
    SIGIL_TRY_ASSIGN(auto c, crypto::Certificate::from_der(chain.der[i]));
    presented.push_back(std::move(c));
  }
  SIGIL_TRY_ASSIGN(const auto path, trust::verify_certificate_chain(root, leaf, presented, now_seconds()));
  return trust::verify_embedded_sct(root, path);
}

tlog::Entry to_tlog_entry(const keyless::LogEntry& e)
{
  tlog::Entry out;
  out.log_index = e.log_index;
  out.log_id = e.log_id;
  out.kind = e.kind;
  out.version = e.api_version;
  if (!e.signed_entry_timestamp.empty()) { // Rekor v2 gives neither
    out.integrated_time = e.integrated_time;
    out.signed_entry_timestamp = e.signed_entry_timestamp;
  }
  out.canonicalized_body = e.body;
  if (const auto& p = e.inclusion_proof) {
    out.inclusion_proof = tlog::InclusionProof{p->log_index, p->root_hash, p->tree_size, p->hashes, p->checkpoint};
  }
  return out;
}

// A dsse entry must be about this envelope: its hash (of the bytes posted), the payload's hash
// and this signature among the logged ones.
Result<void> check_dsse_body(const tlog::BodyClaims& claims, const Witnessed& w)
{
  const auto envelope_hash = crypto::sha256(util::as_bytes(w.dsse_envelope));
  const bool same_envelope = claims.envelope_hash && std::ranges::equal(*claims.envelope_hash, envelope_hash);
  const bool same_payload = claims.payload_hash && std::ranges::equal(*claims.payload_hash, w.artifact_sha256);
  const bool has_sig = std::ranges::any_of(claims.dsse_signatures,
                                           [&](const auto& s) { return std::ranges::equal(s.first, w.signature); });
  if (claims.kind != "dsse" || !same_envelope || !same_payload || !has_sig) {
    return fail(ErrorCode::none_verified, "the entry is not about this signature and envelope");
  }
  return {};
}

// The body must be about exactly what was signed (hashedrekord: signature and digest).
Result<void> check_body(const tlog::Entry& entry, const Witnessed& w)
{
  SIGIL_TRY_ASSIGN(const auto claims, tlog::parse_body(entry.canonicalized_body));
  if (!w.dsse_envelope.empty()) {
    return check_dsse_body(claims, w);
  }
  const bool same_sig = claims.signature && std::ranges::equal(*claims.signature, w.signature);
  const bool same_digest = claims.artifact_digest && std::ranges::equal(claims.artifact_digest->second, w.artifact_sha256);
  if (claims.kind != "hashedrekord" || !same_sig || !same_digest) {
    return fail(ErrorCode::none_verified, "the entry is not about this signature and artifact");
  }
  return {};
}

// Rekor v2: the body must be, byte for byte, the hashedrekord 0.0.2 of these bytes and this
// certificate (what sigstore-go rebuilds for the leaf hash); the entry's log is a log of the
// root, valid now; its inclusion proof leads to a checkpoint signed by that log under its
// origin, the host of its baseUrl (tlog's verifier, as verify/sigstore.cpp uses it).
Result<void> check_entry_v2(const trust::TrustedRoot& root, const keyless::LogEntry& logged, const Witnessed& w,
                            const keyless::CertificateChain& chain)
{
  SIGIL_TRY_ASSIGN(const auto expected, rekor_v2_logged(w, chain));
  SIGIL_TRY_ASSIGN(const auto body, keyless::hashedrekord_v002_body({.digest = expected.digest,
                                                                     .signature = w.signature,
                                                                     .certificate_der = chain.der.front(),
                                                                     .key_algorithm = expected.key_algorithm}));
  if (logged.body != body) {
    return fail(ErrorCode::none_verified, "the entry is not the hashedrekord 0.0.2 of this signature, digest and "
                                          "certificate");
  }
  const auto entry = to_tlog_entry(logged);
  const auto logs = root.tlogs_by_key_id(entry.log_id);
  if (logs.empty() || !logs.front()->key) {
    return fail(ErrorCode::none_verified, "the entry comes from a log that is not in the trusted root");
  }
  const trust::TransparencyLog& log = *logs.front();
  if (!log.valid_for.contains(now_seconds())) {
    return fail(ErrorCode::none_verified, fmt::format("the key of the log {} is not valid now", log.base_url));
  }
  if (!entry.inclusion_proof) {
    return fail(ErrorCode::none_verified, "the answer has no inclusion proof");
  }
  return tlog::verify_inclusion_with_checkpoint(entry, *log.key, log.origin());
}

Result<void> check_entry(const trust::TrustedRoot& root, const keyless::LogEntry& logged, const Witnessed& w)
{
  const auto entry = to_tlog_entry(logged);
  SIGIL_TRY(check_body(entry, w));
  const auto logs = root.tlogs_by_key_id(entry.log_id);
  if (logs.empty() || !logs.front()->key) {
    return fail(ErrorCode::none_verified, "the entry comes from a log that is not in the trusted root");
  }
  const auto& key = *logs.front()->key;
  SIGIL_TRY(tlog::verify_set(entry, key));
  if (!entry.inclusion_proof) {
    return fail(ErrorCode::none_verified, "the answer has no inclusion proof");
  }
  return tlog::verify_inclusion_with_checkpoint(entry, key, "");
}

Result<void> check_timestamp(const trust::TrustedRoot& root, util::ByteView response, util::ByteView signature)
{
  SIGIL_TRY_ASSIGN(const auto token, crypto::parse_timestamp_response_or_token(response));
  SIGIL_TRY(trust::verify_timestamp(root, token, signature));
  return {};
}

} // namespace

KeylessChecks checks_from_trusted_root(std::shared_ptr<const trust::TrustedRoot> root)
{
  KeylessChecks checks;
  checks.certificate = [root](const keyless::CertificateChain& chain, const crypto::PublicKey& key) {
    return check_certificate(*root, chain, key);
  };
  checks.log_entry = [root](const keyless::LogEntry& e, const Witnessed& w, const keyless::CertificateChain& chain) {
    // Rekor v2's entries (hashedrekord 0.0.2) are checked as such, whatever the signer asked.
    return e.api_version == "0.0.2" ? check_entry_v2(*root, e, w, chain) : check_entry(*root, e, w);
  };
  checks.timestamp = [root](util::ByteView response, util::ByteView signature) {
    return check_timestamp(*root, response, signature);
  };
  return checks;
}

} // namespace sigil::sign
