#include "keyless_sign_flags.hpp"

#include "output.hpp"

#include "sigil/core/env.hpp"
#include "sigil/core/version.hpp"
#include "sigil/keyless/oidc_token.hpp"
#include "sigil/keyless/service.hpp"
#include "sigil/keyless/signing_config.hpp"
#include "sigil/sign/image.hpp"
#include "sigil/sign/keyless_checks.hpp"
#include "sigil/trust/trusted_root.hpp"
#include "sigil/util/file.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>

#include <fcntl.h>
#include <unistd.h>

namespace sigil::cli {

namespace {

constexpr std::string_view k_public_fulcio = "https://fulcio.sigstore.dev";
constexpr std::string_view k_public_rekor = "https://rekor.sigstore.dev";

struct Services {
  std::string fulcio;
  std::string rekor;
  keyless::RekorApi rekor_api = keyless::RekorApi::v1;
  std::string tsa;
};

std::int64_t now_seconds()
{
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Flags first, then the signing config, then the public-good instance (Fulcio, Rekor v1, no TSA).
// --rekor-url is a Rekor v1 URL (as cosign 3: Rekor v2 comes from a signing config, whose
// rekorTlogUrls with majorApiVersion 2 win over v1 ones). The config is --signing-config's, else
// the one TUF gave (tuf_config).
Result<Services> choose_services(const KeylessSignFlags& f, const std::optional<std::string>& tuf_config)
{
  Services s{f.fulcio_url, f.rekor_url, keyless::RekorApi::v1, f.timestamp_server_url};
  if (!f.signing_config.empty() || tuf_config) {
    SIGIL_TRY_ASSIGN(const auto text,
                     tuf_config ? Result<std::string>{*tuf_config} : util::read_file(f.signing_config));
    auto config = keyless::parse_signing_config(text);
    if (!config) {
      return fail(config.error().context(tuf_config ? std::string{"signing_config.v0.2.json from TUF"}
                                                    : fmt::format("reading --signing-config {}", f.signing_config)));
    }
    const auto now = std::chrono::sys_seconds{std::chrono::seconds{now_seconds()}};
    constexpr std::array<std::uint32_t, 1> k_v1{1};
    constexpr std::array<std::uint32_t, 2> k_rekor{1, 2};
    SIGIL_TRY_ASSIGN(const auto cas, keyless::select_services(config->ca_urls, {}, k_v1, now, "caUrls"));
    SIGIL_TRY_ASSIGN(const auto logs, keyless::select_services(config->rekor_tlog_urls, config->rekor_tlog_config,
                                                               k_rekor, now, "rekorTlogUrls"));
    SIGIL_TRY_ASSIGN(const auto tsas,
                     keyless::select_services(config->tsa_urls, config->tsa_config, k_v1, now, "tsaUrls"));
    if (s.fulcio.empty() && !cas.empty()) {
      s.fulcio = cas.front().url;
    }
    if (s.rekor.empty() && !logs.empty()) {
      s.rekor = logs.front().url;
      s.rekor_api = logs.front().major_api_version == 2 ? keyless::RekorApi::v2 : keyless::RekorApi::v1;
    }
    if (s.tsa.empty() && !tsas.empty()) {
      s.tsa = tsas.front().url;
    }
  }
  if (s.fulcio.empty()) {
    s.fulcio = k_public_fulcio;
  }
  if (s.rekor.empty()) {
    s.rekor = k_public_rekor;
  }
  return s;
}

// On a terminal, unless --yes: "y" or "yes" goes on, anything else stops. Without a terminal
// (CI) there is nobody to ask: go on, as cosign does.
Result<void> confirm(bool yes)
{
  if (yes || ::isatty(STDIN_FILENO) != 1 || ::isatty(STDERR_FILENO) != 1) {
    return {};
  }
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) {
    return {};
  }
  constexpr std::string_view prompt = "Are you sure you want to publish this? [y/N] ";
  (void)!::write(tty, prompt.data(), prompt.size());
  std::string answer;
  char c = 0;
  while (answer.size() < 16 && ::read(tty, &c, 1) == 1 && c != '\n') {
    answer.push_back(c);
  }
  ::close(tty);
  if (answer == "y" || answer == "Y" || answer == "yes") {
    return {};
  }
  return fail(ErrorCode::usage, "not confirmed: nothing was signed or published (pass -y to skip the question)");
}

// What Fulcio, Rekor and the TSA return is verified against --trusted-root, else cosign's
// SIGSTORE_* files, else TUF's trusted root; with TUF turned off and neither, it is refused.
// TUF gives the trusted root and the signing config when nothing else names them (nullopt when
// something does, or TUF is turned off).
Result<std::optional<TufTrust>> default_trust(const KeylessSignFlags& f)
{
  const auto set = [](std::string_view name) { return !core::env::get(name).value_or("").empty(); };
  if (!f.trusted_root.empty() || !f.signing_config.empty() || set("SIGSTORE_ROOT_FILE") ||
      set("SIGSTORE_REKOR_PUBLIC_KEY") || set("SIGSTORE_CT_LOG_PUBLIC_KEY_FILE")) {
    return std::optional<TufTrust>{};
  }
  return tuf_trust(f.tuf);
}

Result<std::shared_ptr<const trust::TrustedRoot>> signing_trust(const KeylessSignFlags& f,
                                                                const std::optional<TufTrust>& tuf)
{
  if (tuf) {
    auto root = trust::parse_trusted_root(tuf->files.trusted_root);
    if (!root) {
      return fail(root.error().context(fmt::format("trusted_root.json from TUF {}", tuf->mirror)));
    }
    return std::make_shared<const trust::TrustedRoot>(std::move(*root));
  }
  if (!f.trusted_root.empty()) {
    auto root = trust::load_trusted_root_file(f.trusted_root);
    if (!root) {
      return fail(root.error().context(fmt::format("reading --trusted-root {}", f.trusted_root)));
    }
    return std::make_shared<const trust::TrustedRoot>(std::move(*root));
  }
  SIGIL_TRY_ASSIGN(auto from_env, trust::trusted_root_from_cosign_env(std::nullopt));
  if (!from_env) {
    return fail(ErrorCode::usage, "keyless signing verifies what Fulcio and Rekor answer: pass --trusted-root FILE "
                                  "(or set SIGSTORE_ROOT_FILE, SIGSTORE_REKOR_PUBLIC_KEY and "
                                  "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE; with a TSA, SIGSTORE_TSA_CERTIFICATE_FILE; or "
                                  "a TUF repository: --tuf-mirror, SIGIL_TUF_MIRROR, not none)");
  }
  return std::make_shared<const trust::TrustedRoot>(std::move(*from_env));
}

// Rekor v2 (the 2026 rules of the public log) gives no SET: a timestamp is required, and
// cosign's legacy annotations, which carry the SET, cannot be written.
Result<void> check_rekor_v2(const Services& s, const KeylessSignFlags& f, bool legacy_output)
{
  if (s.rekor_api != keyless::RekorApi::v2) {
    return {};
  }
  const std::string config =
      f.signing_config.empty() ? std::string("the signing config from TUF") : "--signing-config " + f.signing_config;
  if (s.tsa.empty()) {
    return fail(ErrorCode::usage, fmt::format("the Rekor v2 log {} (rekorTlogUrls majorApiVersion 2 in {}) gives no "
                                              "signing time: keyless signing with it needs an RFC 3161 timestamp; pass "
                                              "--timestamp-server-url URL or list tsaUrls in the signing config",
                                              s.rekor, config));
  }
  if (legacy_output) {
    return fail(ErrorCode::usage,
                fmt::format("the Rekor v2 log {} ({}): {}", s.rekor, config, sign::k_legacy_needs_set));
  }
  return {};
}

keyless::ServiceRetry service_retry(const KeylessSignFlags& f)
{
  keyless::ServiceRetry retry;
  const double seconds = f.registry != nullptr ? f.registry->timeout_seconds : f.timeout_seconds;
  retry.max_total = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  if (f.registry != nullptr) {
    retry.max_attempts = f.registry->max_attempts;
  }
  return retry;
}

std::unique_ptr<http::Transport> service_transport(const GlobalOptions& global, std::chrono::milliseconds timeout)
{
  http::TransportOptions options;
  options.user_agent = fmt::format("sigil/{}", core::version());
  options.request_timeout = timeout;
  if (global.verbose) {
    options.log = [](std::string_view line) { print_info("sigil: http: {}", line); };
  }
  return http::make_curl_transport(std::move(options));
}

} // namespace

void add_keyless_sign_flags(CLI::App* app, KeylessSignFlags& f)
{
  app->add_option("--identity-token", f.identity_token,
                  "OIDC identity token for keyless signing, or @FILE (default: SIGSTORE_ID_TOKEN); never printed");
  app->add_option("--oidc-client-id", f.oidc_client_id, "Audience the identity token must have")->capture_default_str();
  app->add_option("--fulcio-url", f.fulcio_url, "Fulcio (certificate authority) URL (default: https://fulcio.sigstore.dev)");
  app->add_option("--rekor-url", f.rekor_url,
                  "Rekor v1 (transparency log) URL (default: the signing config's log, else https://rekor.sigstore.dev)");
  app->add_option("--timestamp-server-url", f.timestamp_server_url,
                  "RFC 3161 timestamp authority URL (e.g. https://tsa.example/api/v1/timestamp)");
  app->add_option("--signing-config", f.signing_config,
                  "Sigstore SigningConfig v0.2 file naming the services (a Rekor v2 log, majorApiVersion 2, is preferred: "
                  "it needs a timestamp authority and writes bundles only)");
  app->add_option("--trusted-root", f.trusted_root,
                  "Sigstore trusted root file to verify what Fulcio, Rekor and the TSA return");
  app->add_flag("-y,--yes", f.yes, "Publish to the transparency log without asking on a terminal");
  if (f.registry == nullptr) {
    app->add_option("--timeout", f.timeout_seconds,
                    "Seconds per request to Fulcio, Rekor and the TSA, and for all retries of one request")
        ->check(CLI::Range(1.0, 3600.0))
        ->capture_default_str();
  }
  add_tuf_flags(app, f.tuf);
}

Result<OpenedSigner> open_any_signer(const SignerFlags& f, const GlobalOptions& global, std::string_view what)
{
  OpenedSigner out;
  if (!f.key.empty()) {
    SIGIL_TRY_ASSIGN(out.key, open_signer(f.key, f.password_file, key_file_mode(f.allow_insecure_key_permissions)));
    return out;
  }
  SIGIL_TRY_ASSIGN(out.keyless, open_keyless(f.keyless, global, what, f.legacy_output));
  if (!out.keyless) {
    if (::isatty(STDERR_FILENO) == 1) {
      print_note("sigil opens no browser to log in: get an OIDC ID token whose audience is \"sigstore\" from "
                 "your identity provider (what a CI job is given, e.g. GitLab's id_tokens), save it to a file "
                 "(chmod 600) and pass --identity-token @FILE");
    }
    return fail(ErrorCode::usage,
                "nothing to sign with: pass --key KEY, or an OIDC identity token for keyless signing: in GitLab CI, "
                "give the job `id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore`; elsewhere pass --identity-token @FILE "
                "(or set SIGSTORE_ID_TOKEN)");
  }
  return out;
}

Result<std::optional<KeylessSession>> open_keyless(const KeylessSignFlags& f, const GlobalOptions& global,
                                                   std::string_view what, bool legacy_output)
{
  SIGIL_TRY_ASSIGN(auto raw, keyless::find_identity_token(f.identity_token));
  if (!raw) {
    return std::optional<KeylessSession>{};
  }
  SIGIL_TRY_ASSIGN(auto token, keyless::make_identity_token(
                                 raw->chars(), {.audience = f.oidc_client_id, .now = now_seconds(), .skew_seconds = 10}));
  SIGIL_TRY_ASSIGN(const auto tuf, default_trust(f));
  SIGIL_TRY_ASSIGN(const auto services, choose_services(f, tuf ? tuf->files.signing_config : std::nullopt));
  SIGIL_TRY(check_rekor_v2(services, f, legacy_output));
  SIGIL_TRY_ASSIGN(auto root, signing_trust(f, tuf));
  SIGIL_TRY_ASSIGN(auto fulcio, keyless::service_url(services.fulcio, "--fulcio-url"));
  SIGIL_TRY_ASSIGN(auto rekor, keyless::service_url(services.rekor, "--rekor-url"));
  std::optional<http::Url> tsa;
  if (!services.tsa.empty()) {
    SIGIL_TRY_ASSIGN(tsa, keyless::service_url(services.tsa, "--timestamp-server-url"));
  }
  const bool v2 = services.rekor_api == keyless::RekorApi::v2;
  print_info("Keyless signing as {} (issuer {}): the signature of {} and this identity will be published in the "
             "transparency log {}{}, where they cannot be removed.",
             token.identity(), token.issuer(), what, rekor.origin(), v2 ? " (Rekor v2)" : "");
  SIGIL_TRY(confirm(f.yes));
  KeylessSession session;
  session.rekor_v2 = v2;
  const auto retry = service_retry(f);
  session.transport = service_transport(global, retry.max_total);
  session.signer = std::make_unique<sign::KeylessSigner>(
      sign::KeylessSignerRequest{.transport = *session.transport,
                                 .token = std::move(token),
                                 .fulcio = std::move(fulcio),
                                 .rekor = std::move(rekor),
                                 .rekor_api = services.rekor_api,
                                 .tsa = std::move(tsa),
                                 .checks = sign::checks_from_trusted_root(std::move(root)),
                                 .retry = retry});
  return std::optional<KeylessSession>{std::move(session)};
}

} // namespace sigil::cli
