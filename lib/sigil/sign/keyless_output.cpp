#include "sigil/sign/keyless_output.hpp"

#include "sigil/oci/media_types.hpp"
#include "sigil/util/encoding.hpp"

#include <fmt/format.h>

namespace sigil::sign {

void add_cosign_keyless_annotations(std::map<std::string, std::string>& annotations, const KeylessMaterial& m)
{
  namespace a = oci::annotation;
  annotations[std::string(a::cosign_certificate)] = m.chain_pem.front();
  std::string chain;
  for (std::size_t i = 1; i < m.chain_pem.size(); ++i) {
    chain += m.chain_pem[i];
  }
  annotations[std::string(a::cosign_chain)] = chain;
  annotations[std::string(a::cosign_bundle)] = keyless::cosign_rekor_bundle_json(m.tlog_entry);
  if (m.rfc3161_timestamp) {
    annotations[std::string(a::cosign_rfc3161_timestamp)] =
      fmt::format(R"({{"SignedRFC3161Timestamp":"{}"}})", util::base64_encode(*m.rfc3161_timestamp));
  }
}

void add_bundle_material(bundle::Bundle& b, const crypto::PublicKey& key, const std::optional<KeylessMaterial>& m)
{
  if (!m) {
    b.public_key_hint = key.hint();
    return;
  }
  b.certificates = m->chain_der;
  b.tlog_entry_json.push_back(keyless::bundle_entry_json(m->tlog_entry));
  if (m->rfc3161_timestamp) {
    b.rfc3161_timestamps.push_back(*m->rfc3161_timestamp);
  }
}

} // namespace sigil::sign
