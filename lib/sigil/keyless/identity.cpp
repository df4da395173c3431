#include "sigil/keyless/identity.hpp"

#include "sigil/policy/provenance.hpp"
#include "sigil/util/terminal.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <array>

namespace sigil::keyless {

namespace {

constexpr int k_issuer_v2 = 8;
constexpr int k_issuer_v1 = 1;
constexpr int k_source_repository_uri = 12;
constexpr int k_source_repository_ref = 14;
constexpr int k_first_extension = 8;
constexpr int k_last_extension = 24;
constexpr std::size_t k_max_pattern = 4096;

constexpr std::array<ExtensionInfo, 17> k_extensions{{
  {8, "OIDC issuer", "--certificate-oidc-issuer", "issuer"},
  {9, "build signer URI", "--certificate-build-signer-uri", "buildSignerURI"},
  {10, "build signer digest", "--certificate-build-signer-digest", "buildSignerDigest"},
  {11, "runner environment", "--certificate-runner-environment", "runnerEnvironment"},
  {12, "source repository URI", "--certificate-source-repository-uri", "sourceRepositoryURI"},
  {13, "source repository digest", "--certificate-source-repository-digest", "sourceRepositoryDigest"},
  {14, "source repository ref", "--certificate-source-repository-ref", "sourceRepositoryRef"},
  {15, "source repository identifier", "--certificate-source-repository-identifier", "sourceRepositoryIdentifier"},
  {16, "source repository owner URI", "--certificate-source-repository-owner-uri", "sourceRepositoryOwnerURI"},
  {17, "source repository owner identifier", "--certificate-source-repository-owner-identifier",
   "sourceRepositoryOwnerIdentifier"},
  {18, "build config URI", "--certificate-build-config-uri", "buildConfigURI"},
  {19, "build config digest", "--certificate-build-config-digest", "buildConfigDigest"},
  {20, "build trigger", "--certificate-build-trigger", "buildTrigger"},
  {21, "run invocation URI", "--certificate-run-invocation-uri", "runInvocationURI"},
  {22, "source repository visibility", "--certificate-source-repository-visibility",
   "sourceRepositoryVisibilityAtSigning"},
  {23, "deployment environment", "--certificate-deployment-environment", "deploymentEnvironment"},
  {24, "token subject", "--certificate-token-subject", "tokenSubject"},
}};

std::string shown(std::string_view text)
{
  return util::escape_for_terminal(text);
}

std::vector<std::string> subject_names(const crypto::Certificate& certificate)
{
  auto names = certificate.san_emails();
  for (auto& uri : certificate.san_uris()) {
    names.push_back(std::move(uri));
  }
  for (auto& other : certificate.san_others()) {
    names.push_back(std::move(other));
  }
  return names;
}

Result<std::string> read_issuer(const crypto::Certificate& certificate)
{
  SIGIL_TRY_ASSIGN(auto v2, certificate.fulcio_extension(k_issuer_v2));
  if (v2) {
    return std::move(*v2);
  }
  SIGIL_TRY_ASSIGN(auto v1, certificate.fulcio_extension(k_issuer_v1));
  if (v1) {
    return std::move(*v1);
  }
  return fail(ErrorCode::none_verified, "the certificate has no OIDC issuer extension (1.3.6.1.4.1.57264.1.8 or .1.1)");
}

Result<void> check_subject(const ValueMatcher& want, CertificateIdentity& id, const std::vector<std::string>& names)
{
  for (const auto& name : names) {
    if (want.matches(name)) {
      id.subject = name;
      return {};
    }
  }
  std::string found;
  for (const auto& name : names) {
    found += found.empty() ? shown(name) : ", " + shown(name);
  }
  return fail(ErrorCode::none_verified,
              fmt::format("certificate identity {} does not match the expected identity {}",
                          found.empty() ? std::string{"(none)"} : found, shown(want.describe())));
}

Result<void> check_extension(const ExtensionRequirement& req, const CertificateIdentity& id)
{
  const auto* info = extension_by_oid(req.oid_n);
  const auto name = info != nullptr ? std::string{info->name} : fmt::format("extension .{}", req.oid_n);
  for (const auto& [oid, value] : id.extensions) {
    if (oid == req.oid_n) {
      if (req.value.matches(value)) {
        return {};
      }
      return fail(ErrorCode::none_verified,
                  fmt::format("certificate {} (1.3.6.1.4.1.57264.1.{}) {} does not match the expected {}", name,
                              req.oid_n, shown(value), shown(req.value.describe())));
    }
  }
  return fail(ErrorCode::none_verified,
              fmt::format("the certificate has no {} extension (1.3.6.1.4.1.57264.1.{}); expected {}", name, req.oid_n,
                          shown(req.value.describe())));
}

bool valid_project_path(std::string_view project)
{
  if (project.empty() || project.front() == '/' || project.back() == '/' || project.find('/') == std::string_view::npos ||
      project.find("//") != std::string_view::npos) {
    return false;
  }
  for (const char c : project) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == '/';
    if (!ok) {
      return false;
    }
  }
  return true;
}

} // namespace

ValueMatcher ValueMatcher::exact(std::string value)
{
  ValueMatcher m;
  m.kind_ = Kind::exact;
  m.text_ = std::move(value);
  return m;
}

Result<ValueMatcher> ValueMatcher::regexp(std::string pattern)
{
  if (pattern.size() > k_max_pattern) {
    return fail(ErrorCode::usage, fmt::format("regexp is {} bytes long (at most {})", pattern.size(), k_max_pattern));
  }
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(pattern, options);
  if (!re->ok()) {
    return fail(ErrorCode::usage, fmt::format("invalid regexp {}: {} (RE2/Go syntax)", shown(pattern), re->error()));
  }
  ValueMatcher m;
  m.kind_ = Kind::regexp;
  m.text_ = std::move(pattern);
  m.re_ = std::move(re);
  return m;
}

ValueMatcher ValueMatcher::glob(std::string pattern)
{
  ValueMatcher m;
  m.kind_ = Kind::glob;
  m.text_ = std::move(pattern);
  return m;
}

bool ValueMatcher::matches(std::string_view value) const
{
  switch (kind_) {
  case Kind::exact: return value == text_;
  case Kind::regexp: return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *re_);
  case Kind::glob: return policy::glob_match(text_, value);
  }
  return false;
}

std::string ValueMatcher::describe() const
{
  switch (kind_) {
  case Kind::exact: return text_;
  case Kind::regexp: return fmt::format("regexp ^(?:{})$", text_);
  case Kind::glob: return fmt::format("glob {}", text_);
  }
  return text_;
}

std::span<const ExtensionInfo> known_extensions()
{
  return k_extensions;
}

const ExtensionInfo* extension_by_oid(int oid_n)
{
  for (const auto& e : k_extensions) {
    if (e.oid_n == oid_n) {
      return &e;
    }
  }
  return nullptr;
}

std::string IdentityPolicy::describe() const
{
  std::string out;
  if (subject) {
    out += fmt::format("identity {}", subject->describe());
  }
  if (issuer) {
    out += fmt::format("{}issuer {}", out.empty() ? "" : ", ", issuer->describe());
  }
  for (const auto& e : extensions) {
    const auto* info = extension_by_oid(e.oid_n);
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", info != nullptr ? info->name : "extension",
                       e.value.describe());
  }
  return out;
}

Result<void> add_gitlab_shorthand(IdentityPolicy& policy, const GitlabShorthand& gitlab)
{
  if (!valid_project_path(gitlab.project)) {
    return fail(ErrorCode::usage, fmt::format("--gitlab-project {}: expected GROUP/PROJECT (letters, digits, '-', '_', "
                                              "'.', subgroups separated by '/')",
                                              shown(gitlab.project)));
  }
  auto url = gitlab.url;
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    return fail(ErrorCode::usage, fmt::format("--gitlab-url {}: expected an https:// URL", shown(gitlab.url)));
  }
  if (gitlab.ci_config.find('*') != std::string::npos || gitlab.ci_config.empty()) {
    return fail(ErrorCode::usage, "--gitlab-ci-config: expected the CI configuration file's path, without '*'");
  }
  const auto ref = gitlab.ref ? policy::normalize_ref(*gitlab.ref) : std::string{"refs/*"};
  const auto repo = fmt::format("{}/{}", url, gitlab.project);
  if (policy.subject || policy.issuer) {
    return fail(ErrorCode::usage,
                "--gitlab-project sets the identity and the issuer: do not combine it with --certificate-identity* "
                "or --certificate-oidc-issuer*");
  }
  policy.issuer = ValueMatcher::exact(url);
  policy.subject = ValueMatcher::glob(fmt::format("{}//{}@{}", repo, gitlab.ci_config, ref));
  policy.extensions.push_back({k_source_repository_uri, ValueMatcher::exact(repo)});
  policy.extensions.push_back({k_source_repository_ref, ValueMatcher::glob(ref)});
  return {};
}

Result<CertificateIdentity> read_identity(const crypto::Certificate& certificate)
{
  CertificateIdentity id;
  const auto names = subject_names(certificate);
  if (!names.empty()) {
    id.subject = names.front();
  }
  SIGIL_TRY_ASSIGN(id.issuer, read_issuer(certificate));
  for (int n = k_first_extension + 1; n <= k_last_extension; ++n) {
    SIGIL_TRY_ASSIGN(auto value, certificate.fulcio_extension(n));
    if (value) {
      id.extensions.emplace_back(n, std::move(*value));
    }
  }
  return id;
}

Result<CertificateIdentity> match_identity(const IdentityPolicy& policy, const crypto::Certificate& certificate)
{
  SIGIL_TRY_ASSIGN(auto id, read_identity(certificate));
  if (policy.subject) {
    SIGIL_TRY(check_subject(*policy.subject, id, subject_names(certificate)));
  }
  if (policy.issuer && !policy.issuer->matches(id.issuer)) {
    return fail(ErrorCode::none_verified, fmt::format("certificate issuer {} does not match the expected issuer {}",
                                                      shown(id.issuer), shown(policy.issuer->describe())));
  }
  for (const auto& req : policy.extensions) {
    SIGIL_TRY(check_extension(req, id));
  }
  return id;
}

Result<void> check_identity(const IdentityPolicy& policy, const CertificateIdentity& identity)
{
  CertificateIdentity id = identity;
  if (policy.subject) {
    SIGIL_TRY(check_subject(*policy.subject, id, {identity.subject}));
  }
  if (policy.issuer && !policy.issuer->matches(id.issuer)) {
    return fail(ErrorCode::none_verified, fmt::format("certificate issuer {} does not match the expected issuer {}",
                                                      shown(id.issuer), shown(policy.issuer->describe())));
  }
  for (const auto& req : policy.extensions) {
    SIGIL_TRY(check_extension(req, id));
  }
  return {};
}

} // namespace sigil::keyless
