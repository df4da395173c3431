// sigil trusted-root create, sigil signing-config create: the trust material and service list of
// a private Sigstore deployment, as cosign 3's commands of the same names write them.
//
// Each service is one repeatable flag whose value is a comma-separated list: cosign's
// key=value form ("url=https://rekor.example,public-key=rekor.pub,start-time=2025-01-01T00:00:00Z")
// or a file first ("rekor.pub,url=...", and cosign 3.0's "rekor.pub,rekor.example" for a Rekor v2
// origin).
#include "command.hpp"
#include "output.hpp"

#include "sigil/crypto/key.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/keyless/signing_config.hpp"
#include "sigil/trust/trusted_root.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/number.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <map>

namespace sigil::cli {

namespace {

using Spec = std::map<std::string, std::string>;

std::vector<std::string_view> split_commas(std::string_view text)
{
  std::vector<std::string_view> out;
  for (std::size_t at = 0;;) {
    const auto comma = text.find(',', at);
    out.push_back(text.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
    if (comma == std::string_view::npos) {
      return out;
    }
    at = comma + 1;
  }
}

// "a,b=c,..." -> {file_key: a, b: c}; bare items after the first go to `second_key` (or fail).
Result<Spec> parse_spec(std::string_view flag, std::string_view text, std::string_view file_key,
                        std::span<const std::string_view> keys, std::string_view second_key = {})
{
  Spec out;
  std::size_t bare = 0;
  for (const std::string_view item : split_commas(text)) {
    const auto eq = item.find('=');
    std::string key = eq == std::string_view::npos ? "" : std::string(item.substr(0, eq));
    std::string value(eq == std::string_view::npos ? item : item.substr(eq + 1));
    if (key.empty()) {
      key = bare == 0 ? std::string(file_key) : std::string(second_key);
      ++bare;
    }
    if (key.empty() || std::ranges::find(keys, key) == keys.end()) {
      return fail(ErrorCode::usage, fmt::format("{} {}: unknown part \"{}\" (known: {})", flag, text, item,
                                                fmt::join(keys, ", ")));
    }
    if (value.empty() || !out.emplace(key, value).second) {
      return fail(ErrorCode::usage, fmt::format("{} {}: \"{}\" is empty or given twice", flag, text, key));
    }
  }
  return out;
}

Result<std::optional<std::int64_t>> spec_time(const Spec& spec, const std::string& key, std::string_view flag)
{
  const auto it = spec.find(key);
  if (it == spec.end()) {
    return std::optional<std::int64_t>{};
  }
  const auto t = util::parse_rfc3339(it->second);
  if (!t) {
    return fail(ErrorCode::usage, fmt::format("{}: {} \"{}\" is not an RFC 3339 time (2025-01-01T00:00:00Z)", flag,
                                              key, it->second));
  }
  return std::optional(t->seconds);
}

std::string spec_value(const Spec& spec, const std::string& key)
{
  const auto it = spec.find(key);
  return it == spec.end() ? std::string() : it->second;
}

Result<void> check_url(std::string_view flag, const std::string& url)
{
  if (!url.empty() && !url.starts_with("https://") && !url.starts_with("http://")) {
    return fail(ErrorCode::usage, fmt::format("{}: url \"{}\" is not an http(s) URL", flag, url));
  }
  return {};
}

// --- trusted-root create ------------------------------------------------------------------------

struct RootOptions {
  std::vector<std::string> fulcio, rekor, ctfe, tsa;
  std::string out;
};

constexpr std::array<std::string_view, 4> k_ca_keys{"url", "certificate-chain", "start-time", "end-time"};
constexpr std::array<std::string_view, 5> k_log_keys{"url", "public-key", "origin", "start-time", "end-time"};

// Every certificate that issues another, and the last, must be a CA (basicConstraints CA:TRUE
// and keyCertSign): a root whose anchor is a leaf would make any certificate that leaf's key
// signed look issued by a trusted authority. A TSA chain starts with the TSA's own (leaf)
// certificate; a Fulcio chain is CAs only.
Result<void> issuers_are_cas(std::string_view flag, const std::string& path,
                             const std::vector<crypto::Certificate>& chain, bool leaf_first)
{
  if (leaf_first && chain.size() < 2) {
    return fail(ErrorCode::bad_input, fmt::format("{} {}: one certificate: give the TSA's certificate and the CA "
                                                  "certificates that issued it, root last",
                                                  flag, path));
  }
  for (std::size_t i = leaf_first ? 1 : 0; i < chain.size(); ++i) {
    auto ca = crypto::cert_is_ca(chain[i]);
    if (!ca || !*ca) {
      return fail(ErrorCode::bad_input,
                  fmt::format("{} {}: certificate {} is not a certificate authority ({}): {}", flag, path, i + 1,
                              ca ? "no basicConstraints CA:TRUE with keyCertSign" : ca.error().message,
                              leaf_first ? "list the TSA's certificate first, then its CAs, root last"
                                         : "a Fulcio chain lists CA certificates only, root last"));
    }
  }
  return {};
}

// A certificate chain, leaf-most first: each certificate issued by the next, the last a CA.
Result<trust::CertificateAuthority> authority(std::string_view flag, const std::string& text, bool leaf_first)
{
  SIGIL_TRY_ASSIGN(const auto spec, parse_spec(flag, text, "certificate-chain", k_ca_keys));
  const std::string path = spec_value(spec, "certificate-chain");
  if (path.empty()) {
    return fail(ErrorCode::usage, fmt::format("{} {}: say which file holds the chain (certificate-chain=FILE)", flag, text));
  }
  SIGIL_TRY_ASSIGN(const auto pem, util::read_file(path, 1 << 20));
  auto chain = crypto::Certificate::chain_from_pem(pem);
  if (!chain) {
    return fail(chain.error().context(fmt::format("{} {}", flag, path)));
  }
  for (std::size_t i = 0; i + 1 < chain->size(); ++i) {
    if ((*chain)[i].issuer_text() != (*chain)[i + 1].subject_text()) {
      return fail(ErrorCode::bad_input, fmt::format("{} {}: certificate {} is not issued by certificate {} (list the "
                                                    "chain leaf-most first, root last)",
                                                    flag, path, i + 1, i + 2));
    }
  }
  SIGIL_TRY(issuers_are_cas(flag, path, *chain, leaf_first));
  trust::CertificateAuthority ca;
  ca.uri = spec_value(spec, "url");
  SIGIL_TRY(check_url(flag, ca.uri));
  SIGIL_TRY_ASSIGN(ca.valid_for.start, spec_time(spec, "start-time", flag));
  SIGIL_TRY_ASSIGN(ca.valid_for.end, spec_time(spec, "end-time", flag));
  if (!ca.valid_for.start) {
    ca.valid_for.start = chain->front().not_before();
  }
  ca.chain = std::move(*chain);
  return ca;
}

// A Rekor or CT log key. Rekor v2 logs are found by their origin (the host name): origin=HOST
// gives the URL https://HOST when none is given.
Result<trust::TransparencyLog> transparency_log(std::string_view flag, const std::string& text)
{
  SIGIL_TRY_ASSIGN(const auto spec, parse_spec(flag, text, "public-key", k_log_keys, "origin"));
  const std::string path = spec_value(spec, "public-key");
  if (path.empty()) {
    return fail(ErrorCode::usage, fmt::format("{} {}: say which file holds the key (public-key=FILE)", flag, text));
  }
  SIGIL_TRY_ASSIGN(const auto pem, util::read_file(path, 1 << 20));
  auto key = crypto::PublicKey::from_pem(pem);
  if (!key) {
    return fail(key.error().context(fmt::format("{} {}", flag, path)));
  }
  std::string url = spec_value(spec, "url");
  if (url.empty() && spec.contains("origin")) {
    url = "https://" + spec_value(spec, "origin");
  }
  SIGIL_TRY(check_url(flag, url));
  trust::Validity valid;
  SIGIL_TRY_ASSIGN(valid.start, spec_time(spec, "start-time", flag));
  SIGIL_TRY_ASSIGN(valid.end, spec_time(spec, "end-time", flag));
  valid.start = valid.start.value_or(0); // a log needs a start: since always, as cosign's variables
  return trust::log_for_key(*key, std::move(url), valid);
}

Result<int> create_root(const RootOptions& o)
{
  if (o.fulcio.empty() && o.rekor.empty() && o.ctfe.empty() && o.tsa.empty()) {
    return fail(ErrorCode::usage, "say what the root trusts: --fulcio, --rekor, --ctfe and/or --tsa");
  }
  trust::TrustedRoot root;
  for (const auto& text : o.fulcio) {
    SIGIL_TRY_ASSIGN(auto ca, authority("--fulcio", text, false));
    root.certificate_authorities.push_back(std::move(ca));
  }
  for (const auto& text : o.tsa) {
    SIGIL_TRY_ASSIGN(auto ca, authority("--tsa", text, true));
    root.timestamp_authorities.push_back(std::move(ca));
  }
  for (const auto& text : o.rekor) {
    SIGIL_TRY_ASSIGN(auto log, transparency_log("--rekor", text));
    root.tlogs.push_back(std::move(log));
  }
  for (const auto& text : o.ctfe) {
    SIGIL_TRY_ASSIGN(auto log, transparency_log("--ctfe", text));
    root.ctlogs.push_back(std::move(log));
  }
  const std::string json = trust::trusted_root_json(root);
  auto back = trust::parse_trusted_root(json); // what sigil writes, sigil reads
  auto checked = back ? trust::check_certificates(*back) : Result<void>(fail(back.error()));
  if (!checked) {
    return fail(ErrorCode::internal,
                fmt::format("the trusted root written does not read back: {}", checked.error().message));
  }
  if (o.out.empty()) {
    print_result(json);
    return 0;
  }
  SIGIL_TRY(util::write_file_atomic({o.out, util::as_bytes(json), 0644, util::Overwrite::yes}));
  print_info("Trusted root written to {}", o.out);
  return 0;
}

// --- signing-config create ----------------------------------------------------------------------

struct ConfigOptions {
  std::vector<std::string> fulcio, oidc, rekor, tsa;
  std::string rekor_config = "ANY";
  std::string tsa_config = "ANY";
  std::string out;
};

constexpr std::array<std::string_view, 5> k_service_keys{"url", "api-version", "start-time", "end-time", "operator"};

Result<keyless::Service> service(std::string_view flag, const std::string& text, std::int64_t now)
{
  SIGIL_TRY_ASSIGN(const auto spec, parse_spec(flag, text, "url", k_service_keys));
  keyless::Service s;
  s.url = spec_value(spec, "url");
  if (s.url.empty()) {
    return fail(ErrorCode::usage, fmt::format("{} {}: say where the service is (url=URL)", flag, text));
  }
  SIGIL_TRY(check_url(flag, s.url));
  const std::string version = spec_value(spec, "api-version");
  const auto major = version.empty() ? std::optional<std::uint64_t>(1) : util::parse_uint(version, 1000);
  if (!major || *major == 0) {
    return fail(ErrorCode::usage, fmt::format("{} {}: api-version must be 1, 2, ...", flag, text));
  }
  s.major_api_version = static_cast<std::uint32_t>(*major);
  SIGIL_TRY_ASSIGN(const auto start, spec_time(spec, "start-time", flag));
  SIGIL_TRY_ASSIGN(const auto end, spec_time(spec, "end-time", flag));
  s.valid_from = std::chrono::sys_seconds(std::chrono::seconds(start.value_or(now)));
  if (end) {
    s.valid_until = std::chrono::sys_seconds(std::chrono::seconds(*end));
  }
  s.operator_name = spec_value(spec, "operator");
  if (s.operator_name.empty()) { // the host, as Sigstore names its operators ("sigstore.dev")
    const std::string_view rest = std::string_view(s.url).substr(s.url.find("://") + 3);
    s.operator_name = std::string(rest.substr(0, rest.find_first_of(":/")));
  }
  return s;
}

Result<keyless::ServiceConfig> service_config(std::string_view flag, const std::string& text)
{
  if (text == "ANY" || text == "ALL") {
    return keyless::ServiceConfig{.selector = text == "ANY" ? keyless::Selector::any : keyless::Selector::all, .count = 0};
  }
  if (text.starts_with("EXACT:")) {
    if (const auto n = util::parse_uint(std::string_view(text).substr(6), 1000); n && *n > 0) {
      return keyless::ServiceConfig{.selector = keyless::Selector::exact, .count = static_cast<std::uint32_t>(*n)};
    }
  }
  return fail(ErrorCode::usage, fmt::format("{} {}: want ANY, ALL or EXACT:N", flag, text));
}

Result<int> create_config(const ConfigOptions& o)
{
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  keyless::SigningConfig config;
  const auto add = [now](std::string_view flag, const std::vector<std::string>& texts,
                         std::vector<keyless::Service>& out) -> Result<void> {
    for (const auto& text : texts) {
      SIGIL_TRY_ASSIGN(auto s, service(flag, text, now));
      out.push_back(std::move(s));
    }
    return {};
  };
  SIGIL_TRY(add("--fulcio", o.fulcio, config.ca_urls));
  SIGIL_TRY(add("--oidc-provider", o.oidc, config.oidc_urls));
  SIGIL_TRY(add("--rekor", o.rekor, config.rekor_tlog_urls));
  SIGIL_TRY(add("--tsa", o.tsa, config.tsa_urls));
  if (config.ca_urls.empty() && config.rekor_tlog_urls.empty() && config.tsa_urls.empty()) {
    return fail(ErrorCode::usage, "say which services to use: --fulcio, --rekor and/or --tsa (and --oidc-provider)");
  }
  SIGIL_TRY_ASSIGN(config.rekor_tlog_config, service_config("--rekor-config", o.rekor_config));
  SIGIL_TRY_ASSIGN(config.tsa_config, service_config("--tsa-config", o.tsa_config));
  const std::string json = keyless::signing_config_json(config);
  if (auto back = keyless::parse_signing_config(json); !back) {
    return fail(ErrorCode::internal, fmt::format("the signing config written does not read back: {}", back.error().message));
  }
  if (o.out.empty()) {
    print_result(json);
    return 0;
  }
  SIGIL_TRY(util::write_file_atomic({o.out, util::as_bytes(json), 0644, util::Overwrite::yes}));
  print_info("Signing config written to {}", o.out);
  return 0;
}

CLI::App* add_create(Commands& commands, CLI::App* parent, const std::string& what, const std::string& examples)
{
  auto* app = parent->add_subcommand("create", what);
  app->footer("\nExamples:\n" + examples);
  app->fallthrough();
  commands.add_nested(app);
  return app;
}

} // namespace

void register_trusted_root(Commands& commands)
{
  auto* parent = commands.add("trusted-root", "Write a Sigstore trusted root (trusted_root.json) for a private deployment",
                              "  sigil trusted-root create --fulcio certificate-chain=fulcio-chain.pem \\\n"
                              "    --rekor url=https://rekor.example,public-key=rekor.pub --ctfe public-key=ctfe.pub\n");
  parent->require_subcommand(1);
  auto* app = add_create(
      commands, parent, "Write a trusted root from certificate chains and log keys (cosign trusted-root create)",
      "  sigil trusted-root create --fulcio url=https://fulcio.example,certificate-chain=fulcio.pem \\\n"
      "    --rekor url=https://rekor.example,public-key=rekor.pub,start-time=2025-01-01T00:00:00Z \\\n"
      "    --ctfe public-key=ctfe.pub --tsa certificate-chain=tsa-chain.pem --out trusted_root.json\n"
      "  sigil trusted-root create --certificate-chain fulcio.pem --rekor-key rekor2.pub,log.example.test\n");
  auto o = std::make_shared<RootOptions>();
  const std::string times = " start-time=T, end-time=T (RFC 3339; a CA starts at its first certificate's notBefore, a "
                            "log since always)";
  app->add_option("--fulcio,--certificate-chain,--fulcio-cert", o->fulcio,
                  "A certificate authority: [certificate-chain=]FILE (PEM, leaf-most first, root last), url=URL," + times);
  app->add_option("--rekor,--rekor-key", o->rekor,
                  "A transparency log: [public-key=]FILE (PEM), url=URL, origin=HOST (Rekor v2; also as the second "
                  "item)," + times);
  app->add_option("--ctfe,--ctfe-key,--ctlog-key", o->ctfe, "A certificate transparency log: [public-key=]FILE, url=URL," + times);
  app->add_option("--tsa,--timestamp-certificate-chain,--tsa-chain", o->tsa,
                  "A timestamp authority: [certificate-chain=]FILE (PEM, TSA certificate first, root last), url=URL," + times);
  app->add_option("--out", o->out, "Write to FILE (atomically) instead of stdout");
  commands.set_run(app, [o] { return create_root(*o); });
}

void register_signing_config(Commands& commands)
{
  auto* parent = commands.add("signing-config", "Write a Sigstore signing config (v0.2) for a private deployment",
                              "  sigil signing-config create --fulcio url=https://fulcio.example \\\n"
                              "    --rekor url=https://rekor.example --tsa url=https://tsa.example/api/v1/timestamp\n");
  parent->require_subcommand(1);
  auto* app = add_create(
      commands, parent, "Write a signing config listing where Fulcio, Rekor, TSAs and the OIDC issuer are",
      "  sigil signing-config create --fulcio url=https://fulcio.example --oidc-provider url=https://gitlab.example \\\n"
      "    --rekor url=https://rekor.example --rekor url=https://log.example,api-version=2 --rekor-config ANY \\\n"
      "    --tsa url=https://tsa.example/api/v1/timestamp --out signing_config.json\n");
  auto o = std::make_shared<ConfigOptions>();
  const std::string parts =
      ": url=URL (or the URL alone), api-version=N (default 1), start-time=T (default now), end-time=T, operator=NAME "
      "(default the URL's host)";
  app->add_option("--fulcio,--ca", o->fulcio, "A Fulcio instance" + parts);
  app->add_option("--oidc-provider", o->oidc, "An OIDC issuer" + parts);
  app->add_option("--rekor", o->rekor, "A Rekor log" + parts);
  app->add_option("--tsa", o->tsa, "A timestamp authority" + parts);
  app->add_option("--rekor-config", o->rekor_config, "Which logs to use: ANY, ALL or EXACT:N")->capture_default_str();
  app->add_option("--tsa-config", o->tsa_config, "Which TSAs to use: ANY, ALL or EXACT:N")->capture_default_str();
  app->add_option("--out", o->out, "Write to FILE (atomically) instead of stdout");
  commands.set_run(app, [o] { return create_config(*o); });
}

} // namespace sigil::cli
