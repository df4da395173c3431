// sigil::keyless where the Sigstore services are: protobuf-specs SigningConfig v0.2
// (application/vnd.dev.sigstore.signingconfig.v0.2+json), and the choice among them.
//
// caUrls, oidcUrls, rekorTlogUrls, tsaUrls: each a URL with the service's major API version,
// a validity window (start inclusive, end inclusive when present) and an operator.
// rekorTlogConfig / tsaConfig: which logs and TSAs to use: ANY (one), ALL, EXACT{count}.
// Selection follows sigstore-go (pkg/root/signing_config.go): services valid now with the
// highest API version sigil speaks that has any (never a mix of versions), in file order; one
// per operator.
#pragma once

#include "sigil/core/result.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::keyless {

constexpr std::string_view k_signing_config_v02 = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

struct Service {
  std::string url;
  std::uint32_t major_api_version = 0;
  std::chrono::sys_seconds valid_from{};
  std::optional<std::chrono::sys_seconds> valid_until;
  std::string operator_name;
};

enum class Selector { any, all, exact };

struct ServiceConfig {
  Selector selector = Selector::any;
  std::uint32_t count = 0; // EXACT only
};

struct SigningConfig {
  std::vector<Service> ca_urls;
  std::vector<Service> oidc_urls;
  std::vector<Service> rekor_tlog_urls;
  std::vector<Service> tsa_urls;
  ServiceConfig rekor_tlog_config;
  ServiceConfig tsa_config;
};

// Never throws; unknown fields are ignored (forward compatibility), wrong types refused.
[[nodiscard]] Result<SigningConfig> parse_signing_config(std::string_view json);

// The config as SigningConfig v0.2 JSON (camelCase, RFC 3339 UTC times), indented, with a final
// newline; parse_signing_config reads back what this writes.
[[nodiscard]] std::string signing_config_json(const SigningConfig& config);

// The services to use at `now` among `services` whose major API version is in `supported`:
// ANY gives one, ALL every one, EXACT exactly `count` (an error when fewer are valid). `what`
// names the list in errors ("rekorTlogUrls"). An empty list gives an empty answer.
[[nodiscard]] Result<std::vector<Service>> select_services(const std::vector<Service>& services,
                                                           const ServiceConfig& config,
                                                           std::span<const std::uint32_t> supported,
                                                           std::chrono::sys_seconds now, std::string_view what);

} // namespace sigil::keyless
