// sigil::policy provenance checks, in the spirit of slsa-verifier but for any builder,
// GitLab included: "was this built from that repository, at that ref, by that builder?"
//
//   auto report = check_provenance(statement_json, {.source_uri = "gitlab.com/group/project",
//                                                   .source_ref = "refs/tags/v*"});
//   report.failure  // nullopt: every expectation held; report.checks says what was checked
//
// With no expectation set, nothing is checked and the report is empty (any predicate type
// passes). With at least one, predicateType must be https://slsa.dev/provenance/v1 or
// https://slsa.dev/provenance/v0.2, and the fields are read from (first present wins):
//
//   SLSA v1                                              SLSA v0.2
//   source  /predicate/buildDefinition/externalParameters  /predicate/invocation/configSource/uri
//             /source/uri, /source (a string: GitLab
//             Runner), /workflow/repository (GitHub)
//   ref     .../externalParameters/source/ref, .../workflow/ref, else the "@ref" suffix of the
//           source URI; nothing else. Dependencies (v0.2: materials) are never read for the
//           source or the ref: one may name the build's own repository at another ref (a
//           feature-branch build that depends on an older tag of itself). A ref expected but
//           not recorded fails with found "<absent> (" k_no_ref_recorded ")".
//   builder /predicate/runDetails/builder/id              /predicate/builder/id
//
// Matching rules:
//   source_uri  both sides normalised (normalize_source_uri): "git+" prefix, a scheme
//               https:// http:// ssh:// git://, "user@" before the host, an "@ref" suffix,
//               trailing "/" and ".git" are dropped, the host is lowercased; a scp-like
//               "git@host:group/project" becomes "host/group/project". So gitlab.com/group/project
//               matches git+https://gitlab.com/group/project.git@refs/heads/main. Paths stay
//               case-sensitive and a port is kept.
//   source_ref  glob_match after normalising both sides: a ref not starting with "refs/" is a
//               branch name ("main" means refs/heads/main; tags must be written refs/tags/...).
//               In the pattern "*" matches any run of characters, "/" included; no other
//               character is special (no ?, [], or escapes).
//   builder_id  exact; or a prefix when the expected value ends with "/" (kept) or "*"
//               (dropped): ".../-/runners/" and ".../-/runners/*" accept any runner of it.
//
// GitLab Runner's provenance (RUNNER_GENERATE_ARTIFACTS_METADATA; reference §A5) is accepted
// with warnings for its quirks: `_type` in-toto Statement v0.1 around a SLSA v1 predicate,
// and a 40-hex git SHA-1 under `digest.sha256` of a dependency, material or config source.
// (A SHA-1 under `digest.sha1` is a proper in-toto algorithm name, as slsa-github-generator
// writes it, and draws no warning.) Note that GitLab Runner's provenance records no ref, so
// source_ref cannot be satisfied by it.
//
// The first expectation that does not hold is the failure; it names the pointer, the
// expected and the found value ("<absent>" when missing). Nothing here throws.
#pragma once

#include "sigil/policy/conditions.hpp"
#include "sigil/util/json.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::policy {

constexpr std::string_view k_slsa_provenance_v1 = "https://slsa.dev/provenance/v1";
constexpr std::string_view k_slsa_provenance_v02 = "https://slsa.dev/provenance/v0.2";
// Why a source_ref expectation fails when the provenance states no ref for the build itself.
constexpr std::string_view k_no_ref_recorded = "the provenance does not record which ref was built";
// Longest source URI, ref or builder id compared; longer ones fail.
constexpr std::size_t k_max_provenance_field = 4096;

struct ProvenanceExpectations {
  std::optional<std::string> source_uri;
  std::optional<std::string> source_ref;
  std::optional<std::string> builder_id;
};

struct ProvenanceReport {
  std::vector<std::string> checks;   // what was checked and passed
  std::vector<std::string> warnings; // accepted quirks
  std::optional<ConditionFailure> failure;
};

[[nodiscard]] ProvenanceReport check_provenance(const util::Json& statement, const ProvenanceExpectations& expected);

// The matching rules above, for tests and for other verifiers.
[[nodiscard]] std::string normalize_source_uri(std::string_view uri);
// The "@ref" suffix of a source URI's path ("refs/heads/main"), if any.
[[nodiscard]] std::optional<std::string> source_uri_ref(std::string_view uri);
// "main" -> "refs/heads/main"; "refs/..." unchanged.
// git check-ref-format's rules: no control characters, spaces, "..", "//", "@{", ~^:?*[\\,
// no component starting with '.', no trailing '/', '.' or ".lock".
[[nodiscard]] bool is_valid_git_ref(std::string_view ref);
[[nodiscard]] std::string normalize_ref(std::string_view ref);
[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text);
// A ref condition: "refs/..." (a glob) against the ref found ("main" found is refs/heads/main);
// a bare name or glob ("v1.2.0", "v1.*") matches the branch or the tag of that name.
[[nodiscard]] bool ref_matches(std::string_view expected, std::string_view found);
[[nodiscard]] bool builder_id_matches(std::string_view expected, std::string_view found);

} // namespace sigil::policy
