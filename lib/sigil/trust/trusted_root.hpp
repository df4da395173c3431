// sigil::trust trusted roots: protobuf-specs TrustedRoot JSON (sigstore's trusted_root.json),
// and the same material built from cosign's private-deployment environment variables.
//
// Accepted: media type application/vnd.dev.sigstore.trustedroot+json;version=0.1 or 0.2 (and
// the .v0.2+json spelling); protobuf-JSON field names in camelCase or the snake_case ones
// protobuf parsers also accept (a field given under both names is an error); bytes in base64,
// standard or URL alphabet; RFC 3339 timestamps with fractional seconds and Z or an offset
// (a fractional bound is rounded inwards to whole seconds). Unknown fields are ignored.
//
// Rules (sigstore-go's pkg/root/trusted_root.go where it has one):
//   * a tlog or ctlog needs logId.keyId, publicKey.rawBytes and validFor.start (conformance
//     case trust-root-tlog-missing-validity-start_fail); validFor.end is optional and inclusive;
//   * a key whose keyDetails sigil does not support (e.g. RSA-PSS, LMS, a future value) is
//     kept with `key` unset, so it never verifies anything; a supported type whose bytes do
//     not parse, or parse to another algorithm than keyDetails names, is an error;
//     PKCS1_RSA_PKCS1V5 keys (PKCS#1 DER, Sigstore staging's old CT log) are supported;
//   * a certificate or timestamp authority needs a non-empty certChain of base64 rawBytes;
//     validFor is optional (absent = always). Its certificates are decoded when the authority
//     is first used (CertificateChain::certificates()): a certificate that does not parse is
//     then an error, for a verification that needs that authority (every Fulcio CA whose
//     validFor holds the signing time, every timestamp authority when a bundle has a
//     timestamp: all are decoded before any is tried, so the list's order decides nothing) and for
//     check_certificates(); an authority never used is never decoded;
//   * bounded: at most 1 MiB of JSON and 1000 entries (logs, authorities and certificates).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/util/bytes.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::trust {

constexpr std::size_t k_max_trusted_root_size = 1024 * 1024;
constexpr std::size_t k_max_trusted_root_entries = 1000;

struct Validity {
  std::optional<std::int64_t> start; // Unix seconds, inclusive; unset = since always
  std::optional<std::int64_t> end;   // Unix seconds, inclusive; unset = still valid
  [[nodiscard]] bool contains(std::int64_t t) const;
};

struct TransparencyLog {
  std::string base_url;
  std::string hash_algorithm; // "SHA2_256"
  util::Bytes key_id;         // logId.keyId
  util::Bytes public_key_der; // publicKey.rawBytes as given (PKIX, or PKCS#1 for PKCS1_RSA_PKCS1V5)
  std::string key_details;    // "PKIX_ECDSA_P256_SHA_256", ...
  std::optional<crypto::PublicKey> key; // unset when the key type is unsupported
  Validity valid_for;
  // The log's Rekor v2 checkpoint origin: the host name of base_url, without scheme, port or
  // path, as sigstore-go (and so cosign 3) checks it (url.Parse(baseUrl).Hostname()):
  // "https://log2025-1.rekor.sigstore.dev" -> "log2025-1.rekor.sigstore.dev",
  // "http://127.0.0.1:8080/rekor2" -> "127.0.0.1".
  [[nodiscard]] std::string origin() const;
};

// The certificates of an authority, as listed: leaf-most first, root last. Read from a trusted
// root they are kept as DER and decoded on first use (certificates()): OpenSSL 3.0 takes ~0.25 ms
// per certificate (a decoder context for its key), and one verification uses only the authority
// whose validity window holds the signing time (the public-good root lists five certificates, a
// bundle without a timestamp needs two). Copies share the decoded certificates; decoding is
// thread-safe (the chain prewarm thread and the caller may both ask).
class CertificateChain {
public:
  CertificateChain() = default;
  // Certificates decoded already (cosign's PEM files, `trusted-root create`, tests).
  CertificateChain(std::vector<crypto::Certificate> certs); // NOLINT(google-explicit-constructor)
  // DER to decode on first use; `where` ("trusted root: certificateAuthorities[1]") prefixes a
  // decoding error, as parse_trusted_root reported it when it decoded every certificate.
  [[nodiscard]] static CertificateChain from_der(std::vector<util::Bytes> der, std::string where);

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] const std::vector<util::Bytes>& der() const; // as listed, never re-encoded
  // Decodes every certificate once. A certificate that does not parse is a bad_input error
  // "<where>: certificate N: invalid certificate ..." (the same text loading the root gave).
  [[nodiscard]] Result<std::span<const crypto::Certificate>> certificates() const;
  void set_where(std::string where); // before the chain is shared or decoded

private:
  struct State;
  std::shared_ptr<State> m_state;
};

struct CertificateAuthority {
  std::string uri;
  CertificateChain chain; // as listed: leaf-most first, root last
  Validity valid_for;
};

struct TrustedRoot {
  std::string media_type;
  std::vector<TransparencyLog> tlogs;
  std::vector<TransparencyLog> ctlogs;
  std::vector<CertificateAuthority> certificate_authorities;
  std::vector<CertificateAuthority> timestamp_authorities;

  [[nodiscard]] std::vector<const TransparencyLog*> tlogs_by_key_id(util::ByteView key_id) const;
  [[nodiscard]] std::vector<const TransparencyLog*> ctlogs_by_key_id(util::ByteView key_id) const;
};

[[nodiscard]] Result<TrustedRoot> parse_trusted_root(std::string_view json);
[[nodiscard]] Result<TrustedRoot> load_trusted_root_file(const std::string& path);
// Decodes every certificate of every authority (what sigstore-go does when it loads a root):
// for commands that install or show a root, so a broken certificate is found before any
// verification needs it.
[[nodiscard]] Result<void> check_certificates(const TrustedRoot& root);
// One protobuf-specs CertificateAuthority on its own (sigstore-python's test TSA "ca.json"),
// with the same rules as the entries of a trusted root.
[[nodiscard]] Result<CertificateAuthority> parse_certificate_authority(std::string_view json);

// cosign's private-deployment variables (read through core/env):
//   SIGSTORE_ROOT_FILE               PEM file of Fulcio roots and intermediates: one certificate
//                                    authority per self-signed root, each listing every
//                                    intermediate of the file before its root (as cosign
//                                    pools them); a file without a root is an error;
//   SIGSTORE_REKOR_PUBLIC_KEY        PEM file of the Rekor key (a tlog; key id = SHA-256 of its
//                                    PKIX DER, as Rekor computes log ids);
//   SIGSTORE_CT_LOG_PUBLIC_KEY_FILE  PEM file of the CT log key (a ctlog, same key id rule);
// and tsa_chain_path, cosign's --timestamp-certificate-chain, else
//   SIGSTORE_TSA_CERTIFICATE_FILE    (cosign 2.5's variable; cosign lets it override the flag,
//                                    sigil lets the flag given on the command line win)
// a PEM chain, TSA certificate first, root last: one timestamp authority. Logs and authorities
// built here have no validity bounds. Parts not configured stay empty. nullopt when none of
// the four is set (an empty variable is unset, as in cosign).
[[nodiscard]] Result<std::optional<TrustedRoot>>
trusted_root_from_cosign_env(const std::optional<std::string>& tsa_chain_path);

// The root as protobuf-specs TrustedRoot JSON (media type version 0.1 unless root.media_type
// says otherwise; camelCase names, bytes in standard base64, times in RFC 3339 UTC), indented,
// with a final newline. parse_trusted_root reads back what this writes.
[[nodiscard]] std::string trusted_root_json(const TrustedRoot& root);

// A log of `key` (Rekor or CT): key id = SHA-256 of its PKIX DER, as Rekor and CT compute log
// ids; hash algorithm SHA2_256; keyDetails from the key's algorithm.
[[nodiscard]] TransparencyLog log_for_key(const crypto::PublicKey& key, std::string base_url, Validity valid_for);

// The key_details name sigil gives a key it built a log from ("PKIX_ECDSA_P256_SHA_256", ...).
[[nodiscard]] std::string_view key_details_for(crypto::KeyAlgorithm alg);

} // namespace sigil::trust
