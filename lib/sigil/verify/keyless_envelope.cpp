#include "sigil/verify/keyless_envelope.hpp"

#include "sigil/crypto/x509.hpp"
#include "sigil/util/encoding.hpp"

#include <fmt/format.h>

namespace sigil::verify {

namespace {

std::optional<crypto::HashAlgorithm> algorithm_named(std::string_view name)
{
  for (const auto a : {crypto::HashAlgorithm::sha256, crypto::HashAlgorithm::sha384, crypto::HashAlgorithm::sha512}) {
    if (crypto::hash_name(a) == name) {
      return a;
    }
  }
  return std::nullopt;
}

EnvelopeCheckRequest with_keys(const EnvelopeCheckRequest& r, const std::vector<TrustedKey>& keys)
{
  return {.envelope = r.envelope,
          .keys = keys,
          .subject_algorithm = r.subject_algorithm,
          .subject_hex = r.subject_hex,
          .predicate_type = r.predicate_type,
          .annotations = r.annotations,
          .check_claims = r.check_claims,
          .limits = r.limits};
}

} // namespace

KeylessEnvelopeCheck check_keyless_envelope(const SignedMaterial& material, const EnvelopeCheckRequest& request,
                                            const SigstorePolicy& policy)
{
  KeylessEnvelopeCheck out;
  std::optional<ArtifactDigest> subject;
  const auto alg = algorithm_named(request.subject_algorithm);
  auto bytes = util::hex_decode(request.subject_hex);
  if (request.check_claims && alg && bytes) {
    subject = ArtifactDigest{*alg, std::move(*bytes)};
  }
  auto verified = verify_sigstore(material, subject, policy);
  if (!verified) {
    out.check.reason = verified.error().message;
    return out;
  }
  if (material.certificates.empty()) { // key-signed, its log entries checked against the root
    out.check = check_envelope(with_keys(request, policy.keys));
    return out;
  }
  auto leaf = crypto::Certificate::from_der(material.certificates.front());
  auto key = leaf ? leaf->public_key() : Result<crypto::PublicKey>{fail(leaf.error())};
  if (!key) {
    out.check.reason = key.error().message;
    return out;
  }
  const std::vector<TrustedKey> certificate_key{{"certificate", *key}};
  out.check = check_envelope(with_keys(request, certificate_key));
  out.check.key_index.reset();
  if (out.check.verified) {
    out.check.reason = fmt::format("verified keyless: identity {}, issuer {}", verified->identity->subject,
                                   verified->identity->issuer);
    out.keyless = std::move(*verified);
  }
  return out;
}

} // namespace sigil::verify
