#include "sigil/crypto/timestamp.hpp"

#include "sigil/crypto/openssl.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include <array>
#include <memory>

namespace sigil::crypto {

namespace {

struct TsRespDeleter {
  void operator()(TS_RESP* p) const { TS_RESP_free(p); }
};
struct Pkcs7Deleter {
  void operator()(PKCS7* p) const { PKCS7_free(p); }
};
struct TstInfoDeleter {
  void operator()(TS_TST_INFO* p) const { TS_TST_INFO_free(p); }
};
struct StoreDeleter {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct X509StackDeleter {
  void operator()(STACK_OF(X509) * p) const { sk_X509_free(p); }
};

using Pkcs7Ptr = std::unique_ptr<PKCS7, Pkcs7Deleter>;
using TstInfoPtr = std::unique_ptr<TS_TST_INFO, TstInfoDeleter>;

} // namespace

// The decoded token, kept with the TimestampToken so that verification does not decode it
// (and its certificates) again.
struct NativeTimestamp {
  std::unique_ptr<TS_RESP, TsRespDeleter> response; // set when the DER is a TimeStampResp
  Pkcs7Ptr bare_token;                              // set when it is a bare token
  TstInfoPtr bare_info;
  PKCS7* token = nullptr; // into response or bare_token
  TS_TST_INFO* info = nullptr;
};

namespace {

// A TimeStampResp (granted) or a bare token, each consuming all of der.
Result<std::shared_ptr<NativeTimestamp>> parse_native(util::ByteView der)
{
  auto out = std::make_shared<NativeTimestamp>();
  const unsigned char* p = der.data();
  out->response.reset(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  if (out->response && p == der.data() + der.size()) {
    const ASN1_INTEGER* status = TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(out->response.get()));
    const long value = ASN1_INTEGER_get(status);
    if (value != 0 && value != 1) {
      return fail(ErrorCode::bad_input, fmt::format("timestamp response status is {}, not granted", value));
    }
    out->token = TS_RESP_get_token(out->response.get());
    out->info = TS_RESP_get_tst_info(out->response.get());
    if (out->token == nullptr || out->info == nullptr) {
      return fail(ErrorCode::bad_input, "timestamp response holds no token");
    }
    return out;
  }
  out->response.reset();
  clear_openssl_errors();
  p = der.data();
  out->bare_token.reset(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!out->bare_token || p != der.data() + der.size()) {
    return openssl_fail(ErrorCode::bad_input, "not an RFC 3161 timestamp response or token");
  }
  out->bare_info.reset(PKCS7_to_TS_TST_INFO(out->bare_token.get()));
  if (!out->bare_info) {
    return openssl_fail(ErrorCode::bad_input, "timestamp token holds no TSTInfo");
  }
  out->token = out->bare_token.get();
  out->info = out->bare_info.get();
  return out;
}

// Like openssl_error_text, with each error's data: the TS routines put the chain's failure
// there ("Verify error:certificate has expired").
std::unexpected<Error> openssl_fail_with_data(std::string_view context)
{
  std::string reasons;
  const char* data = nullptr;
  int flags = 0;
  unsigned long code = 0;
  while ((code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    reasons += fmt::format("{}{}", reasons.empty() ? "" : "; ", buf.data());
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
      reasons += fmt::format(" ({})", data);
    }
  }
  return fail(ErrorCode::none_verified, reasons.empty() ? std::string(context) : fmt::format("{}: {}", context, reasons));
}

std::string general_name_text(const GENERAL_NAME* name)
{
  if (name == nullptr) {
    return {};
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || GENERAL_NAME_print(bio.get(), const_cast<GENERAL_NAME*>(name)) <= 0) {
    clear_openssl_errors();
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

Result<std::vector<Certificate>> embedded_certificates(PKCS7* token)
{
  std::vector<Certificate> out;
  if (!PKCS7_type_is_signed(token) || token->d.sign == nullptr) {
    return fail(ErrorCode::bad_input, "timestamp token is not CMS SignedData");
  }
  STACK_OF(X509)* certs = token->d.sign->cert;
  for (int i = 0; i < sk_X509_num(certs); ++i) {
    SIGIL_TRY_ASSIGN(auto cert, Certificate::from_native(sk_X509_value(certs, i)));
    out.push_back(std::move(cert));
  }
  return out;
}

void read_imprint(TS_TST_INFO* info, TimestampToken& out)
{
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info);
  const X509_ALGOR* algo = TS_MSG_IMPRINT_get_algo(imprint);
  const int nid = OBJ_obj2nid(algo->algorithm);
  out.imprint_algorithm_name = nid == NID_undef ? "unknown" : OBJ_nid2sn(nid);
  switch (nid) {
  case NID_sha256:
    out.imprint_algorithm = HashAlgorithm::sha256;
    break;
  case NID_sha384:
    out.imprint_algorithm = HashAlgorithm::sha384;
    break;
  case NID_sha512:
    out.imprint_algorithm = HashAlgorithm::sha512;
    break;
  default:
    break;
  }
  const ASN1_OCTET_STRING* digest = TS_MSG_IMPRINT_get_msg(imprint);
  const unsigned char* data = ASN1_STRING_get0_data(digest);
  out.imprint.assign(data, data + ASN1_STRING_length(digest));
}

std::shared_ptr<STACK_OF(X509)> x509_stack(std::span<const Certificate* const> certs)
{
  std::shared_ptr<STACK_OF(X509)> stack(sk_X509_new_null(), X509StackDeleter{});
  for (const Certificate* cert : certs) {
    if (stack && cert != nullptr) {
      sk_X509_push(stack.get(), cert->native());
    }
  }
  return stack;
}

} // namespace

Result<TimestampToken> parse_timestamp_response_or_token(util::ByteView der)
{
  if (der.empty()) {
    return fail(ErrorCode::bad_input, "timestamp is empty");
  }
  if (der.size() > k_max_timestamp_size) {
    return fail(ErrorCode::bad_input,
                fmt::format("timestamp is {} bytes, more than the limit of {}", der.size(), k_max_timestamp_size));
  }
  SIGIL_TRY_ASSIGN(auto parsed, parse_native(der));
  TimestampToken out;
  auto time = asn1_time_to_unix(TS_TST_INFO_get_time(parsed->info));
  if (!time) {
    return fail(ErrorCode::bad_input, "timestamp token has a malformed genTime");
  }
  out.time = *time;
  out.der.assign(der.begin(), der.end());
  SIGIL_TRY_ASSIGN(out.embedded_certs, embedded_certificates(parsed->token));
  out.tsa_name = general_name_text(TS_TST_INFO_get_tsa(parsed->info));
  read_imprint(parsed->info, out);
  out.native = std::move(parsed);
  return out;
}

Result<Certificate> verify_timestamp_signature(const TimestampToken& token, const TimestampAuthorityChain& authority)
{
  if (authority.anchor == nullptr) {
    return fail(ErrorCode::none_verified, "timestamp authority has no certificate");
  }
  std::shared_ptr<const NativeTimestamp> parsed = token.native;
  if (!parsed) {
    SIGIL_TRY_ASSIGN(parsed, parse_native(token.der));
  }
  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), authority.anchor->native()) != 1) {
    return openssl_fail(ErrorCode::internal, "timestamp trust store");
  }
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(token.time));
  if (!is_self_issued_root(*authority.anchor)) {
    // An authority listed without its root: its last certificate is the anchor, as in
    // sigstore-go (x509.CertPool roots need not be self-signed).
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  }
  std::vector<const Certificate*> helpers{authority.tsa_leaf};
  for (const auto& cert : authority.intermediates) {
    helpers.push_back(&cert);
  }
  const auto untrusted = x509_stack(helpers);
  X509* signer = nullptr;
  if (TS_RESP_verify_signature(parsed->token, untrusted.get(), store.get(), &signer) != 1) {
    return openssl_fail_with_data(
        fmt::format("timestamp signature or TSA chain invalid at {}", util::rfc3339_utc(token.time)));
  }
  std::unique_ptr<X509, decltype(&X509_free)> signer_owner(signer, X509_free);
  if (authority.tsa_leaf != nullptr && X509_cmp(signer, authority.tsa_leaf->native()) != 0) {
    return fail(ErrorCode::none_verified, "timestamp was signed by another certificate than the authority's TSA "
                                          "certificate");
  }
  return Certificate::from_native(signer);
}

Result<void> check_timestamp_imprint(const TimestampToken& token, util::ByteView signed_bytes)
{
  if (!token.imprint_algorithm) {
    return fail(ErrorCode::none_verified,
                fmt::format("timestamp imprint uses {}, not SHA-256/384/512", token.imprint_algorithm_name));
  }
  if (hash(*token.imprint_algorithm, signed_bytes) != token.imprint) {
    return fail(ErrorCode::none_verified, "timestamp is over other bytes than the signature (message imprint "
                                          "mismatch)");
  }
  return {};
}

} // namespace sigil::crypto
