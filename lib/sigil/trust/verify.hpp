// sigil::trust checks against a TrustedRoot: the signing certificate's chain at a verified
// time, its embedded SCTs, and RFC 3161 timestamps. DESIGN.md §3 rule 8: a certificate counts
// only if it chains to a CA of the trusted root at the signing time, and nothing is verified
// "now" (every time here is the caller's, from a verified source, or the token's own).
//
// Errors are none_verified, with a reason naming what failed and at which time.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/timestamp.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/trust/trusted_root.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/joining_thread.hpp"

#include <cstdint>
#include <span>
#include <thread>
#include <vector>

namespace sigil::trust {

struct ChainResult {
  const CertificateAuthority* ca = nullptr; // points into the TrustedRoot given
  std::vector<crypto::Certificate> path;    // leaf .. root (the CA's last certificate)
};

// The leaf must be a non-CA certificate that chains, for code signing, to one certificate
// authority of the root whose validFor contains at_time, every certificate of the path valid
// at at_time (crypto::verify_code_signing_chain: OpenSSL with X509_V_FLAG_USE_CHECK_TIME; the
// CA's certificates but its last as untrusted intermediates, its last as the anchor, partial
// chains only for a CA listed without a self-signed root).
//
// `presented` (the certificates a bundle carries after its leaf) is neither trusted nor used
// to build the path, as in sigstore-go, which reads only the bundle's first certificate: the
// path comes from the trusted root alone. So a presented chain that holds a root (conformance
// bundle-with-root-cert_fail: it fails on its identity, not its chain) or that does not match
// changes nothing; full chains with their root are common in v0.1 bundles that verify
// (sigstore-js bundleV01-full-cert-chain). A bundle without any certificate
// (bundle-empty-certificate-chain_fail) has no leaf to call this with: the bundle reader
// refuses it.
// The certificates of an authority whose validFor holds at_time are decoded here (trusted
// roots decode them on first use): one that does not parse is a bad_input error naming it
// ("trusted root: certificateAuthorities[1]: certificate 0: invalid certificate ..."), never
// a reason to go on with the next authority.
[[nodiscard]] Result<ChainResult> verify_certificate_chain(const TrustedRoot& root, const crypto::Certificate& leaf,
                                                           std::span<const crypto::Certificate> presented,
                                                           std::int64_t at_time);

// Starts verifying the leaf's chain to the root's certificate authorities on another thread,
// at the leaf's notBefore, so that the chain's signature checks (P-384 on Sigstore's instance,
// ~1 ms each with OpenSSL 3.0) run while the caller checks log entries and timestamps. It
// decides nothing: verify_certificate_chain at each verified time still does, and reuses a path
// verified here only when every certificate of it is valid at that time (the per-process memo
// of crypto::verify_code_signing_chain). Nothing is started when a path is already known, when
// the machine has one CPU, or when no authority is valid at that time. wait() (also run by the
// destructor) joins the thread; the root and leaf must outlive the handle.
using ChainPrewarm = util::JoiningThread;
[[nodiscard]] ChainPrewarm prewarm_certificate_chain(const TrustedRoot& root, const crypto::Certificate& leaf);

// At least one embedded SCT (OID 1.3.6.1.4.1.11129.2.4.2) of chain.path[0], issued by
// chain.path[1], must verify under a ctlog of the root (SCT log id = the ctlog's keyId) whose
// validFor contains the SCT's time. Reasons: "no embedded SCT", "SCT from an unknown CT log
// (log id <base64>)", "SCT signature invalid (log id ...)", "SCT ... outside the validity of CT
// log ...".
[[nodiscard]] Result<void> verify_embedded_sct(const TrustedRoot& root, const ChainResult& chain);

// Checks the leaf's embedded SCTs against the issuer its path will most likely have (the first
// certificate of each authority valid at the leaf's notBefore) so that verify_embedded_sct,
// once the chain is verified, finds the outcome kept (crypto::check_embedded_scts keeps it by
// leaf, issuer and log keys). It decides nothing: for the caller to run while the chain
// prewarm thread works, instead of waiting. A wrong guess costs the check and nothing else.
void prewarm_embedded_sct(const TrustedRoot& root, const crypto::Certificate& leaf);

// The token must verify under one timestamp authority of the root: CMS signature and ESS
// signing certificate, the signer chaining to the authority's last certificate with every
// certificate valid AT genTime (so a TSA chain that has expired since still counts:
// conformance rekor2-timestamp-with-expired-cert-chain; one that had expired when it signed does
// not: rekor2-timestamp-outside-tsa-cert-validity_fail), the signer being the authority's TSA
// certificate when it lists one first (tokens without embedded certificates use it; embedded
// ones may help the path but are never trusted), genTime inside the authority's validFor (end
// inclusive). Then the message imprint must be the hash (SHA-256/384/512, as the token
// declares) of signed_bytes (Sigstore: the signature bytes). Returns the verified genTime.
// A certificate of a timestamp authority that does not parse is a bad_input error (as above).
[[nodiscard]] Result<std::int64_t> verify_timestamp(const TrustedRoot& root, const crypto::TimestampToken& token,
                                                    util::ByteView signed_bytes);

} // namespace sigil::trust
