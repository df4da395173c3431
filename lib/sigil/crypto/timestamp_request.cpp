#include "sigil/crypto/timestamp_request.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/openssl.hpp"

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <climits>
#include <memory>

namespace sigil::crypto {

namespace {

constexpr std::size_t k_nonce_bytes = 20;
constexpr std::size_t k_max_response = std::size_t{1} << 20;

struct TsReqDeleter {
  void operator()(TS_REQ* p) const { TS_REQ_free(p); }
};
struct TsRespDeleter {
  void operator()(TS_RESP* p) const { TS_RESP_free(p); }
};
struct TsVerifyDeleter {
  void operator()(TS_VERIFY_CTX* p) const { TS_VERIFY_CTX_free(p); }
};
struct TsImprintDeleter {
  void operator()(TS_MSG_IMPRINT* p) const { TS_MSG_IMPRINT_free(p); }
};
struct AlgorDeleter {
  void operator()(X509_ALGOR* p) const { X509_ALGOR_free(p); }
};
struct Asn1IntDeleter {
  void operator()(ASN1_INTEGER* p) const { ASN1_INTEGER_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

using TsReqPtr = std::unique_ptr<TS_REQ, TsReqDeleter>;

Result<std::unique_ptr<ASN1_INTEGER, Asn1IntDeleter>> random_nonce(util::Bytes& bytes)
{
  bytes.assign(k_nonce_bytes, 0);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return openssl_fail(ErrorCode::internal, "timestamp nonce");
  }
  bytes[0] = static_cast<std::uint8_t>(bytes[0] | 0x01); // 160 bits, never a short integer
  bytes[0] = static_cast<std::uint8_t>(bytes[0] & 0x7f); // positive, without a leading zero
  std::unique_ptr<BIGNUM, BnDeleter> bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  std::unique_ptr<ASN1_INTEGER, Asn1IntDeleter> out(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!out) {
    return openssl_fail(ErrorCode::internal, "timestamp nonce");
  }
  return out;
}

Result<void> set_imprint(TS_REQ* req, util::ByteView message)
{
  const auto digest = sha256(message);
  std::unique_ptr<TS_MSG_IMPRINT, TsImprintDeleter> imprint(TS_MSG_IMPRINT_new());
  std::unique_ptr<X509_ALGOR, AlgorDeleter> algo(X509_ALGOR_new());
  if (!imprint || !algo || X509_ALGOR_set0(algo.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) != 1 ||
      TS_MSG_IMPRINT_set_algo(imprint.get(), algo.get()) != 1 ||
      TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<unsigned char*>(digest.data()), static_cast<int>(digest.size())) != 1 ||
      TS_REQ_set_msg_imprint(req, imprint.get()) != 1) {
    return openssl_fail(ErrorCode::internal, "timestamp request imprint");
  }
  return {};
}

} // namespace

Result<TimestampRequest> make_timestamp_request(util::ByteView message)
{
  TimestampRequest out;
  TsReqPtr req(TS_REQ_new());
  if (!req || TS_REQ_set_version(req.get(), 1) != 1) {
    return openssl_fail(ErrorCode::internal, "timestamp request");
  }
  SIGIL_TRY(set_imprint(req.get(), message));
  SIGIL_TRY_ASSIGN(auto nonce, random_nonce(out.nonce));
  if (TS_REQ_set_nonce(req.get(), nonce.get()) != 1 || TS_REQ_set_cert_req(req.get(), 1) != 1) {
    return openssl_fail(ErrorCode::internal, "timestamp request");
  }
  unsigned char* der = nullptr;
  const int len = i2d_TS_REQ(req.get(), &der);
  if (len <= 0) {
    return openssl_fail(ErrorCode::internal, "encoding the timestamp request");
  }
  out.der.assign(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<void> check_timestamp_response(util::ByteView response_der, const TimestampRequest& request)
{
  if (response_der.empty() || response_der.size() > k_max_response) {
    return fail(ErrorCode::bad_input, "timestamp response: empty or too large");
  }
  const unsigned char* p = response_der.data();
  std::unique_ptr<TS_RESP, TsRespDeleter> resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response_der.size())));
  if (!resp || p != response_der.data() + response_der.size()) {
    return openssl_fail(ErrorCode::bad_input, "timestamp response: not a DER TimeStampResp");
  }
  const unsigned char* q = request.der.data();
  TsReqPtr req(d2i_TS_REQ(nullptr, &q, static_cast<long>(request.der.size())));
  if (!req) {
    return openssl_fail(ErrorCode::internal, "timestamp request");
  }
  // Status, version, imprint and nonce; the signature is the trusted root's business.
  std::unique_ptr<TS_VERIFY_CTX, TsVerifyDeleter> ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
  if (!ctx) {
    return openssl_fail(ErrorCode::internal, "timestamp verification context");
  }
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    return openssl_fail(ErrorCode::bad_input, "timestamp response does not answer the request");
  }
  return {};
}

} // namespace sigil::crypto
