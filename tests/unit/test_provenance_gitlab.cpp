// Tests for sigil::provenance GitLab predicates: the exact predicate for a realistic tag
// pipeline (golden JSON), refs of branch and merge request pipelines, one error listing every
// missing variable, malformed values, secrets never copied, the statement form (checked back
// through policy::check_provenance), subjects, and UTC timestamps whatever TZ says.
#include "sigil/provenance/gitlab.hpp"

#include "sigil/core/env.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/policy/provenance.hpp"
#include "sigil/util/json.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sigil::ErrorCode;
using sigil::provenance::gitlab_provenance_predicate;
using sigil::provenance::GitlabProvenanceRequest;

// Secrets a GitLab job has in its environment; none may reach the output.
const std::map<std::string, std::string> k_secrets{
    {"CI_JOB_TOKEN", "glcbt-64_SECRETjobTOKENvalue"},
    {"CI_REGISTRY_PASSWORD", "glcbt-64_SECRETregistryPASSWORD"},
    {"CI_REPOSITORY_URL", "https://gitlab-ci-token:glcbt-64_SECRETinREPOurl@gitlab.com/acme/widgets.git"},
    {"SIGSTORE_ID_TOKEN", "eyJhbGciOiJSUzI1NiJ9.SECRETidTOKEN.sig"},
    {"DEPLOY_API_KEY", "SECRETcustomMASKEDvariable"},
    {"CI_DEPENDENCY_PROXY_PASSWORD", "SECRETproxyPASSWORD"},
};

// A tag pipeline on gitlab.com, as GitLab sets the variables.
std::map<std::string, std::string> tag_pipeline()
{
  return {
      {"GITLAB_CI", "true"},
      {"CI_SERVER_URL", "https://gitlab.com"},
      {"CI_SERVER_VERSION", "18.2.0-pre"},
      {"CI_PROJECT_PATH", "acme/widgets"},
      {"CI_PROJECT_URL", "https://gitlab.com/acme/widgets"},
      {"CI_PROJECT_ID", "48151623"},
      {"CI_COMMIT_SHA", "6e2c4c7d1f0b8a3e5d9c2b1a0f9e8d7c6b5a4938"},
      {"CI_COMMIT_REF_NAME", "v1.2.3"},
      {"CI_COMMIT_TAG", "v1.2.3"},
      {"CI_CONFIG_PATH", ".gitlab-ci.yml"},
      {"CI_JOB_NAME", "release"},
      {"CI_JOB_ID", "8823111412"},
      {"CI_JOB_URL", "https://gitlab.com/acme/widgets/-/jobs/8823111412"},
      {"CI_JOB_STARTED_AT", "2025-03-14T09:26:53Z"},
      {"CI_PIPELINE_ID", "1580264931"},
      {"CI_PIPELINE_SOURCE", "push"},
      {"CI_PIPELINE_URL", "https://gitlab.com/acme/widgets/-/pipelines/1580264931"},
      {"CI_RUNNER_ID", "12270835"},
      {"CI_RUNNER_DESCRIPTION", "2-green.saas-linux-small-amd64.runners-manager.gitlab.com/default"},
      {"CI_RUNNER_VERSION", "17.9.0"},
      {"CI_RUNNER_EXECUTABLE_ARCH", "linux/amd64"},
  };
}

// Sets exactly these variables (of the allow-list and k_secrets) for its lifetime, then
// restores what was there.
class ScopedEnv {
public:
  explicit ScopedEnv(const std::map<std::string, std::string>& values)
  {
    std::vector<std::string> names;
    for (const auto& [name, value] : k_secrets) {
      names.push_back(name);
    }
    for (const auto name : sigil::provenance::gitlab_variables()) {
      names.emplace_back(name);
    }
    for (const auto& name : names) {
      const char* old = std::getenv(name.c_str());
      m_saved.emplace_back(name, old == nullptr ? std::nullopt : std::optional<std::string>(old));
      ::unsetenv(name.c_str());
    }
    for (const auto& [name, value] : values) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnv()
  {
    for (const auto& [name, value] : m_saved) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  std::vector<std::pair<std::string, std::optional<std::string>>> m_saved;
};

GitlabProvenanceRequest finished_0928()
{
  using namespace std::chrono;
  return {.finished_on = sys_days{year{2025} / March / 14} + 9h + 28min + 1s};
}

constexpr std::string_view k_golden = R"({
  "buildDefinition": {
    "buildType": "https://sigil.dev/buildtypes/gitlab-ci/v1",
    "externalParameters": {
      "source": {
        "uri": "git+https://gitlab.com/acme/widgets",
        "ref": "refs/tags/v1.2.3"
      },
      "entryPoint": ".gitlab-ci.yml",
      "jobName": "release"
    },
    "internalParameters": {
      "projectId": "48151623",
      "pipelineId": "1580264931",
      "pipelineSource": "push",
      "pipelineUrl": "https://gitlab.com/acme/widgets/-/pipelines/1580264931",
      "jobId": "8823111412",
      "runnerId": "12270835",
      "runnerDescription": "2-green.saas-linux-small-amd64.runners-manager.gitlab.com/default",
      "runnerArchitecture": "linux/amd64"
    },
    "resolvedDependencies": [
      {
        "uri": "git+https://gitlab.com/acme/widgets@refs/tags/v1.2.3",
        "digest": {
          "gitCommit": "6e2c4c7d1f0b8a3e5d9c2b1a0f9e8d7c6b5a4938"
        }
      }
    ]
  },
  "runDetails": {
    "builder": {
      "id": "https://gitlab.com/acme/widgets/-/runners/12270835",
      "version": {
        "gitlab-runner": "17.9.0",
        "gitlab": "18.2.0-pre"
      }
    },
    "metadata": {
      "invocationId": "https://gitlab.com/acme/widgets/-/jobs/8823111412",
      "startedOn": "2025-03-14T09:26:53Z",
      "finishedOn": "2025-03-14T09:28:01Z"
    }
  }
})";

sigil::util::Json predicate_json(const std::map<std::string, std::string>& vars)
{
  const ScopedEnv env(vars);
  auto text = gitlab_provenance_predicate(finished_0928());
  REQUIRE(text.has_value());
  auto json = sigil::util::parse_json(*text);
  REQUIRE(json.has_value());
  return *json;
}

std::string first_ref(const sigil::util::Json& predicate)
{
  return predicate["buildDefinition"]["externalParameters"]["source"]["ref"].get<std::string>();
}

} // namespace

TEST_CASE("gitlab provenance: golden predicate for a tag pipeline")
{
  const ScopedEnv env(tag_pipeline());
  auto text = gitlab_provenance_predicate(finished_0928());
  REQUIRE(text.has_value());
  CHECK(*text == k_golden);
  auto again = gitlab_provenance_predicate(finished_0928());
  REQUIRE(again.has_value());
  CHECK(*again == *text);
}

TEST_CASE("gitlab provenance: every variable read is in the env table, none secret")
{
  for (const auto name : sigil::provenance::gitlab_variables()) {
    INFO(name);
    const auto table = sigil::core::env::variables();
    const auto it = std::ranges::find_if(table, [&](const auto& v) { return v.name == name; });
    REQUIRE(it != table.end());
    CHECK(it->secret == sigil::core::env::Secret::no);
    CHECK_FALSE(it->description.empty());
  }
  CHECK(sigil::provenance::gitlab_required_variables().size() == 14);
}

TEST_CASE("gitlab provenance: branch and merge request pipelines")
{
  auto vars = tag_pipeline();
  vars.erase("CI_COMMIT_TAG");
  vars["CI_COMMIT_BRANCH"] = "main";
  vars["CI_COMMIT_REF_NAME"] = "main";
  CHECK(first_ref(predicate_json(vars)) == "refs/heads/main");

  vars.erase("CI_COMMIT_BRANCH"); // merge request pipelines set neither tag nor branch
  vars["CI_COMMIT_REF_NAME"] = "feature/login";
  const auto mr = predicate_json(vars);
  CHECK(first_ref(mr) == "refs/heads/feature/login");
  CHECK(mr["buildDefinition"]["resolvedDependencies"][0]["uri"] ==
        "git+https://gitlab.com/acme/widgets@refs/heads/feature/login");
}

TEST_CASE("gitlab provenance: optional variables are left out when unset")
{
  auto vars = tag_pipeline();
  for (const auto* name : {"CI_PROJECT_ID", "CI_PIPELINE_URL", "CI_RUNNER_DESCRIPTION", "CI_RUNNER_VERSION",
                           "CI_RUNNER_EXECUTABLE_ARCH", "CI_SERVER_VERSION"}) {
    vars.erase(name);
  }
  vars["CI_SERVER_URL"] = "https://gitlab.example.com/"; // a trailing slash is not doubled
  const auto p = predicate_json(vars);
  CHECK(p["buildDefinition"]["internalParameters"] ==
        sigil::util::Json::parse(
            R"({"pipelineId":"1580264931","pipelineSource":"push","jobId":"8823111412","runnerId":"12270835"})"));
  CHECK_FALSE(p["runDetails"]["builder"].contains("version"));
  CHECK(p["runDetails"]["builder"]["id"] == "https://gitlab.example.com/acme/widgets/-/runners/12270835");
}

TEST_CASE("gitlab provenance: one error lists every missing variable")
{
  auto vars = tag_pipeline();
  vars.erase("CI_COMMIT_SHA");
  vars.erase("CI_JOB_ID");
  vars["CI_RUNNER_ID"] = ""; // set but empty counts as missing
  const ScopedEnv env(vars);
  auto text = gitlab_provenance_predicate(finished_0928());
  REQUIRE_FALSE(text.has_value());
  CHECK(text.error().code == ErrorCode::usage);
  CHECK(text.error().message ==
        "gitlab provenance: missing GitLab CI variables (unset or empty): CI_COMMIT_SHA, "
        "CI_JOB_ID, CI_RUNNER_ID; run this in a GitLab CI job, which sets them, or set them yourself");
}

TEST_CASE("gitlab provenance: outside GitLab CI, all required variables are named")
{
  const ScopedEnv env({});
  auto text = gitlab_provenance_predicate(finished_0928());
  REQUIRE_FALSE(text.has_value());
  for (const auto name : sigil::provenance::gitlab_required_variables()) {
    CHECK(text.error().message.find(name) != std::string::npos);
  }
  CHECK(text.error().message.find("CI_COMMIT_TAG") == std::string::npos);
}

TEST_CASE("gitlab provenance: malformed values are refused, naming the variables")
{
  auto vars = tag_pipeline();
  vars["CI_COMMIT_SHA"] = "6E2C4C7D";
  vars["CI_JOB_ID"] = "88x";
  vars["CI_JOB_STARTED_AT"] = "yesterday";
  vars["CI_PROJECT_URL"] = "ftp://gitlab.com/acme/widgets";
  const ScopedEnv env(vars);
  auto text = gitlab_provenance_predicate(finished_0928());
  REQUIRE_FALSE(text.has_value());
  CHECK(text.error().code == ErrorCode::usage);
  const auto& m = text.error().message;
  CHECK(m.find("CI_COMMIT_SHA \"6E2C4C7D\" is not a git commit id") != std::string::npos);
  CHECK(m.find("CI_JOB_ID \"88x\" is not a number") != std::string::npos);
  CHECK(m.find("CI_JOB_STARTED_AT \"yesterday\" is not an RFC 3339 time") != std::string::npos);
  CHECK(m.find("CI_PROJECT_URL is not an http(s) URL") != std::string::npos);
}

TEST_CASE("gitlab provenance: RFC 3339 start times with fractions and offsets are accepted")
{
  for (const auto* started : {"2025-03-14T09:26:53.123Z", "2025-03-14T10:26:53+01:00", "2025-03-14t09:26:53z"}) {
    auto vars = tag_pipeline();
    vars["CI_JOB_STARTED_AT"] = started;
    CHECK(predicate_json(vars)["runDetails"]["metadata"]["startedOn"] == started);
  }
}

TEST_CASE("gitlab provenance: a URL with credentials is refused without repeating them")
{
  auto vars = tag_pipeline();
  vars["CI_PROJECT_URL"] = "https://gitlab-ci-token:SECRETinPROJECTurl@gitlab.com/acme/widgets";
  const ScopedEnv env(vars);
  auto text = gitlab_provenance_predicate(finished_0928());
  REQUIRE_FALSE(text.has_value());
  CHECK(text.error().message.find("CI_PROJECT_URL is not an http(s) URL without a user part") != std::string::npos);
  CHECK(text.error().message.find("SECRET") == std::string::npos);
}

TEST_CASE("gitlab provenance: masked and secret variables never reach the output")
{
  auto vars = tag_pipeline();
  vars.insert(k_secrets.begin(), k_secrets.end());
  const ScopedEnv env(vars);
  auto predicate = gitlab_provenance_predicate(finished_0928());
  REQUIRE(predicate.has_value());
  CHECK(*predicate == k_golden); // the secrets change nothing
  const sigil::intoto::Subject subject{"app.tar.gz", {{"sha256", std::string(64, 'a')}}, {}};
  auto statement = sigil::provenance::gitlab_provenance_statement(finished_0928(), std::span(&subject, 1));
  REQUIRE(statement.has_value());
  for (const auto& text : {*predicate, *statement}) {
    CHECK(text.find("SECRET") == std::string::npos);
    CHECK(text.find("glcbt") == std::string::npos);
    CHECK(text.find("gitlab-ci-token") == std::string::npos);
  }
}

TEST_CASE("gitlab provenance: the statement passes sigil's own provenance checks")
{
  const ScopedEnv env(tag_pipeline());
  const std::vector<sigil::intoto::Subject> subjects{
      {"dist/app.tar.gz", {{"sha256", std::string(64, 'b')}}, {}},
      {"registry.gitlab.com/acme/widgets", {{"sha256", std::string(64, 'c')}}, {}},
  };
  auto text = sigil::provenance::gitlab_provenance_statement(finished_0928(), subjects);
  REQUIRE(text.has_value());
  auto statement = sigil::intoto::parse_statement(*text);
  REQUIRE(statement.has_value());
  CHECK(statement->type == "https://in-toto.io/Statement/v1");
  CHECK(statement->predicate_type == "https://slsa.dev/provenance/v1");
  REQUIRE(statement->subjects.size() == 2);
  CHECK(statement->subjects[1].name == "registry.gitlab.com/acme/widgets");
  CHECK(sigil::util::dump_json(statement->predicate) == sigil::util::dump_json(*sigil::util::parse_json(k_golden)));

  const auto report =
      sigil::policy::check_provenance(statement->raw, {.source_uri = "gitlab.com/acme/widgets",
                                                       .source_ref = "refs/tags/v*",
                                                       .builder_id = "https://gitlab.com/acme/widgets/-/runners/"});
  CHECK_FALSE(report.failure.has_value());
  CHECK(report.warnings.empty());
  CHECK(report.checks.size() == 4);
}

TEST_CASE("gitlab provenance: subjects of files and images")
{
  const auto path = std::filesystem::temp_directory_path() / "sigil_test_provenance_artifact.txt";
  {
    std::ofstream out(path, std::ios::binary);
    out << "abc";
  }
  auto file = sigil::provenance::file_subject(path.string());
  std::filesystem::remove(path);
  REQUIRE(file.has_value());
  CHECK(file->name == path.string());
  CHECK(file->digest.at("sha256") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK_FALSE(sigil::provenance::file_subject(path.string()).has_value());
  CHECK(sigil::provenance::file_subject("-").error().code == ErrorCode::usage);

  const std::string hex(64, 'd');
  auto by_digest = sigil::oci::Reference::parse("registry.gitlab.com/acme/widgets:v1@sha256:" + hex);
  REQUIRE(by_digest.has_value());
  auto image = sigil::provenance::image_subject(*by_digest);
  REQUIRE(image.has_value());
  CHECK(image->name == "registry.gitlab.com/acme/widgets");
  CHECK(image->digest.at("sha256") == hex);
  auto by_tag = sigil::oci::Reference::parse("registry.gitlab.com/acme/widgets:v1");
  REQUIRE(by_tag.has_value());
  auto refused = sigil::provenance::image_subject(*by_tag);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == ErrorCode::usage);
  CHECK(refused.error().message.find("has no digest") != std::string::npos);
}

TEST_CASE("gitlab provenance: timestamps are UTC whatever TZ says")
{
  const char* old = std::getenv("TZ");
  const std::optional<std::string> saved = old == nullptr ? std::nullopt : std::optional<std::string>(old);
  ::setenv("TZ", "America/New_York", 1);
  ::tzset();
  CHECK(sigil::provenance::rfc3339_utc(finished_0928().finished_on + 999ms) == "2025-03-14T09:28:01Z");
  CHECK(sigil::provenance::rfc3339_utc(std::chrono::system_clock::time_point{}) == "1970-01-01T00:00:00Z");
  if (saved) {
    ::setenv("TZ", saved->c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}
