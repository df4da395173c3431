#include "sigil/trust/verify.hpp"

#include "sigil/crypto/x509_verify.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::trust {

namespace {

std::string authority_name(const CertificateAuthority& ca)
{
  if (!ca.uri.empty()) {
    return ca.uri;
  }
  const auto chain = ca.chain.certificates();
  const std::string subject = !chain || chain->empty() ? std::string() : chain->back().subject_text();
  return subject.empty() ? std::string("(unnamed authority)") : subject;
}

std::string validity_text(const Validity& v)
{
  return fmt::format("{} to {}", v.start ? util::rfc3339_utc(*v.start) : std::string("(no start)"),
                     v.end ? util::rfc3339_utc(*v.end) : std::string("(no end)"));
}

// "reason" for one attempt, or "a: reason; b: reason" for several.
std::string join_reasons(const std::vector<std::string>& reasons)
{
  std::string out;
  for (const auto& r : reasons) {
    out += (out.empty() ? "" : "; ") + r;
  }
  return out;
}

std::string log_id_text(util::ByteView id)
{
  return util::base64_encode(id);
}

std::string ct_log_name(const TrustedRoot& root, util::ByteView log_id)
{
  const auto logs = root.ctlogs_by_key_id(log_id);
  return logs.empty() || logs.front()->base_url.empty() ? log_id_text(log_id) : logs.front()->base_url;
}

// The CT log keys of the root, in its order (check_embedded_scts keeps its outcomes by them).
std::vector<crypto::CtLogKey> ct_log_keys(const TrustedRoot& root)
{
  std::vector<crypto::CtLogKey> keys;
  for (const auto& log : root.ctlogs) {
    if (log.key) {
      keys.push_back({log.key_id, *log.key});
    }
  }
  return keys;
}

// A verified SCT counts when one ctlog of that id has the SCT's time in its validFor.
bool sct_in_window(const TrustedRoot& root, const crypto::EmbeddedSct& sct)
{
  const std::int64_t seconds = sct.timestamp_ms / 1000;
  const auto logs = root.ctlogs_by_key_id(sct.log_id);
  return std::ranges::any_of(logs, [&](const TransparencyLog* log) { return log->valid_for.contains(seconds); });
}

Result<std::int64_t> verify_with_authority(const CertificateAuthority& ca, std::span<const crypto::Certificate> chain,
                                           const crypto::TimestampToken& token)
{
  if (chain.empty()) {
    return fail(ErrorCode::none_verified, "authority lists no certificate");
  }
  crypto::TimestampAuthorityChain authority;
  authority.anchor = &chain.back();
  std::size_t first = 0;
  if (chain.size() > 1 && !chain.front().is_ca()) {
    authority.tsa_leaf = &chain.front();
    first = 1;
  }
  if (chain.size() > first + 1) {
    authority.intermediates = chain.subspan(first, chain.size() - 1 - first);
  }
  SIGIL_TRY(crypto::verify_timestamp_signature(token, authority));
  if (!ca.valid_for.contains(token.time)) {
    return fail(ErrorCode::none_verified,
                fmt::format("timestamp time {} is outside the authority's validity ({})", util::rfc3339_utc(token.time),
                            validity_text(ca.valid_for)));
  }
  return token.time;
}

} // namespace

Result<ChainResult> verify_certificate_chain(const TrustedRoot& root, const crypto::Certificate& leaf,
                                             std::span<const crypto::Certificate> presented, std::int64_t at_time)
{
  (void)presented; // never trusted, never used for the path: see verify.hpp
  if (leaf.is_ca()) {
    return fail(ErrorCode::none_verified, "the signing certificate is a CA certificate, not a leaf");
  }
  if (root.certificate_authorities.empty()) {
    return fail(ErrorCode::none_verified, "the trusted root has no certificate authority");
  }
  // A certificate of an authority in use (trusted at this time) that does not parse is an
  // error (bad_input), as loading the root reported it before certificates were decoded on
  // use: every such authority is decoded before any is tried, so the answer does not depend
  // on the order the root lists them in.
  for (const auto& ca : root.certificate_authorities) {
    if (!ca.chain.empty() && ca.valid_for.contains(at_time)) {
      SIGIL_TRY(ca.chain.certificates());
    }
  }
  std::vector<std::string> reasons;
  for (const auto& ca : root.certificate_authorities) {
    if (ca.chain.empty()) {
      reasons.push_back(fmt::format("{}: lists no certificate", authority_name(ca)));
      continue;
    }
    if (!ca.valid_for.contains(at_time)) {
      reasons.push_back(fmt::format("{}: not trusted at {} (validFor {})", authority_name(ca),
                                    util::rfc3339_utc(at_time), validity_text(ca.valid_for)));
      continue;
    }
    SIGIL_TRY_ASSIGN(const auto chain, ca.chain.certificates());
    auto path = crypto::verify_code_signing_chain(
        {.leaf = leaf, .intermediates = chain.first(chain.size() - 1), .anchor = chain.back(), .at_time = at_time});
    if (path) {
      return ChainResult{&ca, std::move(*path)};
    }
    reasons.push_back(fmt::format("{}: {}", authority_name(ca), path.error().message));
  }
  return fail(ErrorCode::none_verified,
              fmt::format("certificate does not chain to a certificate authority of the trusted root at {}: {}",
                          util::rfc3339_utc(at_time), join_reasons(reasons)));
}

ChainPrewarm prewarm_certificate_chain(const TrustedRoot& root, const crypto::Certificate& leaf)
{
  const std::int64_t at = leaf.not_before();
  std::vector<std::span<const crypto::Certificate>> todo; // decoded chains: they outlive the root's copies
  for (const auto& ca : root.certificate_authorities) {
    if (ca.chain.empty() || !ca.valid_for.contains(at)) {
      continue;
    }
    const auto chain = ca.chain.certificates();
    if (!chain || chain->empty()) {
      continue; // verify_certificate_chain reports it
    }
    if (crypto::code_signing_chain_known(
            {.leaf = leaf, .intermediates = chain->first(chain->size() - 1), .anchor = chain->back(), .at_time = at})) {
      return {};
    }
    todo.push_back(*chain);
  }
  if (todo.empty() || std::thread::hardware_concurrency() < 2 || leaf.is_ca()) {
    return {};
  }
  return ChainPrewarm(std::thread([todo = std::move(todo), &leaf, at] {
    try {
      for (const auto chain : todo) {
        if (crypto::verify_code_signing_chain(
                {.leaf = leaf, .intermediates = chain.first(chain.size() - 1), .anchor = chain.back(), .at_time = at})) {
          return;
        }
      }
    } catch (...) { // NOLINT(bugprone-empty-catch): only a cache is lost; the caller verifies
    }
  }));
}

void prewarm_embedded_sct(const TrustedRoot& root, const crypto::Certificate& leaf)
{
  const std::int64_t at = leaf.not_before();
  const auto keys = ct_log_keys(root);
  for (const auto& ca : root.certificate_authorities) {
    if (ca.chain.empty() || !ca.valid_for.contains(at)) {
      continue;
    }
    if (const auto chain = ca.chain.certificates(); chain && !chain->empty()) {
      (void)crypto::check_embedded_scts(leaf, chain->front(), keys); // kept by check_embedded_scts
    }
  }
}

Result<void> verify_embedded_sct(const TrustedRoot& root, const ChainResult& chain)
{
  if (chain.path.size() < 2) {
    return fail(ErrorCode::none_verified, "SCT check needs the certificate's issuer, and the path has none");
  }
  SIGIL_TRY_ASSIGN(const auto scts, crypto::check_embedded_scts(chain.path[0], chain.path[1], ct_log_keys(root)));
  std::vector<std::string> reasons;
  for (const auto& sct : scts) {
    switch (sct.status) {
    case crypto::SctStatus::valid:
      if (sct_in_window(root, sct)) {
        return {};
      }
      reasons.push_back(fmt::format("SCT of {} is outside the validity of CT log {}",
                                    util::rfc3339_utc(sct.timestamp_ms / 1000), ct_log_name(root, sct.log_id)));
      break;
    case crypto::SctStatus::unknown_log:
      reasons.push_back(fmt::format("SCT from an unknown CT log (log id {})", log_id_text(sct.log_id)));
      break;
    case crypto::SctStatus::invalid_signature:
      reasons.push_back(fmt::format("SCT signature invalid (log id {})", log_id_text(sct.log_id)));
      break;
    case crypto::SctStatus::unsupported_version:
      reasons.push_back(fmt::format("SCT of an unsupported version (log id {})", log_id_text(sct.log_id)));
      break;
    }
  }
  return fail(ErrorCode::none_verified, fmt::format("no valid embedded SCT: {}", join_reasons(reasons)));
}

Result<std::int64_t> verify_timestamp(const TrustedRoot& root, const crypto::TimestampToken& token,
                                      util::ByteView signed_bytes)
{
  if (root.timestamp_authorities.empty()) {
    return fail(ErrorCode::none_verified, "the trusted root has no timestamp authority");
  }
  // Every authority's certificates first (an error, as in verify_certificate_chain), so that
  // the answer does not depend on the order of the list.
  for (const auto& ca : root.timestamp_authorities) {
    SIGIL_TRY(ca.chain.certificates());
  }
  std::vector<std::string> reasons;
  for (const auto& ca : root.timestamp_authorities) {
    SIGIL_TRY_ASSIGN(const auto chain, ca.chain.certificates());
    auto time = verify_with_authority(ca, chain, token);
    if (!time) {
      reasons.push_back(fmt::format("{}: {}", authority_name(ca), time.error().message));
      continue;
    }
    SIGIL_TRY(crypto::check_timestamp_imprint(token, signed_bytes));
    return *time;
  }
  return fail(ErrorCode::none_verified,
              fmt::format("timestamp of {} does not verify under a timestamp authority of the trusted root: {}",
                          util::rfc3339_utc(token.time), join_reasons(reasons)));
}

} // namespace sigil::trust
