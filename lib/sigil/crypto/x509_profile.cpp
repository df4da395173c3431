// The Sigstore X.509 profile checks of x509.hpp (cert_is_ca, cert_is_root_ca, cert_is_leaf),
// with sigstore-python's rules (sigstore/_utils.py): an inconsistent certificate is an error.
#include "sigil/crypto/openssl.hpp"
#include "sigil/crypto/x509.hpp"

#include <fmt/format.h>
#include <openssl/x509v3.h>

namespace sigil::crypto {

namespace {

struct BasicConstraintsDeleter {
  void operator()(BASIC_CONSTRAINTS* p) const { BASIC_CONSTRAINTS_free(p); }
};
struct BitStringDeleter {
  void operator()(ASN1_BIT_STRING* p) const { ASN1_BIT_STRING_free(p); }
};
struct EkuDeleter {
  void operator()(EXTENDED_KEY_USAGE* p) const { EXTENDED_KEY_USAGE_free(p); }
};

constexpr int k_ku_digital_signature = 0;
constexpr int k_ku_key_cert_sign = 5;

std::unexpected<Error> invalid(std::string_view what)
{
  return fail(ErrorCode::bad_input, fmt::format("invalid X.509 certificate: {}", what));
}

Result<void> require_v3(const Certificate& cert)
{
  const long version = X509_get_version(cert.native());
  if (version != X509_VERSION_3) {
    return invalid(fmt::format("version {}, expected 3", version + 1));
  }
  return {};
}

// The decoded extension; nullptr when absent. Error when present but malformed or repeated.
template <typename T>
Result<T*> extension(const Certificate& cert, int nid, int* critical, std::string_view name)
{
  int crit = -1;
  void* value = X509_get_ext_d2i(cert.native(), nid, &crit, nullptr);
  clear_openssl_errors();
  if (value == nullptr && crit == -1) {
    return static_cast<T*>(nullptr);
  }
  if (value == nullptr) {
    return invalid(fmt::format("{} {}", crit == -2 ? "repeated" : "malformed", name));
  }
  if (critical != nullptr) {
    *critical = crit;
  }
  return static_cast<T*>(value);
}

Result<bool> key_usage_bit(const Certificate& cert, int bit)
{
  SIGIL_TRY_ASSIGN(auto* raw, extension<ASN1_BIT_STRING>(cert, NID_key_usage, nullptr, "KeyUsage"));
  std::unique_ptr<ASN1_BIT_STRING, BitStringDeleter> usage(raw);
  if (!usage) {
    return invalid("missing KeyUsage");
  }
  return ASN1_BIT_STRING_get_bit(usage.get(), bit) == 1;
}

} // namespace

Result<bool> cert_is_ca(const Certificate& cert)
{
  SIGIL_TRY(require_v3(cert));
  int critical = 0;
  SIGIL_TRY_ASSIGN(auto* raw, extension<BASIC_CONSTRAINTS>(cert, NID_basic_constraints, &critical,
                                                           "BasicConstraints"));
  std::unique_ptr<BASIC_CONSTRAINTS, BasicConstraintsDeleter> constraints(raw);
  if (!constraints) {
    return false;
  }
  if (critical != 1) {
    return invalid("non-critical BasicConstraints in CA");
  }
  const bool ca = constraints->ca != 0;
  SIGIL_TRY_ASSIGN(const bool key_cert_sign, key_usage_bit(cert, k_ku_key_cert_sign));
  if (ca && key_cert_sign) {
    return true;
  }
  if (!ca && !key_cert_sign) {
    return false;
  }
  return invalid(fmt::format("inconsistent states: KeyUsage.keyCertSign={}, BasicConstraints.ca={}", key_cert_sign,
                             ca));
}

Result<bool> cert_is_root_ca(const Certificate& cert)
{
  SIGIL_TRY_ASSIGN(const bool ca, cert_is_ca(cert));
  return ca && is_self_signed(cert);
}

Result<bool> cert_is_leaf(const Certificate& cert)
{
  SIGIL_TRY_ASSIGN(const bool ca, cert_is_ca(cert));
  if (ca) {
    return false;
  }
  SIGIL_TRY_ASSIGN(const bool digital_signature, key_usage_bit(cert, k_ku_digital_signature));
  if (!digital_signature) {
    return invalid("KeyUsage lacks digitalSignature, which a Sigstore leaf needs");
  }
  SIGIL_TRY_ASSIGN(auto* raw, extension<EXTENDED_KEY_USAGE>(cert, NID_ext_key_usage, nullptr,
                                                            "ExtendedKeyUsage"));
  std::unique_ptr<EXTENDED_KEY_USAGE, EkuDeleter> eku(raw);
  if (!eku) {
    return invalid("missing ExtendedKeyUsage");
  }
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), i)) == NID_code_sign) {
      return true;
    }
  }
  return false;
}

} // namespace sigil::crypto
