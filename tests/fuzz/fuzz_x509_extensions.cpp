// Fuzz target: X.509 certificates in DER and what keyless verification reads from them
// (sigil::crypto::Certificate: validity, SANs, Fulcio extensions, basicConstraints, names; the
// sigstore-python classification; the embedded SCT list) and PEM chains.
//
// Invariants:
//   * errors are bad_input (usage for a Fulcio extension number out of range);
//   * a certificate that parses keeps exactly the input as der(), and parsing der() again gives
//     the same certificate;
//   * a Fulcio extension n >= 8 that decodes is valid UTF-8 text; no view throws or crashes;
//   * the SCT check against no logs never reports a valid SCT.
#include "fuzz.hpp"

#include "sigil/crypto/x509.hpp"
#include "sigil/crypto/x509_verify.hpp"

#include <algorithm>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const sigil::util::ByteView der(data, size);
  auto chain = sigil::crypto::Certificate::chain_from_pem(sigil::fuzz::as_text(data, size));
  SIGIL_FUZZ_CHECK(chain.has_value() || chain.error().code == sigil::ErrorCode::bad_input);
  auto cert = sigil::crypto::Certificate::from_der(der);
  if (!cert) {
    SIGIL_FUZZ_CHECK(cert.error().code == sigil::ErrorCode::bad_input);
    return 0;
  }
  SIGIL_FUZZ_CHECK(std::equal(cert->der().begin(), cert->der().end(), der.begin(), der.end()));
  auto again = sigil::crypto::Certificate::from_der(cert->der());
  SIGIL_FUZZ_CHECK(again.has_value() && again->same_as(*cert));
  (void)cert->public_key();
  (void)cert->san_emails();
  (void)cert->san_uris();
  (void)cert->san_others();
  (void)cert->is_ca();
  (void)cert->subject_text();
  (void)cert->issuer_text();
  for (int n = 1; n <= 24; ++n) {
    auto ext = cert->fulcio_extension(n);
    SIGIL_FUZZ_CHECK(ext.has_value() || ext.error().code == sigil::ErrorCode::bad_input);
  }
  SIGIL_FUZZ_CHECK(!cert->fulcio_extension(0).has_value());
  (void)sigil::crypto::cert_is_ca(*cert);
  (void)sigil::crypto::cert_is_root_ca(*cert);
  (void)sigil::crypto::cert_is_leaf(*cert);
  (void)sigil::crypto::is_self_signed(*cert);
  auto scts = sigil::crypto::check_embedded_scts(*cert, *cert, {});
  if (scts) {
    for (const auto& sct : *scts) {
      SIGIL_FUZZ_CHECK(sct.status != sigil::crypto::SctStatus::valid);
    }
  }
  return 0;
}
