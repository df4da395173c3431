#include "sigil/policy/provenance.hpp"

#include "sigil/util/string.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <span>

namespace sigil::policy {

namespace {

// Dependencies and materials looked at for quirks; the rest are ignored.
constexpr std::size_t k_max_dependencies_scanned = 256;


// Where each SLSA version keeps the fields (see the header's table). Source and ref are read
// only where the builder states them as the build's own: never from a dependency or material,
// which may name the same repository at another ref (a branch build depending on an old tag).
struct Layout {
  std::string_view name;
  std::span<const std::string_view> source_uri;
  std::span<const std::string_view> source_ref;
  std::string_view dependencies; // array of {uri, digest}
  std::string_view builder_id;
};

constexpr std::array<std::string_view, 3> k_v1_source_uri{
    "/predicate/buildDefinition/externalParameters/source/uri",
    "/predicate/buildDefinition/externalParameters/source",
    "/predicate/buildDefinition/externalParameters/workflow/repository",
};
constexpr std::array<std::string_view, 2> k_v1_source_ref{
    "/predicate/buildDefinition/externalParameters/source/ref",
    "/predicate/buildDefinition/externalParameters/workflow/ref",
};
constexpr std::array<std::string_view, 1> k_v02_source_uri{
    "/predicate/invocation/configSource/uri",
};

constexpr Layout k_v1{"SLSA v1", k_v1_source_uri, k_v1_source_ref, "/predicate/buildDefinition/resolvedDependencies",
                      "/predicate/runDetails/builder/id"};
constexpr Layout k_v02{"SLSA v0.2", k_v02_source_uri, {}, "/predicate/materials", "/predicate/builder/id"};

// A string found in the statement, where, and (for a ref cut from a URI) how it was found.
struct Field {
  std::string pointer;
  std::string value;
  std::string origin;
};

struct Source {
  std::optional<Field> uri;
  std::optional<Field> ref;
  std::optional<std::string> uri_ref; // the @ref of the source URI, when it has one
};

const util::Json* at(const util::Json& document, std::string_view pointer)
{
  auto tokens = parse_json_pointer(pointer);
  return tokens ? resolve_json_pointer(document, *tokens) : nullptr;
}

std::optional<Field> string_at(const util::Json& document, std::string_view pointer)
{
  const util::Json* value = at(document, pointer);
  if (value == nullptr || !value->is_string()) {
    return std::nullopt;
  }
  return Field{std::string(pointer), value->get<std::string>(), {}};
}

std::optional<Field> first_string(const util::Json& document, std::span<const std::string_view> pointers)
{
  for (const auto pointer : pointers) {
    if (auto field = string_at(document, pointer)) {
      return field;
    }
  }
  return std::nullopt;
}

bool is_hex40(std::string_view text)
{
  return text.size() == 40 &&
         std::ranges::all_of(text, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

Source find_source(const util::Json& document, const Layout& layout)
{
  Source source;
  source.uri = first_string(document, layout.source_uri);
  source.ref = first_string(document, layout.source_ref);
  if (source.uri) {
    source.uri_ref = source_uri_ref(source.uri->value);
  }
  if (!source.ref && source.uri_ref) {
    source.ref = Field{source.uri->pointer, *source.uri_ref, fmt::format(" (the @ref of {})", source.uri->value)};
  }
  return source;
}

void add_quirk_warnings(const util::Json& statement, const Layout& layout, ProvenanceReport& report)
{
  // A Statement v0.1 around a SLSA v1 predicate is no quirk worth a warning: cosign 2.x writes
  // every statement as v0.1, GitLab Runner too.
  std::vector<std::string> digest_objects;
  if (&layout == &k_v02) {
    digest_objects.emplace_back("/predicate/invocation/configSource/digest");
  }
  const util::Json* deps = at(statement, layout.dependencies);
  const std::size_t count =
      deps != nullptr && deps->is_array() ? std::min(deps->size(), k_max_dependencies_scanned) : 0;
  for (std::size_t i = 0; i < count; ++i) {
    digest_objects.push_back(fmt::format("{}/{}/digest", layout.dependencies, i));
  }
  for (const auto& pointer : digest_objects) {
    const auto sha256 = string_at(statement, pointer + "/sha256");
    if (sha256 && is_hex40(sha256->value)) {
      report.warnings.push_back(fmt::format("{} is 40 hex digits: a git commit SHA-1 labelled sha256 (GitLab Runner "
                                            "writes it so); accepted as the commit, not as a SHA-256",
                                            sha256->pointer));
    }
  }
}

std::string with_normalised(const std::string& raw, const std::string& normalised)
{
  return raw == normalised ? raw : fmt::format("{} (normalised: {})", raw, normalised);
}

std::optional<ConditionFailure> too_long(const Field& field, const std::string& expected)
{
  if (field.value.size() <= k_max_provenance_field) {
    return std::nullopt;
  }
  return ConditionFailure{
      field.pointer, expected,
      fmt::format("<{} bytes: longer than the {} compared>", field.value.size(), k_max_provenance_field)};
}

std::optional<ConditionFailure> check_builder(const util::Json& statement, const Layout& layout,
                                              const std::string& expected, ProvenanceReport& report)
{
  const auto found = string_at(statement, layout.builder_id);
  if (!found) {
    return ConditionFailure{std::string(layout.builder_id), expected, std::string(k_absent)};
  }
  if (auto failure = too_long(*found, expected)) {
    return failure;
  }
  if (!builder_id_matches(expected, found->value)) {
    return ConditionFailure{found->pointer, expected, shown(found->value)};
  }
  const bool exact = expected == found->value;
  report.checks.push_back(fmt::format("builder id {} matches {}{} ({})", found->value, expected,
                                      exact ? "" : " as a prefix", found->pointer));
  return std::nullopt;
}

std::optional<ConditionFailure> check_source_uri(const Source& source, const Layout& layout,
                                                 const std::string& expected, ProvenanceReport& report)
{
  const std::string want = normalize_source_uri(expected);
  if (!source.uri) {
    return ConditionFailure{
        std::string(layout.source_uri.front()), with_normalised(expected, want),
        fmt::format("{} (nor any of the other places a {} source is read from)", k_absent, layout.name)};
  }
  if (auto failure = too_long(*source.uri, expected)) {
    return failure;
  }
  const std::string found = normalize_source_uri(source.uri->value);
  if (found != want) {
    return ConditionFailure{source.uri->pointer, with_normalised(expected, want),
                            shown(with_normalised(source.uri->value, found))};
  }
  report.checks.push_back(fmt::format("source {} matches {} ({})", source.uri->value, expected, source.uri->pointer));
  return std::nullopt;
}

std::optional<ConditionFailure> check_source_ref(const Source& source, const Layout& layout,
                                                 const std::string& expected, ProvenanceReport& report)
{
  const std::string want = expected.starts_with("refs/")
                               ? expected
                               : fmt::format("{} (the branch refs/heads/{} or the tag refs/tags/{})", expected,
                                             expected, expected);
  if (!source.ref) {
    const std::string pointer(layout.source_ref.empty() ? layout.source_uri.front() : layout.source_ref.front());
    return ConditionFailure{pointer, want, fmt::format("{} ({})", k_absent, k_no_ref_recorded)};
  }
  if (auto failure = too_long(*source.ref, expected)) {
    return failure;
  }
  // A ref git would not accept (a newline, "..", a space) names no build; and a provenance
  // whose ref field and source URI name two refs does not say which one was built.
  if (!is_valid_git_ref(source.ref->value)) {
    return ConditionFailure{source.ref->pointer, want,
                            shown(source.ref->value) + " (not a valid git ref: the provenance names no built ref)"};
  }
  if (source.uri_ref && normalize_ref(*source.uri_ref) != normalize_ref(source.ref->value)) {
    return ConditionFailure{source.ref->pointer, want,
                            fmt::format("{} (the provenance records two refs: the source URI says {})",
                                        shown(source.ref->value), shown(*source.uri_ref))};
  }
  if (!ref_matches(expected, source.ref->value)) {
    return ConditionFailure{source.ref->pointer, want, shown(source.ref->value + source.ref->origin)};
  }
  const std::string_view kind = !source.ref->value.starts_with("refs/") || expected.starts_with("refs/") ? ""
                                : source.ref->value.starts_with("refs/tags/")                          ? " as a tag"
                                                                                                       : " as a branch";
  report.checks.push_back(fmt::format("source ref {}{} matches {}{} ({})", source.ref->value, source.ref->origin,
                                      expected, kind, source.ref->pointer));
  return std::nullopt;
}

std::optional<ConditionFailure> check_expectations(const util::Json& statement, const Layout& layout,
                                                   const ProvenanceExpectations& expected, ProvenanceReport& report)
{
  if (expected.builder_id) {
    if (auto failure = check_builder(statement, layout, *expected.builder_id, report)) {
      return failure;
    }
  }
  const Source source = find_source(statement, layout);
  if (expected.source_uri) {
    if (auto failure = check_source_uri(source, layout, *expected.source_uri, report)) {
      return failure;
    }
  }
  if (expected.source_ref) {
    if (auto failure = check_source_ref(source, layout, *expected.source_ref, report)) {
      return failure;
    }
  }
  return std::nullopt;
}

// "git+https://user@Host/group/project.git@refs/heads/main" -> host "host", path
// "/group/project.git", ref "refs/heads/main".
struct UriParts {
  std::string authority;
  std::string path;
  std::optional<std::string> ref;
};

bool all_digits(std::string_view text)
{
  return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

UriParts split_source_uri(std::string_view uri)
{
  if (uri.starts_with("git+")) {
    uri.remove_prefix(4);
  }
  bool had_scheme = false;
  for (const std::string_view scheme : {"https://", "http://", "ssh://", "git://"}) {
    if (uri.starts_with(scheme)) {
      uri.remove_prefix(scheme.size());
      had_scheme = true;
      break;
    }
  }
  const auto slash = uri.find('/');
  std::string_view authority = uri.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : uri.substr(slash);
  if (const auto at_sign = authority.rfind('@'); at_sign != std::string_view::npos) {
    authority.remove_prefix(at_sign + 1);
  }
  UriParts parts;
  const auto colon = authority.find(':');
  if (!had_scheme && colon != std::string_view::npos && !all_digits(authority.substr(colon + 1))) {
    parts.path = "/" + std::string(authority.substr(colon + 1)); // scp-like host:group/project
    authority = authority.substr(0, colon);
  }
  if (const auto at_sign = path.find('@'); at_sign != std::string_view::npos) {
    if (at_sign + 1 < path.size()) {
      parts.ref = std::string(path.substr(at_sign + 1));
    }
    path = path.substr(0, at_sign);
  }
  parts.path += path;
  parts.authority = authority;
  parts.authority = util::to_lower(parts.authority);
  return parts;
}

} // namespace

std::string normalize_source_uri(std::string_view uri)
{
  const UriParts parts = split_source_uri(uri);
  std::string out = parts.authority + parts.path;
  while (out.ends_with('/')) {
    out.pop_back();
  }
  if (out.ends_with(".git")) {
    out.resize(out.size() - 4);
  }
  while (out.ends_with('/')) {
    out.pop_back();
  }
  return out;
}

std::optional<std::string> source_uri_ref(std::string_view uri)
{
  return split_source_uri(uri).ref;
}

bool is_valid_git_ref(std::string_view ref)
{
  // git check-ref-format's rules, as far as they decide what a ref can be.
  if (ref.empty() || ref.front() == '/' || ref.back() == '/' || ref.back() == '.' || ref.ends_with(".lock") ||
      ref.find("..") != std::string_view::npos || ref.find("//") != std::string_view::npos ||
      ref.find("@{") != std::string_view::npos || ref == "@") {
    return false;
  }
  if (std::ranges::any_of(ref, [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' ||
               c == '[' || c == '\\';
      })) {
    return false;
  }
  for (std::size_t start = 0; start < ref.size();) {
    const auto end = std::min(ref.find('/', start), ref.size());
    if (ref[start] == '.') {
      return false;
    }
    start = end + 1;
  }
  return true;
}

std::string normalize_ref(std::string_view ref)
{
  return ref.starts_with("refs/") ? std::string(ref) : "refs/heads/" + std::string(ref);
}

bool glob_match(std::string_view pattern, std::string_view text)
{
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

namespace {

// The ref found, when the condition `expected` accepts it.
std::optional<std::string> matched_ref(std::string_view expected, std::string_view found)
{
  if (expected.starts_with("refs/") || !found.starts_with("refs/")) {
    const std::string full = normalize_ref(found);
    if (glob_match(normalize_ref(expected), full) || (!found.starts_with("refs/") && glob_match(expected, found))) {
      return found.starts_with("refs/") ? full : std::string(found);
    }
    return std::nullopt;
  }
  // A bare name ("v1.2.0", "main", "v1.*") is the branch or the tag of that name.
  for (const std::string_view prefix : {"refs/heads/", "refs/tags/"}) {
    if (glob_match(fmt::format("{}{}", prefix, expected), found)) {
      return std::string(found);
    }
  }
  return std::nullopt;
}

} // namespace

bool ref_matches(std::string_view expected, std::string_view found)
{
  return matched_ref(expected, found).has_value();
}

bool builder_id_matches(std::string_view expected, std::string_view found)
{
  if (expected.ends_with('*')) {
    expected.remove_suffix(1);
    return found.starts_with(expected);
  }
  if (expected.ends_with('/')) {
    return found.starts_with(expected);
  }
  return found == expected;
}

ProvenanceReport check_provenance(const util::Json& statement, const ProvenanceExpectations& expected)
{
  ProvenanceReport report;
  if (!expected.source_uri && !expected.source_ref && !expected.builder_id) {
    return report;
  }
  const auto type = string_at(statement, "/predicateType");
  const Layout* layout = nullptr;
  if (type && type->value == k_slsa_provenance_v1) {
    layout = &k_v1;
  } else if (type && type->value == k_slsa_provenance_v02) {
    layout = &k_v02;
  } else {
    report.failure =
        ConditionFailure{"/predicateType", fmt::format("{} or {}", k_slsa_provenance_v1, k_slsa_provenance_v02),
                         type ? shown(type->value) : std::string(k_absent)};
    return report;
  }
  report.checks.push_back(fmt::format("predicate is {} provenance ({})", layout->name, type->value));
  add_quirk_warnings(statement, *layout, report);
  report.failure = check_expectations(statement, *layout, expected, report);
  return report;
}

} // namespace sigil::policy
