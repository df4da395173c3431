// CertificateChain (trusted_root.hpp): an authority's certificates, decoded on first use.
#include "sigil/trust/trusted_root.hpp"

#include <fmt/format.h>

#include <mutex>

namespace sigil::trust {

struct CertificateChain::State {
  std::vector<util::Bytes> der;
  std::string where;
  std::once_flag once;
  bool decoded = false; // set before sharing when built from certificates
  Result<std::vector<crypto::Certificate>> certs;
};

CertificateChain::CertificateChain(std::vector<crypto::Certificate> certs) : m_state(std::make_shared<State>())
{
  for (const auto& cert : certs) {
    m_state->der.push_back(cert.der());
  }
  m_state->certs = std::move(certs);
  m_state->decoded = true;
}

CertificateChain CertificateChain::from_der(std::vector<util::Bytes> der, std::string where)
{
  CertificateChain chain;
  chain.m_state = std::make_shared<State>();
  chain.m_state->der = std::move(der);
  chain.m_state->where = std::move(where);
  return chain;
}

std::size_t CertificateChain::size() const
{
  return m_state ? m_state->der.size() : 0;
}

const std::vector<util::Bytes>& CertificateChain::der() const
{
  static const std::vector<util::Bytes> none;
  return m_state ? m_state->der : none;
}

void CertificateChain::set_where(std::string where)
{
  if (m_state) {
    m_state->where = std::move(where);
  }
}

Result<std::span<const crypto::Certificate>> CertificateChain::certificates() const
{
  if (!m_state) {
    return std::span<const crypto::Certificate>();
  }
  State& s = *m_state;
  std::call_once(s.once, [&s] {
    if (s.decoded) {
      return;
    }
    std::vector<crypto::Certificate> out;
    for (std::size_t i = 0; i < s.der.size(); ++i) {
      auto cert = crypto::Certificate::from_der(s.der[i]);
      if (!cert) {
        const Error e = cert.error().context(fmt::format("certificate {}", i));
        s.certs = fail(s.where.empty() ? e : e.context(s.where));
        return;
      }
      out.push_back(std::move(*cert));
    }
    s.certs = std::move(out);
  });
  if (!s.certs) {
    return fail(s.certs.error());
  }
  return std::span<const crypto::Certificate>(*s.certs);
}

Result<void> check_certificates(const TrustedRoot& root)
{
  for (const auto* list : {&root.certificate_authorities, &root.timestamp_authorities}) {
    for (const auto& ca : *list) {
      SIGIL_TRY(ca.chain.certificates());
    }
  }
  return {};
}

} // namespace sigil::trust
