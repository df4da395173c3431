// sigil::keyless who a Fulcio certificate says signed: the identity policy and its matcher.
//
// A certificate identity is its Subject Alternative Name (email or URI, or Fulcio's otherName
// "username"), the OIDC issuer extension (1.3.6.1.4.1.57264.1.8, a DER UTF8String; the
// deprecated .1.1 raw string when .8 is absent) and the other Fulcio extensions (.9 to .24,
// DER UTF8Strings). A policy states, for each of these, an exact value, an RE2 regexp that must
// match the WHOLE value (RE2::FullMatch, Go syntax; cosign's regexps are unanchored, which lets
// "https://gitlab.com/evil/x" match a pattern meant for "https://gitlab.com/good/x" prefixes),
// or a glob (refs). Nothing is compared as raw extension bytes.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/x509.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace sigil::keyless {

// One expected value: exact text, a fully anchored RE2 regexp, or a glob ('*' matches any run of
// characters, '/' included, as the provenance ref globs do; nothing else is special).
class ValueMatcher {
public:
  enum class Kind { exact, regexp, glob };
  static ValueMatcher exact(std::string value);
  static Result<ValueMatcher> regexp(std::string pattern); // error: not a valid RE2 regexp
  static ValueMatcher glob(std::string pattern);

  [[nodiscard]] bool matches(std::string_view value) const;
  [[nodiscard]] std::string describe() const; // "= X", "~ /X/", "glob X"
  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] const std::string& text() const { return text_; }

private:
  Kind kind_ = Kind::exact;
  std::string text_;
  std::shared_ptr<const re2::RE2> re_;
};

// The Fulcio extensions a policy may name (OID 1.3.6.1.4.1.57264.1.N).
struct ExtensionInfo {
  int oid_n;
  std::string_view name;   // "source repository ref"
  std::string_view flag;   // "--certificate-source-repository-ref"
  std::string_view json;   // "sourceRepositoryRef" (Fulcio's and sigstore-go's field name)
};
[[nodiscard]] std::span<const ExtensionInfo> known_extensions();
[[nodiscard]] const ExtensionInfo* extension_by_oid(int oid_n);

struct ExtensionRequirement {
  int oid_n;
  ValueMatcher value;
};

struct IdentityPolicy {
  std::optional<ValueMatcher> subject; // SAN
  std::optional<ValueMatcher> issuer;  // OIDC issuer extension
  std::vector<ExtensionRequirement> extensions;

  // Keyless verification needs both an identity and an issuer (as cosign insists).
  [[nodiscard]] bool complete() const { return subject.has_value() && issuer.has_value(); }
  [[nodiscard]] bool empty() const { return !subject && !issuer && extensions.empty(); }
  [[nodiscard]] std::string describe() const; // one line, for reports
};

// GitLab's shorthand: --gitlab-project GROUP/PROJECT [--gitlab-ref GLOB] [--gitlab-url URL]
// [--gitlab-ci-config PATH] expands into issuer = URL, SAN = URL/GROUP/PROJECT//PATH@REF (REF a
// glob), source repository URI (.12) = URL/GROUP/PROJECT and source repository ref (.14) = REF.
struct GitlabShorthand {
  std::string project;                       // GROUP/PROJECT (subgroups allowed)
  std::optional<std::string> ref;            // glob; default: any ref
  std::string url{"https://gitlab.com"};
  std::string ci_config{".gitlab-ci.yml"};
};
[[nodiscard]] Result<void> add_gitlab_shorthand(IdentityPolicy& policy, const GitlabShorthand& gitlab);

// What the certificate says, decoded (for reports and --explain).
struct CertificateIdentity {
  std::string subject; // the SAN that matched (or the first one)
  std::string issuer;
  std::vector<std::pair<int, std::string>> extensions; // every Fulcio extension present (oid_n, value)
};

[[nodiscard]] Result<CertificateIdentity> read_identity(const crypto::Certificate& certificate);

// Checks the policy; the error names the first requirement the certificate fails, with the
// value it holds ("certificate identity https://x does not match https://y").
[[nodiscard]] Result<CertificateIdentity> match_identity(const IdentityPolicy& policy,
                                                         const crypto::Certificate& certificate);

// The same checks against an identity already read from a verified certificate (its subject is
// the one SAN recorded there; Fulcio certificates carry one). The trust policy verifies each
// signature once, under a policy that accepts any identity, then asks which authorities match.
[[nodiscard]] Result<void> check_identity(const IdentityPolicy& policy, const CertificateIdentity& identity);

} // namespace sigil::keyless
