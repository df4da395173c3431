#include "registry_flags.hpp"

#include "output.hpp"

#include "sigil/copy/layout_transport.hpp"

#include "sigil/core/env.hpp"
#include "sigil/core/version.hpp"
#include "sigil/oci/layout.hpp"
#include "sigil/registry/signature_repository.hpp"

#include <fmt/format.h>

namespace sigil::cli {

void add_registry_flags(CLI::App* app, RegistryFlags& flags)
{
  app->add_option("--registry-username", flags.username, "Registry user name (all registries)")->group("Registry");
  app->add_option("--registry-password", flags.password, "Registry password (prefer docker login / sigil login)")
    ->group("Registry");
  app->add_option("--registry-token", flags.token, "Registry bearer token")->group("Registry");
  app->add_option("--ca-file,--registry-cacert", flags.ca_file,
                  "CA certificates (PEM) trusted for registry TLS (default: SSL_CERT_FILE or the system store)")
      ->group("Registry");
  app->add_flag("--allow-insecure-registry", flags.allow_insecure, "Do not verify the registry's TLS certificate")
    ->group("Registry");
  app->add_flag("--allow-http-registry", flags.allow_http, "Allow plain HTTP to any registry (always allowed for loopback)")
    ->group("Registry");
  app->add_option("--max-attempts", flags.max_attempts, "Attempts per idempotent request (retries on 429/5xx/network errors)")
    ->check(CLI::Range(1, 20))
    ->capture_default_str()
    ->group("Registry");
  app->add_option("--timeout", flags.timeout_seconds, "Seconds per request and for all retries of one request")
    ->check(CLI::Range(1.0, 3600.0))
    ->capture_default_str()
    ->group("Registry");
}

std::unique_ptr<registry::Session> open_session(const RegistryFlags& flags, const GlobalOptions& global)
{
  registry::SessionOptions options;
  options.transport.user_agent = fmt::format("sigil/{}", core::version());
  options.transport.ca_file = !flags.ca_file.empty() ? flags.ca_file : core::env::get("SSL_CERT_FILE").value_or("");
  options.transport.insecure_skip_tls_verify = flags.allow_insecure;
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(flags.timeout_seconds * 1000));
  options.transport.request_timeout = timeout;
  options.client.retry.max_total = timeout;
  options.client.retry.max_attempts = flags.max_attempts;
  options.client.allow_http = flags.allow_http;
  if (global.verbose) {
    options.transport.log = [](std::string_view line) { print_info("sigil: http: {}", line); };
  }
  options.credentials = registry::CredentialFlags{flags.username, flags.password, flags.token, flags.source};
  if (flags.allow_insecure) {
    print_warning("--allow-insecure-registry: registry TLS certificates are NOT verified; anyone on the network path "
                  "can impersonate the registry");
  }
  if (!flags.local_layout.empty()) {
    // The --local option's callback checked that it is a layout; one that cannot be served now
    // (gone since, or tampered: a manifest that does not hash to its digest) fails every
    // request with why, and nothing ever reaches the network.
    return std::make_unique<registry::Session>(std::move(options), copy::layout_transport(flags.local_layout));
  }
  return std::make_unique<registry::Session>(std::move(options));
}

void add_local_flag(CLI::App* app, RegistryFlags& flags)
{
  app->add_option("--local", flags.local_layout,
                  "Read the image and its attachments from this OCI image layout (sigil save), offline")
    ->check([](const std::string& dir) -> std::string {
      auto layout = oci::Layout::open(dir);
      return layout ? std::string() : layout.error().message;
    });
}

Result<oci::Reference> parse_image(const std::string& text)
{
  auto ref = oci::Reference::parse(text);
  if (!ref) {
    return fail(ErrorCode::usage, ref.error().message);
  }
  if (ref->has_tag_and_digest()) {
    print_warning("{} has both a tag and a digest: using the digest", text);
  }
  return ref;
}

Result<oci::Reference> resolve_image(registry::Session& session, const std::string& text)
{
  SIGIL_TRY_ASSIGN(const auto ref, parse_image(text));
  SIGIL_TRY_ASSIGN(const auto resolved, session.client().resolve(ref));
  return ref.with_digest(resolved.digest);
}

Result<oci::Reference> resolve_image(const RegistryFlags& flags, const GlobalOptions& global, const std::string& text)
{
  const auto session = open_session(flags, global);
  return resolve_image(*session, text);
}

Result<ImageTarget> resolve_target(registry::Session& session, const std::string& text)
{
  SIGIL_TRY_ASSIGN(auto image, resolve_image(session, text));
  SIGIL_TRY_ASSIGN(auto repo, registry::signature_repository(image));
  return ImageTarget{std::move(image), std::move(repo)};
}

} // namespace sigil::cli
