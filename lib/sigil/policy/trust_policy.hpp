// sigil::policy the trust policy file (sigil-policy(5)): which images must be signed by whom,
// with which attestations, under which trust root.
//
//   auto policy = parse_trust_policy(text, "policy.yaml");   // Result<TrustPolicy>
//   auto rule = policy->select("registry.example.com/team/app"); // the rule that applies, or null
//
// The text is YAML 1.2 (JSON is YAML): apiVersion sigil.dev/v1, kind TrustPolicy, optional
// metadata.name, spec.rules (at least one) and an optional spec.default rule. Every field is
// known (anything else is refused) and every error is ONE line:
//   FILE:LINE: PATH: what is wrong and what to write instead
// where PATH is the field's place, e.g. spec.rules[2].signatures[0].keyless.issuer, and LINE
// is 1-based. Errors are ErrorCode::bad_input (exit 30).
//
// This file does no I/O: key files, env:// variables and trusted roots are named here and
// loaded by verify/policy_eval (layer 5), whose errors name the same FILE:LINE: PATH.
//
// Image patterns (image_pattern.hpp) select the rule; see select() for the precedence.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/policy/conditions.hpp"
#include "sigil/policy/image_pattern.hpp"
#include "sigil/policy/provenance.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::policy {

constexpr std::string_view k_policy_api_version = "sigil.dev/v1";
constexpr std::string_view k_policy_kind = "TrustPolicy";
// Bounds: a policy is a reviewed file, not a data set.
constexpr std::size_t k_max_policy_bytes = std::size_t{1} << 20;
constexpr std::size_t k_max_rules = 1000;
constexpr std::size_t k_max_list = 100; // patterns, authorities, attestations, conditions

// Where a field was written, for messages: "policy.yaml:12: spec.rules[0].signatures[1]".
struct Where {
  std::string file;
  std::size_t line = 0; // 1-based
  std::string path;
  [[nodiscard]] std::string str() const
  {
    return file + ":" + std::to_string(line) + ": " + (path.empty() ? std::string{"(top level)"} : path);
  }
};

// "FILE:LINE: PATH: message" as an ErrorCode::bad_input error.
[[nodiscard]] Error policy_error(const Where& where, std::string_view message);

enum class Mode { enforce, audit, skip };
[[nodiscard]] std::string_view mode_name(Mode mode);

struct KeyAuthority {
  enum class Source { file, env, pem };
  Source source = Source::file;
  std::string value; // the path (relative paths: from the policy file's directory), the variable, the PEM text
};

struct GitlabIdentity {
  std::string project;              // GROUP/PROJECT
  std::optional<std::string> ref;   // glob
  std::string url{"https://gitlab.com"};
  std::string ci_config{".gitlab-ci.yml"};
};

struct KeylessAuthority {
  std::optional<std::string> issuer;
  std::optional<std::string> issuer_regexp;  // RE2, fully anchored
  std::optional<std::string> subject;
  std::optional<std::string> subject_regexp; // RE2, fully anchored
  std::optional<GitlabIdentity> gitlab;
  // Fulcio extensions by their JSON name (sourceRepositoryRef, ...), exact values; the names
  // are checked against keyless::known_extensions() when the policy is prepared.
  std::vector<std::pair<std::string, std::string>> extensions;
  std::map<std::string, Where> extension_where; // name -> where it was written
};

struct Authority {
  Where where;
  std::string name; // as written, or "key FILE", "env VAR", "inline key", "keyless SUBJECT"
  std::optional<KeyAuthority> key;
  std::optional<KeylessAuthority> keyless; // exactly one of key / keyless
};

// N of M: at least `count` of the authorities must each have verified a signature.
struct Signatures {
  Where where;
  std::vector<Authority> authorities;
  std::size_t count = 1; // default: any one
};

struct RequiredAttestation {
  Where where;
  std::string name;           // as written, or the predicate type
  std::string predicate_type; // as written: a cosign name or a URI (verify/policy_eval maps it with
                              // intoto::predicate_type_uri, naming predicate_type_where on error)
  Where predicate_type_where;
  std::optional<Signatures> signatures; // its own authorities; default: the rule's
  ProvenanceExpectations provenance;
  std::vector<Condition> conditions; // JSON pointer equals / regexp
};

struct TrustSettings {
  std::optional<std::string> trusted_root; // a trusted_root.json (relative: from the policy file's directory)
  std::optional<std::string> tuf_mirror;   // TUF mirror URL, or "none"
  std::optional<std::string> tuf_root;     // TUF root.json for that mirror
  [[nodiscard]] bool empty() const { return !trusted_root && !tuf_mirror && !tuf_root; }
};

struct Rule {
  Where where;
  std::string name;
  std::vector<ImagePattern> images; // empty for spec.default
  Mode mode = Mode::enforce;
  std::optional<Signatures> signatures; // required unless mode is skip
  std::vector<RequiredAttestation> attestations;
  TrustSettings trust;
  [[nodiscard]] bool is_default() const { return images.empty(); }
};

// Which rule applies to an image, and by which of its patterns.
struct Selection {
  const Rule* rule = nullptr; // null: no rule matches and there is no spec.default
  const ImagePattern* pattern = nullptr; // null for spec.default
};

struct TrustPolicy {
  std::string file; // as given to parse_trust_policy, for messages and relative paths
  std::string name; // metadata.name, may be empty
  std::vector<Rule> rules;
  std::optional<Rule> default_rule; // spec.default; absent: images no rule matches are rejected

  // The rule for an image name (registry/repository, as oci::Reference::name() gives it).
  // Precedence among the patterns of all rules that match (image_pattern.hpp, compare()):
  //   1. an exact pattern (no wildcard) beats every glob;
  //   2. the longer literal prefix (the characters before the first wildcard) wins;
  //   3. then more literal characters in total;
  //   4. then fewer "**";
  //   5. then the rule written first.
  // No pattern matches: spec.default when there is one, else nothing (the image is rejected).
  [[nodiscard]] Selection select(std::string_view image_name) const;
};

// Parses and validates a policy. `file` names it in every error message.
[[nodiscard]] Result<TrustPolicy> parse_trust_policy(std::string_view text, std::string_view file);

// What each rule requires, in words, one line per requirement (sigil policy check).
[[nodiscard]] std::vector<std::string> describe_policy(const TrustPolicy& policy);

} // namespace sigil::policy
