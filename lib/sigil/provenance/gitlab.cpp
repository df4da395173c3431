#include "sigil/provenance/gitlab.hpp"

#include "sigil/util/time.hpp"

#include "sigil/core/env.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/json_strict.hpp"
#include "sigil/util/stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <vector>

namespace sigil::provenance {

namespace {

constexpr std::array<std::string_view, 22> k_variables{
    // required
    "GITLAB_CI", "CI_SERVER_URL", "CI_PROJECT_PATH", "CI_PROJECT_URL", "CI_COMMIT_SHA", "CI_COMMIT_REF_NAME",
    "CI_CONFIG_PATH", "CI_JOB_NAME", "CI_JOB_ID", "CI_JOB_URL", "CI_JOB_STARTED_AT", "CI_PIPELINE_ID",
    "CI_PIPELINE_SOURCE", "CI_RUNNER_ID",
    // optional
    "CI_COMMIT_TAG", "CI_COMMIT_BRANCH", "CI_PROJECT_ID", "CI_PIPELINE_URL", "CI_RUNNER_DESCRIPTION",
    "CI_RUNNER_VERSION", "CI_RUNNER_EXECUTABLE_ARCH", "CI_SERVER_VERSION"};
constexpr std::size_t k_required_count = 14;

// The allow-listed variables that are set and non-empty.
class CiVariables {
public:
  [[nodiscard]] static Result<CiVariables> read();

  [[nodiscard]] const std::string& operator[](std::string_view name) const { return m_values.at(name); }
  [[nodiscard]] std::optional<std::string> optional(std::string_view name) const
  {
    const auto it = m_values.find(name);
    return it == m_values.end() ? std::nullopt : std::optional(it->second);
  }

private:
  std::map<std::string_view, std::string> m_values;
};

Result<CiVariables> CiVariables::read()
{
  CiVariables vars;
  std::string missing;
  for (std::size_t i = 0; i < k_variables.size(); ++i) {
    auto value = core::env::get(k_variables[i]);
    if (value && !value->empty()) {
      vars.m_values.emplace(k_variables[i], std::move(*value));
    } else if (i < k_required_count) {
      missing += fmt::format("{}{}", missing.empty() ? "" : ", ", k_variables[i]);
    }
  }
  if (!missing.empty()) {
    return fail(ErrorCode::usage, fmt::format("missing GitLab CI variables (unset or empty): {}; run this in a "
                                              "GitLab CI job, which sets them, or set them yourself",
                                              missing));
  }
  return vars;
}

bool is_lower_hex(std::string_view text)
{
  return std::ranges::all_of(text, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_number(std::string_view text)
{
  return !text.empty() && text.size() <= 20 && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

// http(s)://host..., with no "user@" in the authority and no whitespace or control characters.
bool is_plain_http_url(std::string_view url)
{
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return false;
  }
  const std::string_view authority = rest.substr(0, rest.find('/'));
  const bool clean =
      std::ranges::none_of(url, [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
  return clean && !authority.empty() && authority.find('@') == std::string_view::npos;
}

// RFC 3339 date-time: 2024-06-28T09:56:44Z, with optional fraction and numeric offset.
bool is_rfc3339(std::string_view t)
{
  const auto digits = [&](std::size_t at, std::size_t n) {
    return at + n <= t.size() && std::ranges::all_of(t.substr(at, n), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!(digits(0, 4) && t.size() > 19 && t[4] == '-' && digits(5, 2) && t[7] == '-' && digits(8, 2) &&
        (t[10] == 'T' || t[10] == 't') && digits(11, 2) && t[13] == ':' && digits(14, 2) && t[16] == ':' &&
        digits(17, 2))) {
    return false;
  }
  std::size_t i = 19;
  if (t[i] == '.') {
    const std::size_t start = ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      ++i;
    }
    if (i == start) {
      return false;
    }
  }
  const std::string_view zone = t.substr(std::min(i, t.size()));
  return zone == "Z" || zone == "z" ||
         (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(i + 1, 2) && zone[3] == ':' &&
          digits(i + 4, 2));
}

Result<void> validate(const CiVariables& vars)
{
  std::vector<std::string> problems;
  const std::string& sha = vars["CI_COMMIT_SHA"];
  if (!((sha.size() == 40 || sha.size() == 64) && is_lower_hex(sha))) {
    problems.push_back(fmt::format("CI_COMMIT_SHA \"{}\" is not a git commit id (40 or 64 lowercase hex digits)", sha));
  }
  for (const std::string_view name : {"CI_JOB_ID", "CI_PIPELINE_ID", "CI_RUNNER_ID", "CI_PROJECT_ID"}) {
    const auto value = vars.optional(name);
    if (value && !is_number(*value)) {
      problems.push_back(fmt::format("{} \"{}\" is not a number", name, *value));
    }
  }
  for (const std::string_view name : {"CI_SERVER_URL", "CI_PROJECT_URL", "CI_JOB_URL", "CI_PIPELINE_URL"}) {
    const auto value = vars.optional(name);
    if (value && !is_plain_http_url(*value)) {
      // The value is not repeated: a URL with a user part may carry a password.
      problems.push_back(fmt::format("{} is not an http(s) URL without a user part", name));
    }
  }
  if (!is_rfc3339(vars["CI_JOB_STARTED_AT"])) {
    problems.push_back(fmt::format("CI_JOB_STARTED_AT \"{}\" is not an RFC 3339 time", vars["CI_JOB_STARTED_AT"]));
  }
  if (problems.empty()) {
    return {};
  }
  std::string message;
  for (const auto& p : problems) {
    message += (message.empty() ? "" : "; ") + p;
  }
  return fail(ErrorCode::usage, "unexpected GitLab CI variables: " + message);
}

std::string source_ref(const CiVariables& vars)
{
  if (const auto tag = vars.optional("CI_COMMIT_TAG")) {
    return "refs/tags/" + *tag;
  }
  if (const auto branch = vars.optional("CI_COMMIT_BRANCH")) {
    return "refs/heads/" + *branch;
  }
  return "refs/heads/" + vars["CI_COMMIT_REF_NAME"];
}

// Adds key: the variable's value, when it is set.
void add_optional(util::OrderedJson& object, std::string_view key, const CiVariables& vars, std::string_view name)
{
  if (const auto value = vars.optional(name)) {
    object[std::string(key)] = *value;
  }
}

util::OrderedJson build_definition(const CiVariables& vars)
{
  const std::string ref = source_ref(vars);
  const std::string repository = "git+" + vars["CI_PROJECT_URL"];
  util::OrderedJson external = util::OrderedJson::object();
  external["source"] = {{"uri", repository}, {"ref", ref}};
  external["entryPoint"] = vars["CI_CONFIG_PATH"];
  external["jobName"] = vars["CI_JOB_NAME"];

  util::OrderedJson internal = util::OrderedJson::object();
  add_optional(internal, "projectId", vars, "CI_PROJECT_ID");
  internal["pipelineId"] = vars["CI_PIPELINE_ID"];
  internal["pipelineSource"] = vars["CI_PIPELINE_SOURCE"];
  add_optional(internal, "pipelineUrl", vars, "CI_PIPELINE_URL");
  internal["jobId"] = vars["CI_JOB_ID"];
  internal["runnerId"] = vars["CI_RUNNER_ID"];
  add_optional(internal, "runnerDescription", vars, "CI_RUNNER_DESCRIPTION");
  add_optional(internal, "runnerArchitecture", vars, "CI_RUNNER_EXECUTABLE_ARCH");

  util::OrderedJson dependency = util::OrderedJson::object();
  dependency["uri"] = repository + "@" + ref;
  dependency["digest"] = {{"gitCommit", vars["CI_COMMIT_SHA"]}};

  util::OrderedJson definition = util::OrderedJson::object();
  definition["buildType"] = std::string(k_gitlab_build_type);
  definition["externalParameters"] = std::move(external);
  definition["internalParameters"] = std::move(internal);
  definition["resolvedDependencies"] = util::OrderedJson::array({std::move(dependency)});
  return definition;
}

util::OrderedJson run_details(const CiVariables& vars, std::chrono::system_clock::time_point finished_on)
{
  std::string server = vars["CI_SERVER_URL"];
  while (server.ends_with('/')) {
    server.pop_back();
  }
  util::OrderedJson builder = util::OrderedJson::object();
  builder["id"] = fmt::format("{}/{}/-/runners/{}", server, vars["CI_PROJECT_PATH"], vars["CI_RUNNER_ID"]);
  util::OrderedJson version = util::OrderedJson::object();
  add_optional(version, "gitlab-runner", vars, "CI_RUNNER_VERSION");
  add_optional(version, "gitlab", vars, "CI_SERVER_VERSION");
  if (!version.empty()) {
    builder["version"] = std::move(version);
  }
  util::OrderedJson metadata = util::OrderedJson::object();
  metadata["invocationId"] = vars["CI_JOB_URL"];
  metadata["startedOn"] = vars["CI_JOB_STARTED_AT"];
  metadata["finishedOn"] = rfc3339_utc(finished_on);

  util::OrderedJson details = util::OrderedJson::object();
  details["builder"] = std::move(builder);
  details["metadata"] = std::move(metadata);
  return details;
}

std::string pretty(const util::OrderedJson& value)
{
  return value.dump(2, ' ', false, util::OrderedJson::error_handler_t::replace);
}

} // namespace

std::span<const std::string_view> gitlab_variables()
{
  return k_variables;
}

std::span<const std::string_view> gitlab_required_variables()
{
  return std::span<const std::string_view>(k_variables).first(k_required_count);
}

Result<std::string> gitlab_provenance_predicate(const GitlabProvenanceRequest& request)
{
  auto vars = CiVariables::read();
  if (!vars) {
    return with_context(vars, "gitlab provenance");
  }
  if (auto ok = validate(*vars); !ok) {
    return with_context(ok, "gitlab provenance");
  }
  util::OrderedJson predicate = util::OrderedJson::object();
  predicate["buildDefinition"] = build_definition(*vars);
  predicate["runDetails"] = run_details(*vars, request.finished_on);
  return pretty(predicate);
}

Result<std::string> gitlab_provenance_statement(const GitlabProvenanceRequest& request,
                                                std::span<const intoto::Subject> subjects)
{
  SIGIL_TRY_ASSIGN(auto predicate, gitlab_provenance_predicate(request));
  auto statement = intoto::build_statement({.type = std::string(intoto::k_statement_v1),
                                            .subjects = {subjects.begin(), subjects.end()},
                                            .predicate_type = std::string(k_slsa_provenance_v1),
                                            .predicate_json = predicate});
  if (!statement) {
    return with_context(statement, "gitlab provenance statement");
  }
  auto ordered = util::parse_ordered_json_strict(*statement);
  if (!ordered) {
    return with_context(ordered, "gitlab provenance statement");
  }
  return pretty(*ordered);
}

Result<intoto::Subject> file_subject(const std::string& path)
{
  if (path == "-") {
    return fail(ErrorCode::usage, "an artifact must be a file: standard input has no name to put in a subject");
  }
  crypto::Hasher hasher(crypto::HashAlgorithm::sha256);
  auto size = util::stream_input(path, [&](util::ByteView chunk) { hasher.update(chunk); });
  if (!size) {
    return with_context(size, fmt::format("hashing {}", path));
  }
  return intoto::Subject{path, {{"sha256", util::hex_encode(hasher.finish())}}, {}};
}

Result<intoto::Subject> image_subject(const oci::Reference& image)
{
  const auto& digest = image.digest();
  if (!digest) {
    return fail(ErrorCode::usage, fmt::format("image {} has no digest: provenance names a digest, not a tag; pass "
                                              "IMAGE@sha256:... ('sigil resolve {}' prints it)",
                                              image.str(), image.str()));
  }
  return intoto::Subject{image.name(), {{std::string(oci::algorithm_name(digest->algorithm)), digest->hex}}, {}};
}

std::string rfc3339_utc(std::chrono::system_clock::time_point time)
{
  return util::rfc3339_utc(time);
}

} // namespace sigil::provenance
