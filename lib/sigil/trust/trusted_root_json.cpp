// sigil::trust trusted roots written as protobuf-specs TrustedRoot JSON (trusted_root.hpp).
#include "sigil/trust/trusted_root.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/time.hpp"

namespace sigil::trust {

namespace {

util::OrderedJson validity_json(const Validity& v)
{
  util::OrderedJson j = util::OrderedJson::object();
  if (v.start) {
    j["start"] = util::rfc3339_utc(*v.start);
  }
  if (v.end) {
    j["end"] = util::rfc3339_utc(*v.end);
  }
  return j;
}

util::OrderedJson log_json(const TransparencyLog& log)
{
  util::OrderedJson key;
  key["rawBytes"] = util::base64_encode(log.public_key_der);
  key["keyDetails"] = log.key_details;
  key["validFor"] = validity_json(log.valid_for);
  util::OrderedJson j;
  j["baseUrl"] = log.base_url;
  j["hashAlgorithm"] = log.hash_algorithm.empty() ? "SHA2_256" : log.hash_algorithm;
  j["publicKey"] = std::move(key);
  j["logId"] = util::OrderedJson{{"keyId", util::base64_encode(log.key_id)}};
  return j;
}

util::OrderedJson authority_json(const CertificateAuthority& ca)
{
  util::OrderedJson certs = util::OrderedJson::array();
  for (const auto& der : ca.chain.der()) {
    certs.push_back(util::OrderedJson{{"rawBytes", util::base64_encode(der)}});
  }
  util::OrderedJson j;
  if (!ca.uri.empty()) {
    j["uri"] = ca.uri;
  }
  j["certChain"] = util::OrderedJson{{"certificates", std::move(certs)}};
  if (ca.valid_for.start || ca.valid_for.end) {
    j["validFor"] = validity_json(ca.valid_for);
  }
  return j;
}

} // namespace

std::string trusted_root_json(const TrustedRoot& root)
{
  util::OrderedJson j;
  j["mediaType"] = root.media_type.empty() ? "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
                                           : root.media_type;
  const auto list = [](const auto& items, auto&& one) {
    util::OrderedJson out = util::OrderedJson::array();
    for (const auto& item : items) {
      out.push_back(one(item));
    }
    return out;
  };
  j["tlogs"] = list(root.tlogs, log_json);
  j["certificateAuthorities"] = list(root.certificate_authorities, authority_json);
  j["ctlogs"] = list(root.ctlogs, log_json);
  j["timestampAuthorities"] = list(root.timestamp_authorities, authority_json);
  return j.dump(2) + "\n";
}

TransparencyLog log_for_key(const crypto::PublicKey& key, std::string base_url, Validity valid_for)
{
  TransparencyLog log;
  log.base_url = std::move(base_url);
  log.hash_algorithm = "SHA2_256";
  log.public_key_der = key.der();
  log.key_id = crypto::sha256(log.public_key_der);
  log.key_details = std::string(key_details_for(key.algorithm()));
  log.key = key;
  log.valid_for = valid_for;
  return log;
}

} // namespace sigil::trust
