// trusted_root_from_cosign_env (trusted_root.hpp): a TrustedRoot from cosign's
// private-deployment environment variables.
#include "sigil/core/env.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/trust/trusted_root.hpp"
#include "sigil/util/file.hpp"

#include <fmt/format.h>

namespace sigil::trust {

namespace {

// PEM files named by these variables are small; a larger one is not what was meant.
constexpr std::uint64_t k_max_pem_file_size = 1024 * 1024;

std::optional<std::string> configured(std::string_view variable)
{
  auto value = core::env::get(variable);
  if (!value || value->empty()) {
    return std::nullopt;
  }
  return value;
}

Result<std::string> read_pem_file(const std::string& path, std::string_view what)
{
  auto text = util::read_file(path, k_max_pem_file_size);
  if (!text) {
    return fail(text.error().context(fmt::format("reading {} {}", what, path)));
  }
  return text;
}

Result<TransparencyLog> log_from_pem_file(const std::string& path, std::string_view what)
{
  SIGIL_TRY_ASSIGN(const auto pem, read_pem_file(path, what));
  auto key = crypto::PublicKey::from_pem(pem);
  if (!key) {
    return fail(key.error().context(fmt::format("{} {}", what, path)));
  }
  return log_for_key(*key, "", Validity{});
}

Result<std::vector<crypto::Certificate>> chain_from_pem_file(const std::string& path, std::string_view what)
{
  SIGIL_TRY_ASSIGN(const auto pem, read_pem_file(path, what));
  auto chain = crypto::Certificate::chain_from_pem(pem);
  if (!chain) {
    return fail(chain.error().context(fmt::format("{} {}", what, path)));
  }
  return chain;
}

// cosign pools the file's self-signed certificates as roots and the others as intermediates;
// here each root becomes an authority listing every intermediate before it.
Result<std::vector<CertificateAuthority>> fulcio_authorities(const std::string& path)
{
  SIGIL_TRY_ASSIGN(const auto certs, chain_from_pem_file(path, "SIGSTORE_ROOT_FILE"));
  std::vector<crypto::Certificate> intermediates;
  std::vector<crypto::Certificate> roots;
  for (const auto& cert : certs) {
    (crypto::is_self_signed(cert) ? roots : intermediates).push_back(cert);
  }
  if (roots.empty()) {
    return fail(ErrorCode::bad_input,
                fmt::format("SIGSTORE_ROOT_FILE {}: no root (self-signed) certificate in the file", path));
  }
  std::vector<CertificateAuthority> out;
  for (const auto& root : roots) {
    CertificateAuthority ca;
    auto chain = intermediates;
    chain.push_back(root);
    ca.chain = std::move(chain);
    out.push_back(std::move(ca));
  }
  return out;
}

} // namespace

Result<std::optional<TrustedRoot>> trusted_root_from_cosign_env(const std::optional<std::string>& tsa_chain_path)
{
  const auto root_file = configured("SIGSTORE_ROOT_FILE");
  const auto rekor_key = configured("SIGSTORE_REKOR_PUBLIC_KEY");
  const auto ct_key = configured("SIGSTORE_CT_LOG_PUBLIC_KEY_FILE");
  const bool flag = tsa_chain_path && !tsa_chain_path->empty();
  const auto tsa = flag ? tsa_chain_path : configured("SIGSTORE_TSA_CERTIFICATE_FILE");
  if (!root_file && !rekor_key && !ct_key && !tsa) {
    return std::optional<TrustedRoot>{};
  }
  TrustedRoot root;
  root.media_type = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
  if (root_file) {
    SIGIL_TRY_ASSIGN(root.certificate_authorities, fulcio_authorities(*root_file));
  }
  if (rekor_key) {
    SIGIL_TRY_ASSIGN(auto log, log_from_pem_file(*rekor_key, "SIGSTORE_REKOR_PUBLIC_KEY"));
    root.tlogs.push_back(std::move(log));
  }
  if (ct_key) {
    SIGIL_TRY_ASSIGN(auto log, log_from_pem_file(*ct_key, "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE"));
    root.ctlogs.push_back(std::move(log));
  }
  if (tsa) {
    CertificateAuthority authority;
    SIGIL_TRY_ASSIGN(auto chain, chain_from_pem_file(*tsa, flag ? "timestamp certificate chain"
                                                               : "SIGSTORE_TSA_CERTIFICATE_FILE"));
    authority.chain = std::move(chain);
    root.timestamp_authorities.push_back(std::move(authority));
  }
  return std::optional<TrustedRoot>{std::move(root)};
}

} // namespace sigil::trust
