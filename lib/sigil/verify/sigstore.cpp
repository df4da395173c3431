#include "sigil/verify/sigstore.hpp"

#include "sigil/crypto/signature.hpp"
#include "sigil/crypto/timestamp.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/tlog/body.hpp"
#include "sigil/tlog/checkpoint.hpp"
#include "sigil/tlog/set.hpp"
#include "sigil/trust/verify.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/terminal.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace sigil::verify {

namespace {

// Rekor's own clock may run a little ahead of ours; sigstore-go allows no skew, cosign 5 min.
constexpr std::int64_t k_clock_skew = 300;

std::unexpected<Error> reject(std::string_view check, std::string_view why)
{
  return fail(ErrorCode::none_verified, fmt::format("{}: {}", check, why));
}

// Who signed: the leaf certificate's key, or the trusted keys a key hint allows.
struct Signer {
  std::optional<crypto::Certificate> leaf;
  std::vector<crypto::Certificate> presented; // after the leaf, untrusted
  std::vector<std::pair<std::size_t, crypto::PublicKey>> keys; // (index in policy.keys, key)
};

Result<Signer> resolve_signer(const SignedMaterial& m, const SigstorePolicy& policy)
{
  Signer s;
  if (!m.certificates.empty()) {
    SIGIL_TRY_ASSIGN(auto leaf, crypto::Certificate::from_der(m.certificates.front()));
    for (std::size_t i = 1; i < m.certificates.size(); ++i) {
      SIGIL_TRY_ASSIGN(auto c, crypto::Certificate::from_der(m.certificates[i]));
      s.presented.push_back(std::move(c));
    }
    SIGIL_TRY_ASSIGN(auto key, leaf.public_key());
    s.keys.emplace_back(0, std::move(key));
    s.leaf = std::move(leaf);
    return s;
  }
  if (policy.keys.empty()) {
    return fail(ErrorCode::usage, "the signature was made with a key, not a certificate: pass --key PUBLIC_KEY");
  }
  for (std::size_t i = 0; i < policy.keys.size(); ++i) {
    s.keys.emplace_back(i, policy.keys[i].key);
  }
  return s;
}

bool verify_with(const crypto::PublicKey& key, const MessageContent& msg)
{
  if (crypto::verify_digest(key, msg.algorithm, msg.digest, msg.signature)) {
    return true;
  }
  // cosign 2.x signs with SHA-256 for every ECDSA curve; the digest must then be SHA-256.
  return false;
}

// The signature over the exact signed bytes; returns the index (into Signer::keys) that verified.
Result<std::size_t> verify_signature(const SignedMaterial& m, const Signer& signer)
{
  for (std::size_t i = 0; i < signer.keys.size(); ++i) {
    const auto& key = signer.keys[i].second;
    if (const auto* msg = std::get_if<MessageContent>(&m.content)) {
      if (verify_with(key, *msg)) {
        return i;
      }
      continue;
    }
    const auto& env = std::get<dsse::Envelope>(m.content);
    const auto pae = dsse::pae(env.payload_type, env.payload);
    if (crypto::verify_message(key, pae, env.signatures.front().sig)) {
      return i;
    }
  }
  const bool dsse_content = std::holds_alternative<dsse::Envelope>(m.content);
  return fail(ErrorCode::none_verified,
              fmt::format("signature: the {} signature does not verify with the {}", dsse_content ? "DSSE" : "message",
                          signer.leaf ? "certificate's key" : "trusted key(s)"));
}

Result<void> check_artifact(const SignedMaterial& m, const std::optional<ArtifactDigest>& artifact)
{
  if (const auto* msg = std::get_if<MessageContent>(&m.content)) {
    if (!artifact) {
      return fail(ErrorCode::usage, "a message signature needs the artifact (a file or sha256:HEX)");
    }
    if (artifact->algorithm != msg->algorithm || artifact->digest != msg->digest) {
      return reject("artifact", fmt::format("the artifact's digest {}:{} is not the signed one {}:{}",
                                            crypto::hash_name(artifact->algorithm), util::hex_encode(artifact->digest),
                                            crypto::hash_name(msg->algorithm), util::hex_encode(msg->digest)));
    }
    return {};
  }
  const auto& env = std::get<dsse::Envelope>(m.content);
  if (!artifact) {
    return {};
  }
  const auto hex = util::hex_encode(artifact->digest);
  if (env.payload_type == "application/vnd.in-toto+json") {
    auto statement = intoto::parse_statement(
      std::string_view{reinterpret_cast<const char*>(env.payload.data()), env.payload.size()});
    if (!statement) {
      return reject("artifact", fmt::format("the DSSE payload is not an in-toto statement ({})", statement.error().message));
    }
    if (!intoto::has_subject_digest(*statement, crypto::hash_name(artifact->algorithm), hex)) {
      return reject("artifact", fmt::format("no subject of the statement has digest {}:{}",
                                            crypto::hash_name(artifact->algorithm), hex));
    }
    return {};
  }
  if (crypto::hash(artifact->algorithm, env.payload) != artifact->digest) {
    return reject("artifact", "the DSSE payload is not the artifact");
  }
  return {};
}

std::string hex_id(const util::Bytes& id)
{
  return util::hex_encode(id);
}

std::string when(std::int64_t unix_seconds)
{
  return util::rfc3339_utc(std::chrono::system_clock::time_point{std::chrono::seconds{unix_seconds}});
}

} // namespace

// --- log entries ------------------------------------------------------------------------------
namespace {

// The public key (PKIX DER) a logged verifier stands for: a certificate's, or the key itself.
util::Bytes logged_key(util::ByteView logged)
{
  if (auto cert = crypto::Certificate::from_der(logged)) {
    if (auto key = cert->public_key()) {
      return key->der();
    }
  }
  return util::Bytes(logged.begin(), logged.end());
}

// The entry names the signer: the same certificate for keyless material; for key-signed
// material the same key, or a certificate for that key (sigstore-js logs one).
Result<void> same_verifier(const tlog::BodyClaims& body, util::ByteView logged, const Signer& signer, std::size_t key)
{
  const bool same = signer.leaf ? std::ranges::equal(logged, signer.leaf->der())
                                : logged_key(logged) == signer.keys[key].second.der();
  if (!same) {
    return reject("transparency log", fmt::format("the {} entry was made with another {}", body.kind,
                                                  signer.leaf ? "certificate" : "key"));
  }
  return {};
}

Result<void> check_message_body(const tlog::BodyClaims& body, const MessageContent& msg, const Signer& signer,
                                std::size_t key)
{
  if (body.kind != "hashedrekord") {
    return reject("transparency log", fmt::format("a {} entry cannot log a message signature", body.kind));
  }
  if (!body.signature || *body.signature != msg.signature) {
    return reject("transparency log", "the entry logs another signature");
  }
  if (!body.artifact_digest || body.artifact_digest->first != msg.algorithm || body.artifact_digest->second != msg.digest) {
    return reject("transparency log", "the entry is about another artifact (its digest differs)");
  }
  if (!body.verifier_der) {
    return reject("transparency log", "the entry names no certificate or key");
  }
  return same_verifier(body, *body.verifier_der, signer, key);
}

Result<void> check_dsse_signatures(const tlog::BodyClaims& body, const dsse::Envelope& env, const Signer& signer,
                                   std::size_t key)
{
  const auto& sig = env.signatures.front().sig;
  for (const auto& [logged_sig, verifier] : body.dsse_signatures) {
    if (logged_sig == sig) {
      return same_verifier(body, verifier, signer, key);
    }
  }
  return reject("transparency log", "the entry logs other DSSE signatures than the envelope's");
}

Result<void> check_dsse_body(const tlog::BodyClaims& body, const dsse::Envelope& env, const Signer& signer,
                             std::size_t key)
{
  if (body.kind == "hashedrekord") { // Rekor v2: DSSE logged as hashedrekord over the PAE
    const auto pae = dsse::pae(env.payload_type, env.payload);
    const MessageContent as_message{crypto::HashAlgorithm::sha256, crypto::hash(crypto::HashAlgorithm::sha256, pae),
                                    env.signatures.front().sig};
    return check_message_body(body, as_message, signer, key);
  }
  if (body.kind == "dsse" && body.version == "0.0.2") {
    // Rekor v2 logs DSSE as hashedrekord 0.0.2 over the PAE and refuses dsse entries (the 2026
    // rule of the public log; sigstore-java rejects them too).
    return reject("transparency log", "a Rekor v2 dsse 0.0.2 entry is not accepted for a DSSE envelope (Rekor v2 logs "
                                      "DSSE as hashedrekord 0.0.2 over the PAE)");
  }
  if (body.kind != "dsse" && body.kind != "intoto") {
    return reject("transparency log", fmt::format("a {} entry cannot log a DSSE envelope", body.kind));
  }
  if (!body.payload_hash || *body.payload_hash != crypto::hash(crypto::HashAlgorithm::sha256, env.payload)) {
    return reject("transparency log", "the entry's payload hash is not the envelope's payload");
  }
  return check_dsse_signatures(body, env, signer, key);
}

Result<void> check_body(const tlog::Entry& entry, const SignedMaterial& m, const Signer& signer, std::size_t key)
{
  auto body = tlog::parse_body(entry.canonicalized_body);
  if (!body) {
    return reject("transparency log", body.error().message);
  }
  if (body->kind != entry.kind || body->version != entry.version) {
    return reject("transparency log", fmt::format("the entry says {} {} but its body is {} {}", entry.kind,
                                                  entry.version, body->kind, body->version));
  }
  if (const auto* msg = std::get_if<MessageContent>(&m.content)) {
    return check_message_body(*body, *msg, signer, key);
  }
  return check_dsse_body(*body, std::get<dsse::Envelope>(m.content), signer, key);
}

struct EntryContext {
  const SignedMaterial& material;
  const Signer& signer;
  std::size_t key;
  const SigstorePolicy& policy;
  std::int64_t now;
  std::vector<const trust::TransparencyLog*>& v2_logs; // checked against the verified times later
};

// Rekor v2 by what was logged (the body, covered by the inclusion proof and checked against
// kindVersion), never by the unsigned integratedTime: hashedrekord and dsse 0.0.2.
bool is_v2(const tlog::Entry& e)
{
  return (e.kind == "hashedrekord" || e.kind == "dsse") && e.version == "0.0.2";
}

// A failed log check is a signature that did not verify (exit 12), whatever code the log
// layer gave it.
Result<void> log_check(Result<void> result)
{
  if (!result) {
    return reject("transparency log", result.error().message);
  }
  return {};
}

// A Rekor v1 checkpoint's origin is "<log name> - <tree id>" (the name is not always the host
// of the log's URL: private deployments name it after the pod); its signature is found by the
// log key's hint. Anything else is not a v1 checkpoint.
Result<void> check_v1_origin(const tlog::Entry& e, const trust::TransparencyLog& log)
{
  auto checkpoint = tlog::parse_checkpoint(*e.inclusion_proof->checkpoint);
  if (!checkpoint) {
    return reject("transparency log", checkpoint.error().message);
  }
  const auto& origin = checkpoint->origin;
  if (!tlog::has_rekor_v1_origin(origin)) {
    return reject("transparency log", fmt::format("the checkpoint's origin {} is not a Rekor v1 origin (NAME - TREE_ID) "
                                                  "for the v1 log {}",
                                                  origin, log.origin()));
  }
  return {};
}

// Rekor v1: the log key valid at the integrated time; SET (required in v0.1 bundles) makes that
// time a verified one; the inclusion proof (required from v0.2 on) ends in a signed checkpoint.
Result<std::optional<TimeSource>> verify_v1_entry(const tlog::Entry& e, const trust::TransparencyLog& log,
                                                  const EntryContext& ctx)
{
  if (!e.integrated_time) {
    return reject("transparency log", fmt::format("the {} {} entry (Rekor v1) has no integrated time", e.kind, e.version));
  }
  const auto t = *e.integrated_time;
  if (t > ctx.now + k_clock_skew) {
    return fail(ErrorCode::none_verified, fmt::format("transparency log: the entry's integrated time {} is in the "
                                                      "future",
                                                      when(t)));
  }
  if (!log.valid_for.contains(t)) {
    return fail(ErrorCode::none_verified,
                fmt::format("transparency log: the key of {} was not valid at the integrated time {}", log.base_url,
                            when(t)));
  }
  std::optional<TimeSource> time;
  if (e.signed_entry_timestamp) {
    SIGIL_TRY(log_check(tlog::verify_set(e, *log.key)));
    // A log from SIGSTORE_REKOR_PUBLIC_KEY has no URL: name it by its key id.
    time = TimeSource{"transparency log (SET)", t,
                      log.base_url.empty() ? "log key " + hex_id(log.key_id).substr(0, 16) : log.base_url};
  } else if (ctx.material.bundle_minor_version == 1 || ctx.material.bundle_minor_version == 0) {
    return reject("transparency log", "the entry has no signed entry timestamp (SET)");
  }
  if (e.inclusion_proof) {
    SIGIL_TRY(log_check(tlog::verify_inclusion_with_checkpoint(e, *log.key, "")));
    if (e.inclusion_proof->checkpoint) {
      SIGIL_TRY(check_v1_origin(e, log));
    }
  } else if (ctx.material.bundle_minor_version >= 2) {
    return reject("transparency log", "the entry has no inclusion proof (required from bundle v0.2 on)");
  }
  return time;
}

Result<void> verify_v2_entry(const tlog::Entry& e, const trust::TransparencyLog& log)
{
  if (!e.inclusion_proof) {
    return reject("transparency log", "the Rekor v2 entry has no inclusion proof");
  }
  SIGIL_TRY(log_check(tlog::verify_inclusion_with_checkpoint(e, *log.key, log.origin())));
  return {};
}

Result<std::optional<TimeSource>> verify_entry_with(const tlog::Entry& e, const trust::TransparencyLog& log,
                                                    const EntryContext& ctx)
{
  if (!log.key) {
    return reject("transparency log", fmt::format("the key of {} is of an unsupported type ({})", log.base_url,
                                                  log.key_details));
  }
  if (is_v2(e)) {
    SIGIL_TRY(verify_v2_entry(e, log));
    ctx.v2_logs.push_back(&log);
    return std::optional<TimeSource>{};
  }
  return verify_v1_entry(e, log, ctx);
}

Result<std::optional<TimeSource>> verify_entry(const tlog::Entry& e, const EntryContext& ctx)
{
  SIGIL_TRY(check_body(e, ctx.material, ctx.signer, ctx.key));
  const auto logs = ctx.policy.root->tlogs_by_key_id(e.log_id);
  if (logs.empty()) {
    return reject("transparency log", fmt::format("the entry is from a log that is not in the trusted root (log id {})",
                                                  hex_id(e.log_id)));
  }
  std::optional<Error> first;
  for (const auto* log : logs) {
    auto r = verify_entry_with(e, *log, ctx);
    if (r) {
      return r;
    }
    first = first ? first : r.error();
  }
  return fail(*first);
}

Result<void> verify_entries(const EntryContext& ctx, SigstoreVerified& out)
{
  const auto& entries = ctx.material.entries;
  if (entries.empty() && ctx.policy.tlog_threshold > 0) {
    return reject("transparency log", "the signature has no transparency log entry (pass --insecure-ignore-tlog "
                                      "only for material that was never logged)");
  }
  std::set<std::pair<util::Bytes, std::uint64_t>> seen;
  for (const auto& e : entries) {
    if (!seen.emplace(e.log_id, e.log_index).second) {
      return reject("transparency log", fmt::format("entry {} of log {} is listed twice", e.log_index, hex_id(e.log_id)));
    }
    SIGIL_TRY_ASSIGN(auto time, verify_entry(e, ctx));
    if (time) {
      out.times.push_back(std::move(*time));
    }
    out.log_indexes.push_back(e.log_index);
  }
  if (entries.size() < ctx.policy.tlog_threshold) {
    return reject("transparency log", fmt::format("{} verified entries, {} required", entries.size(),
                                                  ctx.policy.tlog_threshold));
  }
  return {};
}

} // namespace

// --- timestamps, certificate ------------------------------------------------------------------
namespace {

const util::Bytes& signature_bytes(const SignedMaterial& m)
{
  if (const auto* msg = std::get_if<MessageContent>(&m.content)) {
    return msg->signature;
  }
  return std::get<dsse::Envelope>(m.content).signatures.front().sig;
}

Result<void> verify_timestamps(const SignedMaterial& m, const SigstorePolicy& policy, SigstoreVerified& out)
{
  std::set<util::Bytes> seen;
  std::size_t verified = 0;
  for (const auto& der : m.timestamps) {
    if (!seen.insert(der).second) {
      return reject("timestamp", "the same RFC 3161 timestamp is listed twice (duplicate)");
    }
    // A timestamp that does not verify is no time source (sigstore-go and sigstore-python count
    // the ones that do); the verified ones must then all fall in the certificate's validity.
    auto token = crypto::parse_timestamp_response_or_token(der);
    if (!token) {
      out.notes.push_back(fmt::format("an RFC 3161 timestamp was not used: {}", token.error().message));
      continue;
    }
    auto time = trust::verify_timestamp(*policy.root, *token, m.timestamped ? *m.timestamped : signature_bytes(m));
    if (!time && time.error().code == ErrorCode::bad_input) {
      return fail(time.error()); // a certificate of the trusted root that does not parse
    }
    if (!time) {
      out.notes.push_back(fmt::format("an RFC 3161 timestamp was not used: {}", time.error().message));
      continue;
    }
    out.times.push_back(TimeSource{"timestamp authority", *time, token->tsa_name});
    ++verified;
  }
  if (verified < policy.timestamp_threshold) {
    return reject("timestamp", fmt::format("{} verified RFC 3161 timestamps, {} required", verified,
                                           policy.timestamp_threshold));
  }
  return {};
}

Result<void> verify_certificate(const Signer& signer, const SigstorePolicy& policy, SigstoreVerified& out)
{
  const auto& leaf = *signer.leaf;
  std::vector<std::int64_t> times;
  for (const auto& t : out.times) {
    times.push_back(t.time);
  }
  if (times.empty()) {
    if (!policy.ignore_tlog) {
      std::string why = "no verified signing time (no SET from a trusted log, no RFC 3161 timestamp from a trusted TSA)";
      for (const auto& note : out.notes) {
        why += "; " + note;
      }
      return reject("signing time", why);
    }
    times.push_back(leaf.not_before());
    out.notes.emplace_back("no verified signing time: the certificate chain was checked at its own notBefore "
                           "(--insecure-ignore-tlog)");
  }
  std::ranges::sort(times);
  times.erase(std::unique(times.begin(), times.end()), times.end());
  std::optional<trust::ChainResult> chain;
  for (const auto t : times) {
    auto c = trust::verify_certificate_chain(*policy.root, leaf, signer.presented, t);
    if (!c && c.error().code == ErrorCode::bad_input) {
      return fail(c.error()); // a certificate of the trusted root that does not parse
    }
    if (!c) {
      return reject("certificate", c.error().message);
    }
    chain = std::move(*c);
  }
  out.certificate_authority = chain->ca != nullptr ? chain->ca->uri : std::string{};
  if (policy.ignore_sct) {
    out.notes.emplace_back("the certificate's SCT was not checked (--insecure-ignore-sct)");
  } else if (auto sct = trust::verify_embedded_sct(*policy.root, *chain); !sct) {
    return reject("certificate transparency", sct.error().message);
  }
  auto id = keyless::match_identity(policy.identity, leaf);
  if (!id) {
    return reject("identity", id.error().message);
  }
  out.identity = std::move(*id);
  return {};
}

// A Rekor v2 entry carries no time of its own: its log's key must have been valid at every
// verified (timestamp authority) time.
Result<void> check_v2_log_windows(const std::vector<const trust::TransparencyLog*>& logs, const SigstoreVerified& out)
{
  for (const auto* log : logs) {
    for (const auto& t : out.times) {
      if (!log->valid_for.contains(t.time)) {
        return reject("transparency log", fmt::format("the key of {} was not valid at the signing time {}",
                                                      log->base_url, when(t.time)));
      }
    }
  }
  return {};
}

Result<void> check_request(const SignedMaterial& m, const SigstorePolicy& policy)
{
  if (const auto* env = std::get_if<dsse::Envelope>(&m.content); env != nullptr && env->signatures.size() != 1) {
    return reject("signature", fmt::format("the DSSE envelope has {} signatures (exactly one expected)",
                                           env->signatures.size()));
  }
  if (policy.root == nullptr && (!m.certificates.empty() || !policy.ignore_tlog || !m.timestamps.empty())) {
    return fail(ErrorCode::usage, "no trusted root: pass --trusted-root FILE (a Sigstore trusted_root.json) or set "
                                  "SIGSTORE_ROOT_FILE and SIGSTORE_REKOR_PUBLIC_KEY");
  }
  if (!m.certificates.empty() && !policy.identity.complete()) {
    return fail(ErrorCode::usage, "keyless verification needs --certificate-identity (or -regexp) and "
                                  "--certificate-oidc-issuer (or -regexp), or --gitlab-project");
  }
  return {};
}

} // namespace

Result<SignedMaterial> material_from_bundle(const bundle::Bundle& bundle)
{
  SignedMaterial m;
  m.format = fmt::format("sigstore-bundle v0.{}", bundle.minor_version);
  m.bundle_minor_version = bundle.minor_version;
  m.certificates = bundle.certificates;
  m.key_hint = bundle.public_key_hint;
  m.timestamps = bundle.rfc3161_timestamps;
  for (const auto& j : bundle.tlog_entry_json) {
    auto entry = tlog::parse_bundle_entry(j);
    if (!entry) {
      return fail(entry.error().context("malformed bundle: transparency log entry"));
    }
    m.entries.push_back(std::move(*entry));
  }
  if (const auto* ms = std::get_if<bundle::MessageSignature>(&bundle.content)) {
    m.content = MessageContent{ms->digest_algorithm, ms->digest, ms->signature};
  } else {
    m.content = std::get<bundle::DsseEnvelope>(bundle.content);
  }
  return m;
}

Result<SignedMaterial> material_from_legacy_bundle(const bundle::LegacyBundle& legacy, crypto::HashAlgorithm alg,
                                                   util::Bytes artifact_digest)
{
  SignedMaterial m;
  m.format = "cosign-bundle";
  if (legacy.cert) {
    auto pem = util::base64_decode(*legacy.cert);
    if (!pem) {
      return fail(ErrorCode::bad_input, "malformed bundle: cert is not base64 of a PEM certificate");
    }
    auto chain = crypto::Certificate::chain_from_pem(
      std::string_view{reinterpret_cast<const char*>(pem->data()), pem->size()});
    if (!chain) {
      return fail(chain.error().context("malformed bundle: cert"));
    }
    for (const auto& c : *chain) {
      m.certificates.push_back(c.der());
    }
  }
  if (legacy.rekor_bundle) {
    auto entry = tlog::parse_cosign_rekor_bundle(*legacy.rekor_bundle);
    if (!entry) {
      return fail(entry.error().context("malformed bundle: rekorBundle"));
    }
    m.entries.push_back(std::move(*entry));
  }
  m.content = MessageContent{alg, std::move(artifact_digest), legacy.signature};
  return m;
}

Result<SigstoreVerified> verify_sigstore(const SignedMaterial& material, const std::optional<ArtifactDigest>& artifact,
                                         const SigstorePolicy& policy)
{
  SIGIL_TRY(check_request(material, policy));
  SIGIL_TRY_ASSIGN(auto signer, resolve_signer(material, policy));
  auto prewarm = signer.leaf && policy.root != nullptr ? trust::prewarm_certificate_chain(*policy.root, *signer.leaf)
                                                       : trust::ChainPrewarm{};
  SIGIL_TRY_ASSIGN(const auto key, verify_signature(material, signer));
  SigstoreVerified out;
  std::vector<const trust::TransparencyLog*> v2_logs;
  if (!signer.leaf) {
    out.matched_key = signer.keys[key].first;
  }
  const auto now = policy.now != 0 ? policy.now
                                   : std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  if (policy.ignore_tlog) {
    out.notes.emplace_back("transparency log entries were NOT checked (--insecure-ignore-tlog)");
  } else {
    SIGIL_TRY(verify_entries(EntryContext{material, signer, key, policy, now, v2_logs}, out));
  }
  if (!material.timestamps.empty() || policy.timestamp_threshold > 0) {
    SIGIL_TRY(verify_timestamps(material, policy, out));
  }
  SIGIL_TRY(check_v2_log_windows(v2_logs, out));
  if (signer.leaf) {
    if (!policy.ignore_sct) {
      trust::prewarm_embedded_sct(*policy.root, *signer.leaf); // while the chain thread works
    }
    prewarm.wait(); // its verified path, if any, is reused below
    SIGIL_TRY(verify_certificate(signer, policy, out));
  }
  // Last, so that a wrong artifact is reported as such only when everything else holds.
  SIGIL_TRY(check_artifact(material, artifact));
  return out;
}

} // namespace sigil::verify
