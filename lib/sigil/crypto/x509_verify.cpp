#include "sigil/crypto/x509_verify.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/openssl.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>
#include <openssl/ct.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace sigil::crypto {

namespace {

struct StoreDeleter {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct StoreCtxDeleter {
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * p) const { sk_X509_free(p); }
};
struct SctListDeleter {
  void operator()(STACK_OF(SCT) * p) const { SCT_LIST_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};

std::string describe(const Certificate& cert)
{
  const std::string subject = cert.subject_text();
  return fmt::format("certificate \"{}\" issued by \"{}\", valid {} to {}", subject.empty() ? "(no subject)" : subject,
                     cert.issuer_text(), util::rfc3339_utc(cert.not_before()), util::rfc3339_utc(cert.not_after()));
}

std::string chain_error_text(X509_STORE_CTX* ctx, const CodeSigningChainRequest& request)
{
  const int error = X509_STORE_CTX_get_error(ctx);
  X509* current = X509_STORE_CTX_get_current_cert(ctx);
  std::string what;
  switch (error) {
  case X509_V_ERR_CERT_HAS_EXPIRED:
    what = "certificate had expired at that time";
    break;
  case X509_V_ERR_CERT_NOT_YET_VALID:
    what = "certificate was not yet valid at that time";
    break;
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
  case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    what = "unknown issuer: no path to the certificate authority";
    break;
  default:
    what = X509_verify_cert_error_string(error);
    break;
  }
  std::string cert_text;
  if (current != nullptr) {
    unsigned char* buf = nullptr;
    const int len = i2d_X509(current, &buf);
    if (len > 0) {
      const util::Bytes der(buf, buf + len);
      if (auto cert = Certificate::from_der(der)) {
        cert_text = fmt::format(" ({})", describe(*cert));
      }
    }
    OPENSSL_free(buf);
  }
  clear_openssl_errors();
  return fmt::format("certificate chain invalid at {}: {}{}", util::rfc3339_utc(request.at_time), what, cert_text);
}

// The certificate among the request's for a chain element (no re-encoding in the usual case).
Result<Certificate> as_certificate(X509* x509, const CodeSigningChainRequest& request)
{
  if (X509_cmp(x509, request.leaf.native()) == 0) {
    return request.leaf;
  }
  if (X509_cmp(x509, request.anchor.native()) == 0) {
    return request.anchor;
  }
  for (const auto& cert : request.intermediates) {
    if (X509_cmp(x509, cert.native()) == 0) {
      return cert;
    }
  }
  unsigned char* buf = nullptr;
  const int len = i2d_X509(x509, &buf);
  if (len <= 0) {
    return openssl_fail(ErrorCode::internal, "encoding a chain certificate");
  }
  const util::Bytes der(buf, buf + len);
  OPENSSL_free(buf);
  return Certificate::from_der(der);
}

Result<void> check_code_signing_usage(const std::vector<Certificate>& path)
{
  const auto leaf_flags = X509_get_extension_flags(path.front().native());
  if ((leaf_flags & EXFLAG_XKUSAGE) == 0 || (X509_get_extended_key_usage(path.front().native()) & XKU_CODE_SIGN) == 0) {
    return fail(ErrorCode::none_verified, "certificate is not for code signing (extendedKeyUsage lacks codeSigning)");
  }
  for (std::size_t i = 1; i < path.size(); ++i) {
    X509* issuer = path[i].native();
    if ((X509_get_extension_flags(issuer) & EXFLAG_XKUSAGE) != 0 &&
        (X509_get_extended_key_usage(issuer) & (XKU_CODE_SIGN | XKU_ANYEKU)) == 0) {
      return fail(ErrorCode::none_verified,
                  fmt::format("issuer \"{}\" does not allow code signing (extendedKeyUsage)", path[i].subject_text()));
    }
  }
  return {};
}

void put_be(util::Bytes& out, std::uint64_t value, int bytes)
{
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<std::uint8_t>((value >> (8 * i)) & 0xFF));
  }
}

// The leaf's TBSCertificate as the log signed it: without the SCT list (and poison) extension.
Result<util::Bytes> precert_tbs(const Certificate& leaf)
{
  std::unique_ptr<X509, X509Deleter> copy(X509_dup(leaf.native()));
  if (!copy) {
    return openssl_fail(ErrorCode::internal, "copying the certificate");
  }
  for (const int nid : {NID_ct_precert_scts, NID_ct_precert_poison}) {
    int index = -1;
    while ((index = X509_get_ext_by_NID(copy.get(), nid, -1)) >= 0) {
      X509_EXTENSION_free(X509_delete_ext(copy.get(), index));
    }
  }
  unsigned char* buf = nullptr;
  const int len = i2d_re_X509_tbs(copy.get(), &buf);
  if (len <= 0) {
    return openssl_fail(ErrorCode::bad_input, "encoding the precertificate TBSCertificate");
  }
  util::Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Result<util::Bytes> key_hash(const Certificate& issuer)
{
  unsigned char* buf = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer.native()), &buf);
  if (len <= 0) {
    return openssl_fail(ErrorCode::bad_input, "issuer public key");
  }
  const util::Bytes spki(buf, buf + len);
  OPENSSL_free(buf);
  return sha256(spki);
}

// RFC 6962 §3.2 digitally-signed data of a precert_entry SCT.
util::Bytes sct_signed_data(SCT* sct, util::ByteView issuer_key_hash, util::ByteView tbs)
{
  util::Bytes out;
  out.push_back(0); // sct_version v1
  out.push_back(0); // signature_type certificate_timestamp
  put_be(out, SCT_get_timestamp(sct), 8);
  put_be(out, 1, 2); // entry_type precert_entry
  out.insert(out.end(), issuer_key_hash.begin(), issuer_key_hash.end());
  put_be(out, tbs.size(), 3);
  out.insert(out.end(), tbs.begin(), tbs.end());
  unsigned char* ext = nullptr;
  const std::size_t ext_len = SCT_get0_extensions(sct, &ext);
  put_be(out, ext_len, 2);
  if (ext_len > 0) {
    out.insert(out.end(), ext, ext + ext_len);
  }
  return out;
}

SctStatus check_one_sct(SCT* sct, util::ByteView signed_data, const CtLogKey& log)
{
  const int nid = SCT_get_signature_nid(sct);
  if (nid != NID_ecdsa_with_SHA256 && nid != NID_sha256WithRSAEncryption) {
    return SctStatus::invalid_signature;
  }
  unsigned char* sig = nullptr;
  const std::size_t sig_len = SCT_get0_signature(sct, &sig);
  const bool ok = verify_digest(log.key, HashAlgorithm::sha256, sha256(signed_data), util::ByteView(sig, sig_len));
  clear_openssl_errors();
  return ok ? SctStatus::valid : SctStatus::invalid_signature;
}

// Paths verified in this process, by the SHA-256 of leaf, intermediates and anchor. Of what
// verify_code_signing_chain decides, only the validity of each certificate depends on the time
// (signatures, basicConstraints, path lengths, critical extensions and key usages do not), so a
// path verified once is reused for another time when every certificate of it is valid at that
// time; otherwise the full verification runs again (and says why it fails). Only successes are
// kept. `sigil verify` of many images signed by one keyless `sign` call (one certificate), or a
// bundle with both a log time and a timestamp, pays the chain's signature checks (three P-384
// verifications on Sigstore's public instance, ~1 ms each) once.
class VerifiedPaths {
public:
  std::optional<std::vector<Certificate>> find(const util::Bytes& key, std::int64_t at_time)
  {
    const std::lock_guard lock(m_mutex);
    const auto it = m_paths.find(key);
    if (it == m_paths.end()) {
      return std::nullopt;
    }
    for (const auto& cert : it->second) {
      if (at_time < cert.not_before() || at_time > cert.not_after()) {
        return std::nullopt;
      }
    }
    return it->second;
  }
  void add(util::Bytes key, const std::vector<Certificate>& path)
  {
    const std::lock_guard lock(m_mutex);
    if (m_paths.size() >= k_max_paths) {
      m_paths.clear(); // a bounded memory, not an eviction policy: a run meets few chains
    }
    m_paths.insert_or_assign(std::move(key), path);
  }
  // One lock per path: threads verifying the same path (the first images of a `sigil verify`
  // signed with one certificate, each on its worker) wait for the first one instead of
  // repeating its signature checks; other paths go on in parallel.
  std::shared_ptr<std::mutex> path_lock(const util::Bytes& key)
  {
    const std::lock_guard lock(m_mutex);
    if (m_locks.size() >= k_max_paths) {
      m_locks.clear(); // holders keep theirs alive; a path may then be verified twice, never wrongly
    }
    auto& slot = m_locks[key];
    if (!slot) {
      slot = std::make_shared<std::mutex>();
    }
    return slot;
  }

private:
  static constexpr std::size_t k_max_paths = 256;
  std::mutex m_mutex;
  std::map<util::Bytes, std::vector<Certificate>> m_paths;
  std::map<util::Bytes, std::shared_ptr<std::mutex>> m_locks;
};

VerifiedPaths& verified_paths()
{
  static VerifiedPaths paths;
  return paths;
}

util::Bytes path_key(const CodeSigningChainRequest& request)
{
  util::Bytes all;
  const auto add = [&all](const Certificate& cert) {
    put_be(all, cert.der().size(), 4);
    all.insert(all.end(), cert.der().begin(), cert.der().end());
  };
  add(request.leaf);
  for (const auto& cert : request.intermediates) {
    add(cert);
  }
  add(request.anchor);
  return sha256(all);
}

} // namespace

bool code_signing_chain_known(const CodeSigningChainRequest& request)
{
  return verified_paths().find(path_key(request), request.at_time).has_value();
}

Result<std::vector<Certificate>> verify_code_signing_chain(const CodeSigningChainRequest& request)
{
  auto key = path_key(request);
  if (auto cached = verified_paths().find(key, request.at_time)) {
    return std::move(*cached);
  }
  const auto path_lock = verified_paths().path_lock(key);
  const std::lock_guard verifying(*path_lock);
  if (auto cached = verified_paths().find(key, request.at_time)) {
    return std::move(*cached);
  }
  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> ctx(X509_STORE_CTX_new());
  std::unique_ptr<STACK_OF(X509), X509StackDeleter> untrusted(sk_X509_new_null());
  if (!store || !ctx || !untrusted || X509_STORE_add_cert(store.get(), request.anchor.native()) != 1) {
    return openssl_fail(ErrorCode::internal, "certificate trust store");
  }
  for (const auto& cert : request.intermediates) {
    sk_X509_push(untrusted.get(), cert.native());
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), request.leaf.native(), untrusted.get()) != 1) {
    return openssl_fail(ErrorCode::internal, "certificate verification context");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(request.at_time)); // sets USE_CHECK_TIME
  if (!is_self_issued_root(request.anchor)) {
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    return fail(ErrorCode::none_verified, chain_error_text(ctx.get(), request));
  }
  std::vector<Certificate> path;
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    SIGIL_TRY_ASSIGN(auto cert, as_certificate(sk_X509_value(chain, i), request));
    path.push_back(std::move(cert));
  }
  if (path.empty()) {
    return fail(ErrorCode::internal, "certificate verification returned an empty chain");
  }
  SIGIL_TRY(check_code_signing_usage(path));
  verified_paths().add(std::move(key), path);
  return path;
}

namespace {

// SCT checks done in this process: the outcome depends only on the leaf, its issuer and the
// logs' keys, so many images signed with one Fulcio certificate check its SCT once.
class CheckedScts {
public:
  std::optional<std::vector<EmbeddedSct>> find(const util::Bytes& key)
  {
    const std::lock_guard lock(m_mutex);
    const auto it = m_checked.find(key);
    return it == m_checked.end() ? std::nullopt : std::optional(it->second);
  }
  void add(util::Bytes key, const std::vector<EmbeddedSct>& scts)
  {
    const std::lock_guard lock(m_mutex);
    if (m_checked.size() >= k_max_checked) {
      m_checked.clear();
    }
    m_checked.insert_or_assign(std::move(key), scts);
  }

private:
  static constexpr std::size_t k_max_checked = 256;
  std::mutex m_mutex;
  std::map<util::Bytes, std::vector<EmbeddedSct>> m_checked;
};

CheckedScts& checked_scts()
{
  static CheckedScts checked;
  return checked;
}

util::Bytes sct_key(const Certificate& leaf, const Certificate& issuer, std::span<const CtLogKey> logs)
{
  util::Bytes all;
  const auto add = [&all](util::ByteView bytes) {
    put_be(all, bytes.size(), 4);
    all.insert(all.end(), bytes.begin(), bytes.end());
  };
  add(leaf.der());
  add(issuer.der());
  for (const auto& log : logs) {
    add(log.log_id);
    add(log.key.der());
  }
  return sha256(all);
}

Result<std::vector<EmbeddedSct>> check_embedded_scts_uncached(const Certificate& leaf, const Certificate& issuer,
                                                              std::span<const CtLogKey> logs);

} // namespace

Result<std::vector<EmbeddedSct>> check_embedded_scts(const Certificate& leaf, const Certificate& issuer,
                                                     std::span<const CtLogKey> logs)
{
  auto key = sct_key(leaf, issuer, logs);
  if (auto known = checked_scts().find(key)) {
    return std::move(*known);
  }
  SIGIL_TRY_ASSIGN(auto scts, check_embedded_scts_uncached(leaf, issuer, logs));
  checked_scts().add(std::move(key), scts);
  return scts;
}

namespace {

Result<std::vector<EmbeddedSct>> check_embedded_scts_uncached(const Certificate& leaf, const Certificate& issuer,
                                                              std::span<const CtLogKey> logs)
{
  int critical = -1;
  std::unique_ptr<STACK_OF(SCT), SctListDeleter> scts(
      static_cast<STACK_OF(SCT)*>(X509_get_ext_d2i(leaf.native(), NID_ct_precert_scts, &critical, nullptr)));
  clear_openssl_errors();
  if (!scts && critical != -1) {
    return fail(ErrorCode::bad_input, "malformed embedded SCT list");
  }
  if (!scts || sk_SCT_num(scts.get()) == 0) {
    return fail(ErrorCode::none_verified, "no embedded SCT");
  }
  SIGIL_TRY_ASSIGN(const auto tbs, precert_tbs(leaf));
  SIGIL_TRY_ASSIGN(const auto issuer_hash, key_hash(issuer));
  std::vector<EmbeddedSct> out;
  for (int i = 0; i < sk_SCT_num(scts.get()); ++i) {
    SCT* sct = sk_SCT_value(scts.get(), i);
    unsigned char* id = nullptr;
    const std::size_t id_len = SCT_get0_log_id(sct, &id);
    EmbeddedSct result{util::Bytes(id, id + id_len), static_cast<std::int64_t>(SCT_get_timestamp(sct) & INT64_MAX),
                       SctStatus::unknown_log};
    const auto log = std::ranges::find_if(logs, [&](const CtLogKey& l) { return l.log_id == result.log_id; });
    if (SCT_get_version(sct) != SCT_VERSION_V1) {
      result.status = SctStatus::unsupported_version;
    } else if (log != logs.end()) {
      result.status = check_one_sct(sct, sct_signed_data(sct, issuer_hash, tbs), *log);
    }
    out.push_back(std::move(result));
  }
  return out;
}

} // namespace

} // namespace sigil::crypto
