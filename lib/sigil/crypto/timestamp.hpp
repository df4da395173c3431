// sigil::crypto RFC 3161 timestamps (OpenSSL TS_* API): parsing, and the cryptographic checks
// of one token against one timestamp authority. Which authorities are trusted, and their
// validity windows, are decided in trust/verify.hpp.
//
// Sigstore bundles store `signedTimestamp` = the DER of a TimeStampResp; a bare TimeStampToken
// (CMS ContentInfo of SignedData over TSTInfo) is accepted too. A response must have status
// granted (0) or grantedWithMods (1).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/util/bytes.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sigil::crypto {

struct NativeTimestamp; // OpenSSL's decoded token (timestamp.cpp)

// Larger responses are refused (Sigstore's are ~1.5 KiB with embedded certificates).
constexpr std::size_t k_max_timestamp_size = 128 * 1024;

struct TimestampToken {
  std::int64_t time = 0;                  // genTime, Unix seconds (a fraction is dropped)
  util::Bytes der;                        // exactly the bytes given (response or token)
  std::vector<Certificate> embedded_certs; // SignedData.certificates: NOT trusted
  std::string tsa_name;                   // TSTInfo.tsa as text, "" when absent
  // The message imprint: the hash the TSA signed, and its algorithm (nullopt when it is not
  // SHA-256/384/512, e.g. SHA-1, which verification refuses); the algorithm's name for messages.
  std::optional<HashAlgorithm> imprint_algorithm;
  std::string imprint_algorithm_name;
  util::Bytes imprint;
  // The decoded token, shared by copies; verification decodes der again when it is unset.
  std::shared_ptr<const NativeTimestamp> native;
};

[[nodiscard]] Result<TimestampToken> parse_timestamp_response_or_token(util::ByteView der);

// One timestamp authority's certificates, as a trusted root lists them.
struct TimestampAuthorityChain {
  // The TSA's own (non-CA) certificate when the authority lists one first: the token's signer
  // must be exactly this certificate, and tokens without embedded certificates use it.
  const Certificate* tsa_leaf = nullptr;
  std::span<const Certificate> intermediates; // untrusted helpers for the path
  const Certificate* anchor = nullptr;        // the trust anchor (the authority's last certificate)
};

// Verifies the token's CMS signature, its ESS signing-certificate attribute, and its signer's
// chain to `anchor` AT THE TOKEN'S genTime (not now), with OpenSSL's timestamping purpose
// (critical extendedKeyUsage timeStamping only). The embedded certificates may complete the
// path but are never trusted. Returns the signer certificate. Errors are none_verified.
[[nodiscard]] Result<Certificate> verify_timestamp_signature(const TimestampToken& token,
                                                             const TimestampAuthorityChain& authority);

// The imprint must be the hash (the token's declared SHA-2 algorithm) of signed_bytes.
[[nodiscard]] Result<void> check_timestamp_imprint(const TimestampToken& token, util::ByteView signed_bytes);

} // namespace sigil::crypto
