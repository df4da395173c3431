#include "keyless_flags.hpp"

#include "output.hpp"

#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <chrono>

namespace sigil::cli {

bool KeylessFlags::wants_keyless() const
{
  return !identity.empty() || !identity_regexp.empty() || !issuer.empty() || !issuer_regexp.empty() ||
         !gitlab_project.empty() || !extensions.empty();
}

namespace {

void add_extension_flags(CLI::App* app, KeylessFlags& flags)
{
  for (const auto& info : keyless::known_extensions()) {
    if (info.oid_n == 8) {
      continue; // the issuer has its own flags
    }
    const int n = info.oid_n;
    app
      ->add_option_function<std::string>(
        std::string{info.flag}, [&flags, n](const std::string& value) { flags.extensions[n] = value; },
        fmt::format("Require the certificate's {} (Fulcio extension 1.3.6.1.4.1.57264.1.{}) to be exactly this",
                    info.name, n))
      ->group("Keyless: Fulcio extensions");
  }
}

void add_gitlab_flags(CLI::App* app, KeylessFlags& flags)
{
  const auto* group = "Keyless: GitLab CI";
  app->add_option("--gitlab-project", flags.gitlab_project,
                  "Signed by GitLab CI of GROUP/PROJECT: sets the issuer, the identity, the source repository and ref")
    ->group(group);
  app->add_option("--gitlab-ref", flags.gitlab_ref, "With --gitlab-project: the ref (glob, e.g. 'refs/tags/v*'; "
                                                    "'main' means refs/heads/main); default any ref")
    ->group(group);
  app->add_option("--gitlab-url", flags.gitlab_url, "With --gitlab-project: the GitLab instance (OIDC issuer)")
    ->capture_default_str()
    ->group(group);
  app->add_option("--gitlab-ci-config", flags.gitlab_ci_config, "With --gitlab-project: the CI configuration path")
    ->capture_default_str()
    ->group(group);
}

Result<void> add_matcher(std::optional<keyless::ValueMatcher>& slot, const std::string& exact,
                         const std::string& regexp, std::string_view flag)
{
  if (!exact.empty() && !regexp.empty()) {
    return fail(ErrorCode::usage, fmt::format("pass either --{0} or --{0}-regexp, not both", flag));
  }
  if (!exact.empty()) {
    slot = keyless::ValueMatcher::exact(exact);
  } else if (!regexp.empty()) {
    SIGIL_TRY_ASSIGN(auto m, keyless::ValueMatcher::regexp(regexp));
    slot = std::move(m);
  }
  return {};
}

Result<keyless::IdentityPolicy> make_identity(const KeylessFlags& flags)
{
  keyless::IdentityPolicy policy;
  SIGIL_TRY(add_matcher(policy.subject, flags.identity, flags.identity_regexp, "certificate-identity"));
  SIGIL_TRY(add_matcher(policy.issuer, flags.issuer, flags.issuer_regexp, "certificate-oidc-issuer"));
  if (!flags.gitlab_project.empty()) {
    keyless::GitlabShorthand gitlab{flags.gitlab_project, std::nullopt, flags.gitlab_url, flags.gitlab_ci_config};
    if (!flags.gitlab_ref.empty()) {
      gitlab.ref = flags.gitlab_ref;
    }
    SIGIL_TRY(keyless::add_gitlab_shorthand(policy, gitlab));
  } else if (!flags.gitlab_ref.empty()) {
    return fail(ErrorCode::usage, "--gitlab-ref needs --gitlab-project");
  }
  for (const auto& [n, value] : flags.extensions) {
    policy.extensions.push_back({n, keyless::ValueMatcher::exact(value)});
  }
  return policy;
}

Result<std::shared_ptr<trust::TrustedRoot>> load_root(const KeylessFlags& flags)
{
  const std::optional<std::string> tsa =
    flags.timestamp_chain.empty() ? std::nullopt : std::optional<std::string>{flags.timestamp_chain};
  if (!flags.trusted_root.empty()) {
    SIGIL_TRY_ASSIGN(auto root, trust::load_trusted_root_file(flags.trusted_root));
    return std::make_shared<trust::TrustedRoot>(std::move(root));
  }
  SIGIL_TRY_ASSIGN(auto from_env, trust::trusted_root_from_cosign_env(tsa));
  if (from_env) {
    return std::make_shared<trust::TrustedRoot>(std::move(*from_env));
  }
  if (flags.wants_keyless()) {
    return trusted_root_from_tuf(flags.tuf);
  }
  return std::shared_ptr<trust::TrustedRoot>{};
}

std::string when(std::int64_t t)
{
  return util::rfc3339_utc(std::chrono::system_clock::time_point{std::chrono::seconds{t}});
}

} // namespace

void add_keyless_flags(CLI::App* app, KeylessFlags& flags)
{
  const auto* group = "Keyless";
  app->add_option("--certificate-identity", flags.identity, "Expected certificate identity (SAN: email or URI), exact")
    ->group(group);
  app->add_option("--certificate-identity-regexp", flags.identity_regexp,
                  "Expected identity as an RE2 regexp matching the WHOLE SAN (unlike cosign, always anchored)")
    ->group(group);
  app->add_option("--certificate-oidc-issuer", flags.issuer, "Expected OIDC issuer (e.g. https://gitlab.com), exact")
    ->group(group);
  app->add_option("--certificate-oidc-issuer-regexp", flags.issuer_regexp,
                  "Expected OIDC issuer as an RE2 regexp matching the whole value")
    ->group(group);
  app->add_option("--trusted-root", flags.trusted_root,
                  "Sigstore trusted_root.json: Fulcio CAs, Rekor and CT log keys, timestamp authorities")
    ->group(group);
  app->add_option("--timestamp-certificate-chain", flags.timestamp_chain,
                  "PEM chain of a timestamp authority to trust (with the SIGSTORE_* variables)")
    ->group(group);
  app->add_flag("--insecure-ignore-tlog", flags.ignore_tlog,
                "Do not check transparency log entries (INSECURE: nothing proves when the signature was made)")
    ->group(group);
  app->add_flag("--insecure-ignore-sct", flags.ignore_sct,
                "Do not check the certificate's embedded SCT (INSECURE)")
    ->group(group);
  add_gitlab_flags(app, flags);
  add_extension_flags(app, flags);
  add_tuf_flags(app, flags.tuf);
}

Result<KeylessSetup> make_keyless_setup(const KeylessFlags& flags)
{
  KeylessSetup setup;
  SIGIL_TRY_ASSIGN(setup.policy.identity, make_identity(flags));
  SIGIL_TRY_ASSIGN(setup.root, load_root(flags));
  setup.policy.root = setup.root.get();
  setup.policy.ignore_tlog = flags.ignore_tlog;
  setup.policy.ignore_sct = flags.ignore_sct;
  if (flags.ignore_tlog) {
    setup.policy.tlog_threshold = 0;
    print_warning("--insecure-ignore-tlog: transparency log entries are not checked");
  }
  if (flags.ignore_sct) {
    print_warning("--insecure-ignore-sct: the certificate's SCT is not checked");
  }
  return setup;
}

void print_keyless_summary(const verify::SigstoreVerified& verified)
{
  if (verified.identity) {
    print_info("Certificate identity: {}", verified.identity->subject);
    print_info("Certificate issuer:   {}", verified.identity->issuer);
  }
  for (const auto index : verified.log_indexes) {
    print_info("Transparency log index: {}", index);
  }
  for (const auto& t : verified.times) {
    print_info("Signing time: {} ({}, {})", when(t.time), t.kind, t.by);
  }
  for (const auto& note : verified.notes) {
    print_note("{}", note);
  }
}

} // namespace sigil::cli
