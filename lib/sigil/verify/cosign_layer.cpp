#include "sigil/verify/cosign_layer.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/tlog/entry.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

namespace sigil::verify {

namespace {

const std::string* find(const std::map<std::string, std::string>& annotations, std::string_view key)
{
  const auto it = annotations.find(std::string{key});
  return it == annotations.end() || it->second.empty() ? nullptr : &it->second;
}

Result<void> add_certificates(const std::map<std::string, std::string>& annotations, SignedMaterial& m)
{
  const auto* leaf = find(annotations, oci::annotation::cosign_certificate);
  if (leaf == nullptr) {
    return fail(ErrorCode::no_certificate, "the signature has no certificate annotation");
  }
  SIGIL_TRY_ASSIGN(auto cert, crypto::Certificate::from_pem(*leaf));
  m.certificates.push_back(cert.der());
  if (const auto* chain = find(annotations, oci::annotation::cosign_chain)) {
    SIGIL_TRY_ASSIGN(auto certs, crypto::Certificate::chain_from_pem(*chain));
    for (const auto& c : certs) {
      m.certificates.push_back(c.der());
    }
  }
  return {};
}

Result<void> add_log_and_time(const std::map<std::string, std::string>& annotations, SignedMaterial& m)
{
  if (const auto* bundle = find(annotations, oci::annotation::cosign_bundle)) {
    auto entry = tlog::parse_cosign_rekor_bundle(*bundle);
    if (!entry) {
      return fail(entry.error().context("the bundle annotation"));
    }
    m.entries.push_back(std::move(*entry));
  }
  if (const auto* ts = find(annotations, k_cosign_timestamp_annotation)) {
    SIGIL_TRY_ASSIGN(auto doc, util::parse_json(*ts));
    SIGIL_TRY_ASSIGN(auto der, util::json_base64(doc, "SignedRFC3161Timestamp", util::Base64Alphabet::standard));
    m.timestamps.push_back(std::move(der));
  }
  return {};
}

Result<SignedMaterial> common(const std::map<std::string, std::string>& annotations, std::string format)
{
  SignedMaterial m;
  m.format = std::move(format);
  SIGIL_TRY(add_certificates(annotations, m));
  SIGIL_TRY(add_log_and_time(annotations, m));
  return m;
}

} // namespace

bool has_cosign_certificate(const std::map<std::string, std::string>& annotations)
{
  return find(annotations, oci::annotation::cosign_certificate) != nullptr;
}

Result<SignedMaterial> material_from_cosign_layer(const std::map<std::string, std::string>& annotations,
                                                  util::ByteView payload, util::Bytes signature)
{
  SIGIL_TRY_ASSIGN(auto m, common(annotations, "cosign .sig layer"));
  m.content = MessageContent{crypto::HashAlgorithm::sha256, crypto::sha256(payload), std::move(signature)};
  return m;
}

Result<SignedMaterial> material_from_cosign_att_layer(const std::map<std::string, std::string>& annotations,
                                                      dsse::Envelope envelope, util::ByteView layer)
{
  SIGIL_TRY_ASSIGN(auto m, common(annotations, "cosign .att layer"));
  m.content = std::move(envelope);
  m.timestamped = util::Bytes(layer.begin(), layer.end());
  return m;
}

} // namespace sigil::verify
