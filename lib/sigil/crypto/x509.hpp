// sigil::crypto X.509 certificates: parsing and the read-only views keyless verification needs.
//
// A Certificate owns one parsed X509 (shared, immutable) and the exact DER it came from. Every
// factory refuses trailing bytes and malformed validity times, so the accessors below cannot
// fail later; nothing here throws, whatever the input.
//
// Fulcio's certificate extensions (OID 1.3.6.1.4.1.57264.1.N, "docs/oid-info.md" of
// sigstore/fulcio): N 1..7 are deprecated and hold the raw value bytes (1 = OIDC issuer);
// N >= 8 hold a DER UTF8String (8 = OIDC issuer v2, 9 = build signer URI, ...).
//
// The classification helpers at the end follow sigstore-python's sigstore/_utils.py
// (cert_is_ca, cert_is_root_ca, cert_is_leaf): an inconsistent certificate is an error, not
// false. Chain verification at a given time is in x509_verify.hpp.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/util/bytes.hpp"

#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::crypto {

// A certificate larger than this is refused (Fulcio's are ~1 KiB; chains hold a few).
constexpr std::size_t k_max_certificate_size = 64 * 1024;
// At most this many certificates in one PEM chain.
constexpr std::size_t k_max_chain_certificates = 32;

class Certificate {
public:
  [[nodiscard]] static Result<Certificate> from_der(util::ByteView der);
  // A certificate OpenSSL already decoded (from a CMS structure, say): shared, not decoded
  // again (OpenSSL 3.0 decodes a certificate's key through its slow provider decoders).
  [[nodiscard]] static Result<Certificate> from_native(X509* x509);
  // Exactly one CERTIFICATE block.
  [[nodiscard]] static Result<Certificate> from_pem(std::string_view pem);
  // One or more CERTIFICATE blocks, in order; a block of another type is an error.
  [[nodiscard]] static Result<std::vector<Certificate>> chain_from_pem(std::string_view pem);

  [[nodiscard]] const util::Bytes& der() const { return m_der; }
  [[nodiscard]] Result<PublicKey> public_key() const;
  [[nodiscard]] std::int64_t not_before() const { return m_not_before; } // Unix seconds
  [[nodiscard]] std::int64_t not_after() const { return m_not_after; }   // inclusive
  // Subject alternative names by kind, in certificate order. san_others holds otherName
  // values that are strings (Fulcio's "username" SAN, OID 1.3.6.1.4.1.57264.1.7), DNS names
  // and IP addresses as text.
  [[nodiscard]] std::vector<std::string> san_emails() const;
  [[nodiscard]] std::vector<std::string> san_uris() const;
  [[nodiscard]] std::vector<std::string> san_others() const;
  // Fulcio extension 1.3.6.1.4.1.57264.1.n: nullopt when absent. For n >= 8 the value must be
  // a well-formed DER UTF8String (decoded); for n 1..7 the raw bytes. Errors: n < 1, the
  // extension present twice, a malformed n >= 8 value.
  [[nodiscard]] Result<std::optional<std::string>> fulcio_extension(int n) const;
  [[nodiscard]] bool is_ca() const; // basicConstraints CA:TRUE
  // One line, RFC 2253 escaping, in certificate order: "O=sigstore.dev, CN=sigstore".
  [[nodiscard]] std::string subject_text() const;
  [[nodiscard]] std::string issuer_text() const;
  [[nodiscard]] bool same_as(const Certificate& other) const { return m_der == other.m_der; }
  [[nodiscard]] X509* native() const { return m_x509.get(); }

private:
  [[nodiscard]] static Result<Certificate> parse_der(util::ByteView der);
  [[nodiscard]] static Result<Certificate> adopt(std::shared_ptr<X509> x509, util::Bytes der);
  Certificate(std::shared_ptr<X509> x509, util::Bytes der, std::int64_t not_before, std::int64_t not_after)
      : m_x509(std::move(x509)), m_der(std::move(der)), m_not_before(not_before), m_not_after(not_after)
  {
  }
  std::shared_ptr<X509> m_x509;
  util::Bytes m_der;
  std::int64_t m_not_before = 0;
  std::int64_t m_not_after = 0;
};

// ASN1_TIME (UTCTime or GeneralizedTime) -> Unix seconds.
[[nodiscard]] Result<std::int64_t> asn1_time_to_unix(const ASN1_TIME* time);

// sigstore-python's classification (errors are bad_input "invalid X.509 certificate: ..."):
//   cert_is_ca: false without basicConstraints; error when basicConstraints is not critical,
//     when keyUsage is missing, or when CA:TRUE and keyCertSign disagree; error for non-v3.
//   cert_is_root_ca: cert_is_ca, and issued and signed by itself.
//   cert_is_leaf: not a CA (errors of cert_is_ca included); error when keyUsage lacks
//     digitalSignature or extendedKeyUsage is missing; true when the EKU includes codeSigning.
[[nodiscard]] Result<bool> cert_is_ca(const Certificate& cert);
[[nodiscard]] Result<bool> cert_is_root_ca(const Certificate& cert);
[[nodiscard]] Result<bool> cert_is_leaf(const Certificate& cert);

// Issued and signed by itself (subject == issuer and its own key verifies its signature).
[[nodiscard]] bool is_self_signed(const Certificate& cert);
// What OpenSSL's chain building takes for a self-signed root (EXFLAG_SS: subject == issuer, the
// authority key identifier, when present, names its own key, the signature algorithm fits that
// key), without verifying the signature: enough to decide whether a trust anchor needs
// X509_V_FLAG_PARTIAL_CHAIN, since OpenSSL never checks a trust anchor's own signature. Saves a
// signature verification (~1 ms for P-384) per chain.
[[nodiscard]] bool is_self_issued_root(const Certificate& cert);

} // namespace sigil::crypto
