// sigil::keyless signing configs written as protobuf-specs SigningConfig v0.2 JSON.
#include "sigil/keyless/signing_config.hpp"

#include "sigil/util/json.hpp"
#include "sigil/util/time.hpp"

namespace sigil::keyless {

namespace {

util::OrderedJson services_json(const std::vector<Service>& services)
{
  util::OrderedJson out = util::OrderedJson::array();
  for (const auto& s : services) {
    util::OrderedJson valid;
    valid["start"] = util::rfc3339_utc(s.valid_from.time_since_epoch().count());
    if (s.valid_until) {
      valid["end"] = util::rfc3339_utc(s.valid_until->time_since_epoch().count());
    }
    util::OrderedJson j;
    j["url"] = s.url;
    j["majorApiVersion"] = s.major_api_version;
    j["validFor"] = std::move(valid);
    j["operator"] = s.operator_name;
    out.push_back(std::move(j));
  }
  return out;
}

util::OrderedJson config_json(const ServiceConfig& config)
{
  util::OrderedJson j;
  switch (config.selector) {
  case Selector::any:
    j["selector"] = "ANY";
    break;
  case Selector::all:
    j["selector"] = "ALL";
    break;
  case Selector::exact:
    j["selector"] = "EXACT";
    j["count"] = config.count;
    break;
  }
  return j;
}

} // namespace

std::string signing_config_json(const SigningConfig& config)
{
  util::OrderedJson j;
  j["mediaType"] = k_signing_config_v02;
  j["caUrls"] = services_json(config.ca_urls);
  j["oidcUrls"] = services_json(config.oidc_urls);
  j["rekorTlogUrls"] = services_json(config.rekor_tlog_urls);
  j["tsaUrls"] = services_json(config.tsa_urls);
  j["rekorTlogConfig"] = config_json(config.rekor_tlog_config);
  j["tsaConfig"] = config_json(config.tsa_config);
  return j.dump(2) + "\n";
}

} // namespace sigil::keyless
