#include "sigil/keyless/signing_config.hpp"

#include "sigil/util/json.hpp"
#include "sigil/util/number.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::keyless {

namespace {

constexpr std::size_t k_max_services = 64;

Error config_error(std::string_view why)
{
  return Error{ErrorCode::bad_input, fmt::format("signing config: {}", why)};
}

std::optional<unsigned> digits(std::string_view text, std::size_t pos, std::size_t count)
{
  if (pos + count > text.size()) {
    return std::nullopt;
  }
  const auto v = util::parse_uint(text.substr(pos, count), 9999);
  if (!v) {
    return std::nullopt;
  }
  return static_cast<unsigned>(*v);
}

// The offset part after the seconds: fraction, then Z or +hh:mm / -hh:mm; seconds to subtract.
std::optional<std::int64_t> offset_seconds(std::string_view rest)
{
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    std::size_t n = 0;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
      ++n;
    }
    if (n == 0) {
      return std::nullopt;
    }
    rest.remove_prefix(n);
  }
  if (rest == "Z" || rest == "z") {
    return 0;
  }
  if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':') {
    return std::nullopt;
  }
  const auto h = digits(rest, 1, 2);
  const auto m = digits(rest, 4, 2);
  if (!h || !m || *h > 23 || *m > 59) {
    return std::nullopt;
  }
  const std::int64_t s = (*h * 60 + *m) * 60;
  return rest[0] == '+' ? s : -s;
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
  const auto from = parse_rfc3339(start);
  if (!from) {
    return fail(config_error(fmt::format("{}: validFor.start is not an RFC 3339 time", what)));
  }
  s.valid_from = *from;
  if (const auto it = valid->find("end"); it != valid->end()) {
    s.valid_until = it->is_string() ? parse_rfc3339(it->get<std::string>()) : std::nullopt;
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

std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text)
{
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  const auto y = digits(text, 0, 4);
  const auto mo = digits(text, 5, 2);
  const auto d = digits(text, 8, 2);
  const auto h = digits(text, 11, 2);
  const auto mi = digits(text, 14, 2);
  const auto s = digits(text, 17, 2);
  const auto off = offset_seconds(text.substr(19));
  if (!y || !mo || !d || !h || !mi || !s || !off || *h > 23 || *mi > 59 || *s > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(*y)}, std::chrono::month{*mo},
                                        std::chrono::day{*d}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  const auto day = std::chrono::sys_days{ymd};
  return std::chrono::sys_seconds{day} + std::chrono::hours{*h} + std::chrono::minutes{*mi} +
         std::chrono::seconds{*s} - std::chrono::seconds{*off};
}

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
  std::vector<Service> valid;
  for (const auto& s : services) {
    const bool speaks = std::find(supported.begin(), supported.end(), s.major_api_version) != supported.end();
    const bool in_window = s.valid_from <= now && (!s.valid_until || now <= *s.valid_until);
    const bool new_operator = std::none_of(valid.begin(), valid.end(), [&](const Service& v) {
      return !v.operator_name.empty() && v.operator_name == s.operator_name;
    });
    if (speaks && in_window && new_operator) {
      valid.push_back(s);
    }
  }
  std::stable_sort(valid.begin(), valid.end(),
                   [](const Service& a, const Service& b) { return a.major_api_version > b.major_api_version; });
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
