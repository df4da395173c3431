#include "sigil/crypto/x509.hpp"

#include "sigil/crypto/openssl.hpp"
#include "sigil/util/pem.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <array>
#include <ctime>

namespace sigil::crypto {

namespace {

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct ObjectDeleter {
  void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
};
struct Utf8StringDeleter {
  void operator()(ASN1_UTF8STRING* p) const { ASN1_UTF8STRING_free(p); }
};

std::string asn1_string_text(const ASN1_STRING* s)
{
  if (s == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s))};
}

// IPv4 dotted quad or IPv6 as eight hex groups (uncompressed: for messages and matching only).
std::string ip_text(const ASN1_OCTET_STRING* ip)
{
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  const int len = ASN1_STRING_length(ip);
  if (len == 4) {
    return fmt::format("{}.{}.{}.{}", p[0], p[1], p[2], p[3]);
  }
  std::string out;
  for (int i = 0; i + 1 < len; i += 2) {
    out += fmt::format("{}{:x}", out.empty() ? "" : ":", (p[i] << 8) | p[i + 1]);
  }
  return out;
}

enum class SanKind { email, uri, other };

std::vector<std::string> san_values(X509* x509, SanKind kind)
{
  std::vector<std::string> out;
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x509, NID_subject_alt_name, nullptr, nullptr)));
  clear_openssl_errors();
  if (!names) {
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    switch (name->type) {
    case GEN_EMAIL:
      if (kind == SanKind::email) {
        out.push_back(asn1_string_text(name->d.rfc822Name));
      }
      break;
    case GEN_URI:
      if (kind == SanKind::uri) {
        out.push_back(asn1_string_text(name->d.uniformResourceIdentifier));
      }
      break;
    case GEN_DNS:
      if (kind == SanKind::other) {
        out.push_back(asn1_string_text(name->d.dNSName));
      }
      break;
    case GEN_IPADD:
      if (kind == SanKind::other) {
        out.push_back(ip_text(name->d.iPAddress));
      }
      break;
    case GEN_OTHERNAME: {
      const ASN1_TYPE* value = name->d.otherName->value;
      if (kind == SanKind::other && value != nullptr &&
          (value->type == V_ASN1_UTF8STRING || value->type == V_ASN1_IA5STRING ||
           value->type == V_ASN1_PRINTABLESTRING)) {
        out.push_back(asn1_string_text(value->value.asn1_string));
      }
      break;
    }
    default:
      break;
    }
  }
  return out;
}

std::string name_text(const X509_NAME* name)
{
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) {
    return {};
  }
  constexpr unsigned long flags = ASN1_STRFLGS_RFC2253 | XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN;
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) {
    clear_openssl_errors();
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

// Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view s)
{
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > s.size()) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    constexpr std::array<std::uint32_t, 5> min_for_len{0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

// The DER of an extension value that must be exactly one UTF8String.
Result<std::string> decode_utf8_string(const ASN1_OCTET_STRING* value)
{
  const unsigned char* p = ASN1_STRING_get0_data(value);
  const long len = ASN1_STRING_length(value);
  const unsigned char* start = p;
  std::unique_ptr<ASN1_UTF8STRING, Utf8StringDeleter> s(d2i_ASN1_UTF8STRING(nullptr, &p, len));
  clear_openssl_errors();
  if (!s || p != start + len) {
    return fail(ErrorCode::bad_input, "not a DER UTF8String");
  }
  std::string text = asn1_string_text(s.get());
  if (!valid_utf8(text)) {
    return fail(ErrorCode::bad_input, "UTF8String holds invalid UTF-8");
  }
  return text;
}

Result<Certificate> certificate_from_block(const util::PemBlock& block)
{
  if (block.type != "CERTIFICATE") {
    return fail(ErrorCode::bad_input, fmt::format("expected a CERTIFICATE PEM block, found \"{}\"", block.type));
  }
  return Certificate::from_der(block.der.view());
}

} // namespace

Result<std::int64_t> asn1_time_to_unix(const ASN1_TIME* time)
{
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    clear_openssl_errors();
    return fail(ErrorCode::bad_input, "malformed certificate time");
  }
  const auto seconds = util::unix_seconds_utc(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                              static_cast<unsigned>(tm.tm_mday), static_cast<unsigned>(tm.tm_hour),
                                              static_cast<unsigned>(tm.tm_min), static_cast<unsigned>(tm.tm_sec));
  if (!seconds) {
    return fail(ErrorCode::bad_input, "malformed certificate time");
  }
  return *seconds;
}

namespace {

// Certificates parsed in this process, by their DER. A keyless `sigil verify` of many images
// signed in one `sign` call meets the same Fulcio leaf and chain on every image; OpenSSL 3.0's
// decoder is slow, so each is parsed once. Parsed certificates are immutable (shared X509).
class ParsedCertificates {
public:
  std::optional<Certificate> find(util::ByteView der)
  {
    const std::lock_guard lock(m_mutex);
    const auto it = m_parsed.find(util::Bytes(der.begin(), der.end()));
    return it == m_parsed.end() ? std::nullopt : std::optional<Certificate>(it->second);
  }
  void add(const Certificate& cert)
  {
    const std::lock_guard lock(m_mutex);
    if (m_parsed.size() >= k_max_parsed) {
      m_parsed.clear(); // bounded memory, not an eviction policy
    }
    m_parsed.insert_or_assign(cert.der(), cert);
  }

private:
  static constexpr std::size_t k_max_parsed = 256;
  std::mutex m_mutex;
  std::map<util::Bytes, Certificate> m_parsed;
};

ParsedCertificates& parsed_certificates()
{
  static ParsedCertificates parsed;
  return parsed;
}

} // namespace

Result<Certificate> Certificate::from_der(util::ByteView der)
{
  if (auto known = parsed_certificates().find(der)) {
    return std::move(*known);
  }
  SIGIL_TRY_ASSIGN(auto cert, parse_der(der));
  parsed_certificates().add(cert);
  return cert;
}

Result<Certificate> Certificate::parse_der(util::ByteView der)
{
  if (der.empty()) {
    return fail(ErrorCode::bad_input, "certificate is empty");
  }
  if (der.size() > k_max_certificate_size) {
    return fail(ErrorCode::bad_input,
                fmt::format("certificate is {} bytes, more than the limit of {}", der.size(), k_max_certificate_size));
  }
  const unsigned char* p = der.data();
  std::shared_ptr<X509> x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  if (!x509) {
    return openssl_fail(ErrorCode::bad_input, "invalid certificate");
  }
  if (p != der.data() + der.size()) {
    return fail(ErrorCode::bad_input, "invalid certificate: trailing bytes after the DER");
  }
  return adopt(std::move(x509), util::Bytes(der.begin(), der.end()));
}

Result<Certificate> Certificate::adopt(std::shared_ptr<X509> x509, util::Bytes der)
{
  auto not_before = asn1_time_to_unix(X509_get0_notBefore(x509.get()));
  auto not_after = asn1_time_to_unix(X509_get0_notAfter(x509.get()));
  if (!not_before || !not_after) {
    return fail(ErrorCode::bad_input, "invalid certificate: malformed validity");
  }
  // Computes the extension cache now; a malformed extension is not fatal here (the views
  // below then find nothing), but chain verification refuses such a certificate.
  (void)X509_get_extension_flags(x509.get());
  clear_openssl_errors();
  return Certificate(std::move(x509), std::move(der), *not_before, *not_after);
}

Result<Certificate> Certificate::from_native(X509* x509)
{
  unsigned char* buf = nullptr;
  const int len = x509 == nullptr ? 0 : i2d_X509(x509, &buf); // the bytes it was decoded from
  if (len <= 0) {
    return openssl_fail(ErrorCode::bad_input, "invalid certificate");
  }
  util::Bytes der(buf, buf + len);
  OPENSSL_free(buf);
  if (der.size() > k_max_certificate_size) {
    return fail(ErrorCode::bad_input,
                fmt::format("certificate is {} bytes, more than the limit of {}", der.size(), k_max_certificate_size));
  }
  if (auto known = parsed_certificates().find(der)) {
    return std::move(*known);
  }
  X509_up_ref(x509);
  SIGIL_TRY_ASSIGN(auto cert, adopt(std::shared_ptr<X509>(x509, X509_free), std::move(der)));
  parsed_certificates().add(cert);
  return cert;
}

Result<Certificate> Certificate::from_pem(std::string_view pem)
{
  SIGIL_TRY_ASSIGN(auto blocks, util::parse_pem(pem));
  if (blocks.size() != 1) {
    return fail(ErrorCode::bad_input, fmt::format("expected one certificate, found {} PEM blocks", blocks.size()));
  }
  return certificate_from_block(blocks.front());
}

Result<std::vector<Certificate>> Certificate::chain_from_pem(std::string_view pem)
{
  SIGIL_TRY_ASSIGN(auto blocks, util::parse_pem(pem));
  if (blocks.size() > k_max_chain_certificates) {
    return fail(ErrorCode::bad_input, fmt::format("certificate chain has {} PEM blocks, more than the limit of {}",
                                                  blocks.size(), k_max_chain_certificates));
  }
  std::vector<Certificate> out;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    auto cert = certificate_from_block(blocks[i]);
    if (!cert) {
      return fail(cert.error().context(fmt::format("certificate {} of the chain", i + 1)));
    }
    out.push_back(std::move(*cert));
  }
  return out;
}

Result<PublicKey> Certificate::public_key() const
{
  unsigned char* buf = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(m_x509.get()), &buf);
  if (len <= 0) {
    return openssl_fail(ErrorCode::bad_input, "certificate public key");
  }
  util::Bytes spki(buf, buf + len);
  OPENSSL_free(buf);
  auto key = PublicKey::from_der(spki);
  if (!key) {
    return with_context(key, "certificate public key");
  }
  return key;
}

std::vector<std::string> Certificate::san_emails() const
{
  return san_values(m_x509.get(), SanKind::email);
}

std::vector<std::string> Certificate::san_uris() const
{
  return san_values(m_x509.get(), SanKind::uri);
}

std::vector<std::string> Certificate::san_others() const
{
  return san_values(m_x509.get(), SanKind::other);
}

Result<std::optional<std::string>> Certificate::fulcio_extension(int n) const
{
  if (n < 1 || n > 1000) {
    return fail(ErrorCode::usage, fmt::format("no Fulcio extension number {}", n));
  }
  const std::string oid = fmt::format("1.3.6.1.4.1.57264.1.{}", n);
  std::unique_ptr<ASN1_OBJECT, ObjectDeleter> object(OBJ_txt2obj(oid.c_str(), 1));
  if (!object) {
    return openssl_fail(ErrorCode::internal, oid);
  }
  const int index = X509_get_ext_by_OBJ(m_x509.get(), object.get(), -1);
  if (index < 0) {
    return std::optional<std::string>{};
  }
  if (X509_get_ext_by_OBJ(m_x509.get(), object.get(), index) >= 0) {
    return fail(ErrorCode::bad_input, fmt::format("certificate extension {} appears more than once", oid));
  }
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(m_x509.get(), index));
  if (n < 8) {
    return std::optional<std::string>{asn1_string_text(value)};
  }
  auto text = decode_utf8_string(value);
  if (!text) {
    return fail(text.error().context(fmt::format("certificate extension {}", oid)));
  }
  return std::optional<std::string>{std::move(*text)};
}

bool Certificate::is_ca() const
{
  return (X509_get_extension_flags(m_x509.get()) & EXFLAG_CA) != 0;
}

std::string Certificate::subject_text() const
{
  return name_text(X509_get_subject_name(m_x509.get()));
}

std::string Certificate::issuer_text() const
{
  return name_text(X509_get_issuer_name(m_x509.get()));
}

bool is_self_signed(const Certificate& cert)
{
  X509* x = cert.native();
  if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) != 0) {
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(x);
  const bool ok = key != nullptr && X509_verify(x, key) == 1;
  clear_openssl_errors();
  return ok;
}

bool is_self_issued_root(const Certificate& cert)
{
  const bool ss = (X509_get_extension_flags(cert.native()) & EXFLAG_SS) != 0;
  clear_openssl_errors();
  return ss;
}

} // namespace sigil::crypto
