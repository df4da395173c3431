#include "sigil/keyless/signing_config.hpp"

#include "sigil/util/json.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::keyless {

namespace {

constexpr std::size_t k_max_services = 64;

Error config_error(std::string_view why)
{
  return Error{ErrorCode::bad_input, fmt::format("signing config: {}", why)};
}

// A validity bound (util::parse_rfc3339, the one RFC 3339 reader): a fractional start is rounded
// up and a fractional end down, so that a window never grows.
std::optional<std::chrono::sys_seconds> bound(std::string_view text, bool is_start)
{
  const auto t = util::parse_rfc3339(text);
  if (!t) {
    return std::nullopt;
  }
  return std::chrono::sys_seconds{std::chrono::seconds{t->seconds + (is_start && t->fractional ? 1 : 0)}};
}

Result<Service> parse_service(const util::Json& j, std::string_view what)
{
  Service s;
  SIGIL_TRY_ASSIGN(s.url, util::json_string(j, "url"));
  if (const auto it = j.find("majorApiVersion"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > 1000) {
      return fail(config_error(fmt::format("{}: majorApiVersion is not a small number", what)));
    }
    s.major_api_version = it->get<std::uint32_t>();
  }
  if (const auto it = j.find("operator"); it != j.end() && it->is_string()) {
    s.operator_name = it->get<std::string>();
  }
  SIGIL_TRY_ASSIGN(const util::Json* valid, util::json_object(j, "validFor"));
  SIGIL_TRY_ASSIGN(const auto start, util::json_string(*valid, "start"));
  const auto from = bound(start, true);
  if (!from) {
    return fail(config_error(fmt::format("{}: validFor.start is not an RFC 3339 time", what)));
  }
  s.valid_from = *from;
  if (const auto it = valid->find("end"); it != valid->end()) {
    s.valid_until = it->is_string() ? bound(it->get<std::string>(), false) : std::nullopt;
    if (!s.valid_until) {
      return fail(config_error(fmt::format("{}: validFor.end is not an RFC 3339 time", what)));
    }
  }
  return s;
}

Result<std::vector<Service>> parse_services(const util::Json& root, std::string_view key)
{
  std::vector<Service> out;
  const auto it = root.find(key);
  if (it == root.end()) {
    return out;
  }
  if (!it->is_array() || it->size() > k_max_services) {
    return fail(config_error(fmt::format("{} is not a list of at most {} services", key, k_max_services)));
  }
  for (const auto& entry : *it) {
    auto s = parse_service(entry, key);
    if (!s) {
      return fail(s.error().message.starts_with("signing config") ? s.error()
                                                                   : config_error(fmt::format("{}: {}", key, s.error().message)));
    }
    out.push_back(std::move(*s));
  }
  return out;
}

Result<ServiceConfig> parse_service_config(const util::Json& root, std::string_view key)
{
  ServiceConfig c;
  const auto it = root.find(key);
  if (it == root.end()) {
    return c;
  }
  SIGIL_TRY_ASSIGN(const auto selector, util::json_string(*it, "selector"));
  if (selector == "ANY") {
    c.selector = Selector::any;
  } else if (selector == "ALL") {
    c.selector = Selector::all;
  } else if (selector == "EXACT") {
    c.selector = Selector::exact;
    const auto count = it->find("count");
    if (count == it->end() || !count->is_number_unsigned() || count->get<std::uint64_t>() == 0 ||
        count->get<std::uint64_t>() > k_max_services) {
      return fail(config_error(fmt::format("{}: EXACT needs a count from 1 to {}", key, k_max_services)));
    }
    c.count = count->get<std::uint32_t>();
  } else {
    return fail(config_error(fmt::format("{}: unknown selector (expected ANY, ALL or EXACT)", key)));
  }
  return c;
}

} // namespace

Result<SigningConfig> parse_signing_config(std::string_view json)
{
  auto root = util::parse_json(json);
  if (!root || !root->is_object()) {
    return fail(config_error("not a JSON object"));
  }
  SIGIL_TRY_ASSIGN(const auto media_type, util::json_string(*root, "mediaType"));
  if (media_type != k_signing_config_v02) {
    return fail(config_error(fmt::format("media type is not {}", k_signing_config_v02)));
  }
  SigningConfig c;
  SIGIL_TRY_ASSIGN(c.ca_urls, parse_services(*root, "caUrls"));
  SIGIL_TRY_ASSIGN(c.oidc_urls, parse_services(*root, "oidcUrls"));
  SIGIL_TRY_ASSIGN(c.rekor_tlog_urls, parse_services(*root, "rekorTlogUrls"));
  SIGIL_TRY_ASSIGN(c.tsa_urls, parse_services(*root, "tsaUrls"));
  SIGIL_TRY_ASSIGN(c.rekor_tlog_config, parse_service_config(*root, "rekorTlogConfig"));
  SIGIL_TRY_ASSIGN(c.tsa_config, parse_service_config(*root, "tsaConfig"));
  return c;
}

Result<std::vector<Service>> select_services(const std::vector<Service>& services, const ServiceConfig& config,
                                             std::span<const std::uint32_t> supported, std::chrono::sys_seconds now,
                                             std::string_view what)
{
  // The highest API version that has a service valid now, and only its services (as
  // sigstore-go: a Rekor v2 log is never mixed with v1 ones); one per operator, in file order.
  std::uint32_t version = 0;
  for (const auto& s : services) {
    const bool speaks = std::find(supported.begin(), supported.end(), s.major_api_version) != supported.end();
    const bool in_window = s.valid_from <= now && (!s.valid_until || now <= *s.valid_until);
    if (speaks && in_window) {
      version = std::max(version, s.major_api_version);
    }
  }
  std::vector<Service> valid;
  for (const auto& s : services) {
    const bool in_window = s.valid_from <= now && (!s.valid_until || now <= *s.valid_until);
    const bool new_operator = std::none_of(valid.begin(), valid.end(), [&](const Service& v) {
      return !v.operator_name.empty() && v.operator_name == s.operator_name;
    });
    if (version != 0 && s.major_api_version == version && in_window && new_operator) {
      valid.push_back(s);
    }
  }
  switch (config.selector) {
  case Selector::any:
    valid.resize(std::min<std::size_t>(valid.size(), 1));
    return valid;
  case Selector::all: return valid;
  case Selector::exact:
    if (valid.size() < config.count) {
      return fail(config_error(fmt::format("{}: EXACT {} asked, {} valid now", what, config.count, valid.size())));
    }
    valid.resize(config.count);
    return valid;
  }
  return valid;
}

} // namespace sigil::keyless
