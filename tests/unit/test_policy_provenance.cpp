// Tests for sigil::policy provenance checks against real statements: GitLab Runner's SLSA v1
// and v0.2 provenance (quirks accepted as warnings), GitLab's Rails-side SLSA v1, sigil's own
// GitLab predicate, GitHub's actions workflow buildType (SLSA v1) and npm's SLSA v0.2; plus
// the normalisation, ref glob and builder prefix rules on their own.
#include "sigil/policy/provenance.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace {

using sigil::policy::check_provenance;
using sigil::policy::ProvenanceExpectations;
using sigil::policy::ProvenanceReport;
using sigil::util::Json;

// GitLab Runner, SLSA_PROVENANCE_SCHEMA_VERSION=v1: the example of GitLab's
// doc/ci/runners/configure_runners.md (externalParameters cut to a few variable names).
const Json& gitlab_runner_v1()
{
  static const Json j = Json::parse(R"({
   "_type": "https://in-toto.io/Statement/v0.1",
   "predicateType": "https://slsa.dev/provenance/v1",
   "subject": [{"name": "build/pico_w/wifi/blink/picow_blink.uf2",
     "digest": {"sha256": "f5a381a3fdf095a88fb928094f0e38cf269d226b07414369e8906d749634c090"}}],
   "predicate": {
    "buildDefinition": {
     "buildType": "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/761ae5dd/PROVENANCE.md",
     "externalParameters": {"CI": "", "CI_COMMIT_SHA": "", "CI_JOB_TOKEN": "", "GITLAB_CI": "",
       "entryPoint": "create_generic_package",
       "source": "https://gitlab.com/dsanoy-demo/experiments/pico-examples-3a"},
     "internalParameters": {"architecture": "amd64", "executor": "docker+machine", "job": "7211908025",
       "name": "green-6.saas-linux-small-amd64.runners-manager.gitlab.com/default"},
     "resolvedDependencies": [{"uri": "https://gitlab.com/dsanoy-demo/experiments/pico-examples-3a",
       "digest": {"sha256": "7e1aeac4e6c07138769b638d4926f429692d0124"}}]
    },
    "runDetails": {
     "builder": {"id": "https://gitlab.com/dsanoy-demo/experiments/pico-examples-3a/-/runners/32976645",
       "version": {"gitlab-runner": "761ae5dd"}},
     "metadata": {"invocationID": "7211908025", "startedOn": "2024-06-28T09:56:44Z",
       "finishedOn": "2024-06-28T09:56:58Z"}
    }
   }
  })");
  return j;
}

// GitLab Runner's default SLSA v0.2 statement, field by field as GitLab's documentation lists it.
const Json& gitlab_runner_v02()
{
  static const Json j = Json::parse(R"({
   "_type": "https://in-toto.io/Statement/v0.1",
   "predicateType": "https://slsa.dev/provenance/v0.2",
   "subject": [{"name": "app.tar.gz", "digest": {"sha256": "104674887da894443ab55918d81b0151dc7abb2472e5dafcdd78e7be71098af1"}}],
   "predicate": {
    "buildType": "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/v16.6.0/PROVENANCE.md",
    "builder": {"id": "https://gitlab.com/acme/widgets/-/runners/12270835"},
    "invocation": {
     "configSource": {"uri": "https://gitlab.com/acme/widgets",
       "digest": {"sha256": "7e1aeac4e6c07138769b638d4926f429692d0124"}, "entryPoint": "build"},
     "parameters": {"CI_PIPELINE_ID": "", "CI_JOB_TOKEN": ""},
     "environment": {"name": "runner-1", "executor": "docker", "architecture": "amd64"}
    },
    "metadata": {"buildStartedOn": "2024-01-05T10:00:00Z", "buildFinishedOn": "2024-01-05T10:02:00Z",
      "completeness": {"parameters": true, "environment": true, "materials": false}, "reproducible": false},
    "materials": []
   }
  })");
  return j;
}

// GitLab's Rails-side provenance (doc/ci/pipeline_security/slsa/provenance_v1.md example).
const Json& gitlab_rails_v1()
{
  static const Json j = Json::parse(R"({
   "_type": "https://in-toto.io/Statement/v1",
   "subject": [{"name": "artifacts.zip", "digest": {"sha256": "717a1ee89f0a2829cf5aad57054c83615675b04baa913bdc19999d7519edf3f2"}}],
   "predicateType": "https://slsa.dev/provenance/v1",
   "predicate": {
    "buildDefinition": {
     "buildType": "https://docs.gitlab.com/ci/pipeline_security/slsa/provenance_v1",
     "externalParameters": {"source": "http://gdk.test:3000/root/repo_name", "entryPoint": "build-job",
       "variables": {"CI_PIPELINE_ID": "576", "masked_variable": "[MASKED]"}},
     "internalParameters": {"architecture": "arm64", "executor": "docker", "job": 412, "name": "9-mfdkBG"},
     "resolvedDependencies": [{"uri": "http://gdk.test:3000/root/repo_name",
       "digest": {"gitCommit": "a288201509dd9a85da4141e07522bad412938dbe"}}]
    },
    "runDetails": {
     "builder": {"id": "http://gdk.test:3000/groups/user/-/runners/33", "version": {"gitlab-runner": "4d7093e1"}},
     "metadata": {"invocationId": 412, "startedOn": "2025-06-05T01:33:18Z", "finishedOn": "2025-06-05T01:33:23Z"}
    }
   }
  })");
  return j;
}

// What `sigil provenance --gitlab --statement` writes in a tag pipeline.
Json sigil_gitlab(std::string_view ref)
{
  Json j = Json::parse(R"({
   "_type": "https://in-toto.io/Statement/v1",
   "subject": [{"name": "app.tar.gz", "digest": {"sha256": "104674887da894443ab55918d81b0151dc7abb2472e5dafcdd78e7be71098af1"}}],
   "predicateType": "https://slsa.dev/provenance/v1",
   "predicate": {
    "buildDefinition": {
     "buildType": "https://sigil.dev/buildtypes/gitlab-ci/v1",
     "externalParameters": {"source": {"uri": "git+https://gitlab.com/acme/widgets", "ref": "REF"},
       "entryPoint": ".gitlab-ci.yml", "jobName": "release"},
     "internalParameters": {"pipelineId": "1580264931", "pipelineSource": "push", "jobId": "8823111412", "runnerId": "12270835"},
     "resolvedDependencies": [{"uri": "git+https://gitlab.com/acme/widgets@REF",
       "digest": {"gitCommit": "6e2c4c7d1f0b8a3e5d9c2b1a0f9e8d7c6b5a4938"}}]
    },
    "runDetails": {
     "builder": {"id": "https://gitlab.com/acme/widgets/-/runners/12270835"},
     "metadata": {"invocationId": "https://gitlab.com/acme/widgets/-/jobs/8823111412",
       "startedOn": "2025-03-14T09:26:53Z", "finishedOn": "2025-03-14T09:28:01Z"}
    }
   }
  })");
  j["predicate"]["buildDefinition"]["externalParameters"]["source"]["ref"] = std::string(ref);
  j["predicate"]["buildDefinition"]["resolvedDependencies"][0]["uri"] =
      "git+https://gitlab.com/acme/widgets@" + std::string(ref);
  return j;
}

// GitHub actions/attest-build-provenance (sigstore-conformance's statement.json).
const Json& github_v1()
{
  static const Json j = Json::parse(R"({
   "_type": "https://in-toto.io/Statement/v1",
   "subject": [{"name": "a.txt", "digest": {"sha256": "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"}}],
   "predicateType": "https://slsa.dev/provenance/v1",
   "predicate": {
    "buildDefinition": {
     "buildType": "https://actions.github.io/buildtypes/workflow/v1",
     "externalParameters": {"workflow": {"ref": "refs/heads/main", "repository": "https://github.com/loosebazooka/aa-test",
       "path": ".github/workflows/provenance.yaml"}},
     "internalParameters": {"github": {"event_name": "workflow_dispatch", "repository_id": "891715444",
       "repository_owner_id": "1304826", "runner_environment": "github-hosted"}},
     "resolvedDependencies": [{"uri": "git+https://github.com/loosebazooka/aa-test@refs/heads/main",
       "digest": {"gitCommit": "a9cd7bf0bbfd5732800b8196ce893ae9915b1e87"}}]
    },
    "runDetails": {
     "builder": {"id": "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main"},
     "metadata": {"invocationId": "https://github.com/loosebazooka/aa-test/actions/runs/14115120610/attempts/1"}
    }
   }
  })");
  return j;
}

// npm's SLSA v0.2 provenance for sigstore@1.3.0 (sigstore-go examples).
const Json& npm_v02()
{
  static const Json j = Json::parse(R"({
   "_type": "https://in-toto.io/Statement/v0.1",
   "subject": [{"name": "pkg:npm/sigstore@1.3.0", "digest": {"sha512": "76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"}}],
   "predicateType": "https://slsa.dev/provenance/v0.2",
   "predicate": {
    "buildType": "https://github.com/npm/cli/gha/v2",
    "builder": {"id": "https://github.com/actions/runner"},
    "invocation": {
     "configSource": {"uri": "git+https://github.com/sigstore/sigstore-js@refs/heads/main",
       "digest": {"sha1": "dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1"}, "entryPoint": ".github/workflows/release.yml"},
     "parameters": {}, "environment": {"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"}
    },
    "metadata": {"buildInvocationId": "4735384265-1", "reproducible": false},
    "materials": [{"uri": "git+https://github.com/sigstore/sigstore-js@refs/heads/main",
      "digest": {"sha1": "dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1"}}]
   }
  })");
  return j;
}

bool mentions(const std::vector<std::string>& lines, std::string_view text)
{
  return std::ranges::any_of(lines, [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

ProvenanceExpectations source(std::string uri)
{
  return {.source_uri = std::move(uri)};
}

} // namespace

TEST_CASE("provenance: no expectation checks nothing, whatever the predicate")
{
  const Json custom = Json::parse(
      R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"https://cosign.sigstore.dev/attestation/v1","predicate":{}})");
  const auto report = check_provenance(custom, {});
  CHECK(report.checks.empty());
  CHECK(report.warnings.empty());
  CHECK_FALSE(report.failure.has_value());
}

TEST_CASE("provenance: an expectation needs a SLSA predicate")
{
  const Json custom = Json::parse(
      R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"https://cosign.sigstore.dev/attestation/v1","predicate":{}})");
  const auto report = check_provenance(custom, source("gitlab.com/acme/widgets"));
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicateType");
  CHECK(report.failure->found == "https://cosign.sigstore.dev/attestation/v1");
  CHECK(report.failure->expected == "https://slsa.dev/provenance/v1 or https://slsa.dev/provenance/v0.2");
}

TEST_CASE("provenance: GitLab Runner v1 is accepted, its quirks reported as warnings")
{
  const auto report =
      check_provenance(gitlab_runner_v1(), source("gitlab.com/dsanoy-demo/experiments/pico-examples-3a"));
  CHECK_FALSE(report.failure.has_value());
  CHECK(mentions(report.checks, "source https://gitlab.com/dsanoy-demo/experiments/pico-examples-3a matches"));
  CHECK(mentions(report.checks, "/predicate/buildDefinition/externalParameters/source)"));
  // Statement v0.1 is what cosign 2.x and GitLab Runner write: no warning (issue 18).
  REQUIRE(report.warnings.size() == 1);
  CHECK_FALSE(mentions(report.warnings, "Statement/v0.1"));
  CHECK(mentions(report.warnings, "/predicate/buildDefinition/resolvedDependencies/0/digest/sha256 is 40 hex digits"));
}

TEST_CASE("provenance: GitLab Runner v1 builder id by prefix, with / or *")
{
  for (const std::string_view prefix : {"https://gitlab.com/dsanoy-demo/experiments/pico-examples-3a/-/runners/",
                                        "https://gitlab.com/dsanoy-demo/experiments/pico-examples-3a/-/runners/*"}) {
    const auto report = check_provenance(gitlab_runner_v1(), {.builder_id = std::string(prefix)});
    CHECK_FALSE(report.failure.has_value());
    CHECK(mentions(report.checks, "as a prefix (/predicate/runDetails/builder/id)"));
  }
  const auto other =
      check_provenance(gitlab_runner_v1(), {.builder_id = "https://gitlab.com/other/project/-/runners/"});
  REQUIRE(other.failure.has_value());
  CHECK(other.failure->pointer == "/predicate/runDetails/builder/id");
  CHECK(other.failure->found == "https://gitlab.com/dsanoy-demo/experiments/pico-examples-3a/-/runners/32976645");
}

TEST_CASE("provenance: GitLab Runner records no ref, so a source ref cannot be satisfied")
{
  for (const std::string_view ref : {"main", "refs/tags/v*"}) {
    const auto report = check_provenance(gitlab_runner_v1(), {.source_ref = std::string(ref)});
    REQUIRE(report.failure.has_value());
    CHECK(report.failure->pointer == "/predicate/buildDefinition/externalParameters/source/ref");
    CHECK(report.failure->found == "<absent> (the provenance does not record which ref was built)");
  }
  CHECK(check_provenance(gitlab_runner_v1(), {.source_ref = "main"}).failure->expected ==
        "main (the branch refs/heads/main or the tag refs/tags/main)");
  const auto v02 = check_provenance(gitlab_runner_v02(), {.source_ref = "refs/tags/v*"});
  REQUIRE(v02.failure.has_value());
  CHECK(v02.failure->pointer == "/predicate/invocation/configSource/uri");
  CHECK(v02.failure->found == "<absent> (the provenance does not record which ref was built)");
}

TEST_CASE("provenance: another repository fails, naming both sides")
{
  const auto report =
      check_provenance(gitlab_runner_v1(), source("https://gitlab.com/dsanoy-demo/experiments/other.git"));
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicate/buildDefinition/externalParameters/source");
  CHECK(report.failure->expected ==
        "https://gitlab.com/dsanoy-demo/experiments/other.git (normalised: gitlab.com/dsanoy-demo/experiments/other)");
  CHECK(report.failure->found == "https://gitlab.com/dsanoy-demo/experiments/pico-examples-3a (normalised: "
                                 "gitlab.com/dsanoy-demo/experiments/pico-examples-3a)");
}

TEST_CASE("provenance: GitLab Runner v0.2, a SHA-1 under sha256 in the config source is a warning")
{
  const auto report =
      check_provenance(gitlab_runner_v02(), {.source_uri = "gitlab.com/acme/widgets",
                                             .builder_id = "https://gitlab.com/acme/widgets/-/runners/12270835"});
  CHECK_FALSE(report.failure.has_value());
  CHECK(mentions(report.checks, "(/predicate/invocation/configSource/uri)"));
  CHECK(mentions(report.checks, "builder id https://gitlab.com/acme/widgets/-/runners/12270835 matches"));
  REQUIRE(report.warnings.size() == 1);
  CHECK(mentions(report.warnings, "/predicate/invocation/configSource/digest/sha256 is 40 hex digits"));
}

TEST_CASE("provenance: GitLab Rails-side v1, a port is part of the repository")
{
  auto report = check_provenance(gitlab_rails_v1(), source("gdk.test:3000/root/repo_name"));
  CHECK_FALSE(report.failure.has_value());
  CHECK(report.warnings.empty());
  report = check_provenance(gitlab_rails_v1(), source("gdk.test/root/repo_name"));
  CHECK(report.failure.has_value());
}

TEST_CASE("provenance: sigil's GitLab predicate, source and tag glob")
{
  const Json statement = sigil_gitlab("refs/tags/v1.2.3");
  auto report = check_provenance(statement, {.source_uri = "gitlab.com/acme/widgets",
                                             .source_ref = "refs/tags/v*",
                                             .builder_id = "https://gitlab.com/acme/widgets/-/runners/12270835"});
  CHECK_FALSE(report.failure.has_value());
  CHECK(report.warnings.empty());
  CHECK(report.checks.size() == 4); // predicate type, builder, source, ref
  CHECK(mentions(report.checks, "source ref refs/tags/v1.2.3 matches refs/tags/v* "
                                "(/predicate/buildDefinition/externalParameters/source/ref)"));
  CHECK(mentions(report.checks, "source git+https://gitlab.com/acme/widgets matches gitlab.com/acme/widgets "
                                "(/predicate/buildDefinition/externalParameters/source/uri)"));

  report = check_provenance(statement, {.source_ref = "refs/tags/v2*"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicate/buildDefinition/externalParameters/source/ref");
  CHECK(report.failure->found == "refs/tags/v1.2.3");

  report = check_provenance(statement, {.source_ref = "v1.2.3"}); // a bare name: the tag or the branch
  CHECK_FALSE(report.failure.has_value());
  CHECK(mentions(report.checks, "source ref refs/tags/v1.2.3 matches v1.2.3 as a tag ("));
  report = check_provenance(statement, {.source_ref = "v1.2.4"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->expected == "v1.2.4 (the branch refs/heads/v1.2.4 or the tag refs/tags/v1.2.4)");
}

TEST_CASE("provenance: a bare name matches refs/heads/NAME or refs/tags/NAME, and says which")
{
  const auto branch = check_provenance(sigil_gitlab("refs/heads/main"), {.source_ref = "main"});
  CHECK_FALSE(branch.failure.has_value());
  CHECK(mentions(branch.checks, "source ref refs/heads/main matches main as a branch ("));
  CHECK(check_provenance(sigil_gitlab("refs/heads/mainline"), {.source_ref = "main"}).failure.has_value());
  CHECK_FALSE(check_provenance(sigil_gitlab("refs/tags/main"), {.source_ref = "main"}).failure.has_value());
  CHECK(check_provenance(sigil_gitlab("refs/heads/main"), {.source_ref = "refs/tags/main"}).failure.has_value());
}

TEST_CASE("provenance: GitHub workflow buildType v1 (attest-build-provenance)")
{
  const auto report = check_provenance(
      github_v1(),
      {.source_uri = "github.com/loosebazooka/aa-test",
       .source_ref = "refs/heads/main",
       .builder_id = "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main"});
  CHECK_FALSE(report.failure.has_value());
  CHECK(report.warnings.empty());
  CHECK(mentions(report.checks, "(/predicate/buildDefinition/externalParameters/workflow/repository)"));
  CHECK(mentions(report.checks, "(/predicate/buildDefinition/externalParameters/workflow/ref)"));
}

TEST_CASE("provenance: a builder id without / or * must match exactly")
{
  const auto report = check_provenance(github_v1(), {.builder_id = "https://github.com/loosebazooka/aa-test"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicate/runDetails/builder/id");
  CHECK(report.failure->expected == "https://github.com/loosebazooka/aa-test");
  const auto starred = check_provenance(
      github_v1(), {.builder_id = "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@*"});
  CHECK_FALSE(starred.failure.has_value());
}

TEST_CASE("provenance: npm SLSA v0.2, ref from the config source URI, sha1 draws no warning")
{
  const auto report = check_provenance(npm_v02(), {.source_uri = "https://github.com/sigstore/sigstore-js.git",
                                                   .source_ref = "main",
                                                   .builder_id = "https://github.com/actions/runner"});
  CHECK_FALSE(report.failure.has_value());
  CHECK(report.warnings.empty());
  CHECK(mentions(report.checks, "source ref refs/heads/main (the @ref of "
                                "git+https://github.com/sigstore/sigstore-js@refs/heads/main) matches main"));
}

TEST_CASE("provenance: the first failure stops the checks")
{
  const auto report = check_provenance(npm_v02(), {.source_uri = "github.com/sigstore/sigstore-js",
                                                   .builder_id = "https://github.com/actions/runner/github-hosted"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicate/builder/id");
  CHECK_FALSE(mentions(report.checks, "source"));
}

TEST_CASE("provenance: a real SHA-256, or a SHA-1 under sha1 or gitCommit, draws no warning")
{
  Json statement = sigil_gitlab("refs/heads/main");
  auto& deps = statement["predicate"]["buildDefinition"]["resolvedDependencies"];
  deps.push_back({{"uri", "pkg:docker/debian@12"},
                  {"digest", {{"sha256", "b5a0a2b1e4ec5e1b7c6f4b1d8e0c2f9a3b4c5d6e7f8091a2b3c4d5e6f708192a"}}}});
  deps.push_back({{"uri", "git+https://gitlab.com/acme/lib@refs/heads/main"},
                  {"digest", {{"sha1", "dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1"}}}});
  const auto report = check_provenance(statement, source("gitlab.com/acme/widgets"));
  CHECK_FALSE(report.failure.has_value());
  CHECK(report.warnings.empty());
}

// Was "an explicit ref wins over the @ref of a URI": a provenance naming two refs for one
// build passed for either. It now says neither (an adversarial review's finding).
TEST_CASE("provenance: an explicit ref and another @ref of the URI satisfy no ref condition")
{
  Json statement = sigil_gitlab("refs/tags/v1.2.3");
  statement["predicate"]["buildDefinition"]["externalParameters"]["source"]["uri"] =
      "git+https://gitlab.com/acme/widgets@refs/heads/main";
  CHECK(check_provenance(statement, {.source_ref = "refs/tags/v1.2.3"}).failure.has_value());
  CHECK(check_provenance(statement, {.source_ref = "main"}).failure.has_value());
}

TEST_CASE("provenance: the host is case-insensitive, the path is not")
{
  CHECK_FALSE(check_provenance(sigil_gitlab("refs/heads/main"), source("GitLab.com/acme/widgets")).failure.has_value());
  CHECK(check_provenance(sigil_gitlab("refs/heads/main"), source("gitlab.com/Acme/widgets")).failure.has_value());
}

// A feature-branch build that depends on an older tag of its own repository: the builder
// states the source without a ref, a dependency names the same repository at a tag. The
// dependency's @ref is not the build's ref, so a tag expectation must fail.
TEST_CASE("provenance: a dependency on an older tag of the same repository is not the build's ref")
{
  Json runner = gitlab_runner_v1();
  runner["predicate"]["buildDefinition"]["resolvedDependencies"] = Json::parse(
      R"([{"uri": "git+https://gitlab.com/dsanoy-demo/experiments/pico-examples-3a@refs/tags/v1.0.0",
           "digest": {"gitCommit": "0123456789abcdef0123456789abcdef01234567"}}])");
  auto report = check_provenance(
      runner, {.source_uri = "gitlab.com/dsanoy-demo/experiments/pico-examples-3a", .source_ref = "refs/tags/v*"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicate/buildDefinition/externalParameters/source/ref");
  CHECK(report.failure->found == "<absent> (the provenance does not record which ref was built)");
  CHECK(mentions(report.checks, "(/predicate/buildDefinition/externalParameters/source)")); // the source held

  Json v02 = gitlab_runner_v02();
  v02["predicate"]["materials"] =
      Json::parse(R"([{"uri": "git+https://gitlab.com/acme/widgets@refs/tags/v1.0.0", "digest": {}}])");
  report = check_provenance(v02, {.source_ref = "refs/tags/v*"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->found == "<absent> (the provenance does not record which ref was built)");

  // sigil's own provenance states the branch; the tag of a dependency does not override it.
  Json branch = sigil_gitlab("refs/heads/feature/x");
  branch["predicate"]["buildDefinition"]["resolvedDependencies"].push_back(
      {{"uri", "git+https://gitlab.com/acme/widgets@refs/tags/v1.0.0"},
       {"digest", {{"gitCommit", "0123456789abcdef0123456789abcdef01234567"}}}});
  report = check_provenance(branch, {.source_ref = "refs/tags/v*"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->found == "refs/heads/feature/x");
}

TEST_CASE("provenance: with no source stated by the builder, dependencies do not stand in for it")
{
  Json only_deps = sigil_gitlab("refs/heads/main");
  only_deps["predicate"]["buildDefinition"]["externalParameters"] = Json::object();
  auto report = check_provenance(only_deps, {.source_uri = "gitlab.com/acme/widgets"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicate/buildDefinition/externalParameters/source/uri");
  CHECK(report.failure->found.starts_with("<absent>"));
  report = check_provenance(only_deps, {.source_ref = "main"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->found == "<absent> (the provenance does not record which ref was built)");

  Json npm = npm_v02();
  npm["predicate"].erase("invocation");
  report = check_provenance(npm, {.source_uri = "github.com/sigstore/sigstore-js"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicate/invocation/configSource/uri");

  // A source stated as a plain URL: the ref is not taken from the dependency of that repository.
  Json url_source = sigil_gitlab("refs/heads/main");
  url_source["predicate"]["buildDefinition"]["externalParameters"]["source"] = "https://gitlab.com/acme/widgets";
  report = check_provenance(url_source, {.source_uri = "gitlab.com/acme/widgets", .source_ref = "main"});
  REQUIRE(report.failure.has_value());
  CHECK(mentions(report.checks, "source https://gitlab.com/acme/widgets matches"));
  CHECK(report.failure->found == "<absent> (the provenance does not record which ref was built)");
}

TEST_CASE("provenance: missing and oversized fields fail with the pointer")
{
  Json no_builder = sigil_gitlab("refs/heads/main");
  no_builder["predicate"].erase("runDetails");
  auto report = check_provenance(no_builder, {.builder_id = "https://gitlab.com/"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicate/runDetails/builder/id");
  CHECK(report.failure->found == "<absent>");

  Json long_builder = sigil_gitlab("refs/heads/main");
  long_builder["predicate"]["runDetails"]["builder"]["id"] = "https://gitlab.com/" + std::string(5000, 'a');
  report = check_provenance(long_builder, {.builder_id = "https://gitlab.com/*"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->found.find("longer than the 4096 compared") != std::string::npos);

  Json not_object = Json::parse(R"({"predicateType":"https://slsa.dev/provenance/v1","predicate":[]})");
  report = check_provenance(not_object, source("gitlab.com/acme/widgets"));
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->pointer == "/predicate/buildDefinition/externalParameters/source/uri");
  CHECK(report.failure->found.starts_with("<absent>"));
}

TEST_CASE("provenance: source URI normalisation")
{
  struct Case {
    std::string_view uri;
    std::string_view normalised;
  };
  const std::vector<Case> cases{
      {"git+https://gitlab.com/group/project.git@refs/heads/main", "gitlab.com/group/project"},
      {"https://gitlab.com/group/project/", "gitlab.com/group/project"},
      {"http://gitlab.com/group/sub/project.git/", "gitlab.com/group/sub/project"},
      {"ssh://git@gitlab.com/group/project.git", "gitlab.com/group/project"},
      {"git@gitlab.com:group/project.git", "gitlab.com/group/project"},
      {"git://gitlab.com/group/project.git", "gitlab.com/group/project"},
      {"https://oauth2:secret@GitLab.COM/group/project", "gitlab.com/group/project"},
      {"http://gitlab.example.com:8080/g/p", "gitlab.example.com:8080/g/p"},
      {"gitlab.example.com:8080/g/p", "gitlab.example.com:8080/g/p"},
      {"gitlab.com/group/project", "gitlab.com/group/project"},
  };
  for (const auto& c : cases) {
    INFO(c.uri);
    CHECK(sigil::policy::normalize_source_uri(c.uri) == c.normalised);
  }
  CHECK(sigil::policy::source_uri_ref("git+https://gitlab.com/g/p@refs/tags/v1") == "refs/tags/v1");
  CHECK(sigil::policy::source_uri_ref("git@gitlab.com:g/p.git@refs/heads/x") == "refs/heads/x");
  CHECK_FALSE(sigil::policy::source_uri_ref("https://user@gitlab.com/g/p").has_value());
}

TEST_CASE("provenance: ref glob and builder prefix rules")
{
  using sigil::policy::builder_id_matches;
  using sigil::policy::glob_match;
  using sigil::policy::ref_matches;
  CHECK(glob_match("refs/tags/v*", "refs/tags/v1.2.3"));
  CHECK_FALSE(glob_match("refs/tags/v*", "refs/heads/v1"));
  CHECK(glob_match("refs/heads/feature/*", "refs/heads/feature/x/y")); // "*" crosses "/"
  CHECK(glob_match("a*b*c", "axxbyyc"));
  CHECK(glob_match("a*b", "ab"));
  CHECK_FALSE(glob_match("a*b", "abc"));
  CHECK(glob_match("*", ""));
  CHECK_FALSE(glob_match("v?", "v1")); // "?" is literal
  CHECK(glob_match("v?", "v?"));
  CHECK(ref_matches("main", "refs/heads/main"));
  CHECK(ref_matches("refs/heads/main", "main"));
  CHECK(ref_matches("v1.2.0", "refs/tags/v1.2.0")); // a bare name: the tag ...
  CHECK(ref_matches("v1.2.0", "refs/heads/v1.2.0")); // ... or the branch
  CHECK(ref_matches("v1.*", "refs/tags/v1.3"));
  CHECK_FALSE(ref_matches("v1.2.0", "refs/merge-requests/v1.2.0"));
  CHECK_FALSE(ref_matches("refs/heads/main", "refs/tags/main"));
  CHECK_FALSE(ref_matches("main", "refs/heads/main2"));
  CHECK(builder_id_matches("https://x/-/runners/", "https://x/-/runners/7"));
  CHECK(builder_id_matches("https://x/-/runners/*", "https://x/-/runners/7"));
  CHECK(builder_id_matches("https://x/-/runners/7", "https://x/-/runners/7"));
  CHECK_FALSE(builder_id_matches("https://x/-/runners/7", "https://x/-/runners/70"));
  CHECK_FALSE(builder_id_matches("https://x/-/runners/", "https://y/-/runners/7"));
}

TEST_CASE("provenance: a ref git would not accept, or two refs for one build, satisfy no ref condition")
{
  using sigil::policy::is_valid_git_ref;
  for (const std::string_view good : {"refs/tags/v1.0", "refs/heads/feature/x", "main", "refs/tags/v1.0-rc.1"}) {
    CAPTURE(good);
    CHECK(is_valid_git_ref(good));
  }
  for (const std::string_view bad :
       {"refs/tags/v1/../../heads/main", "refs/tags/v1.0\n", "refs/tags/v 1", "refs/tags/.hidden", "refs/tags/v1.lock",
        "refs/tags/v1/", "refs//tags/v1", "refs/tags/v1@{0}", "refs/tags/v1:x", "refs/tags/v*", "", "refs/tags/v1."}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_git_ref(bad));
  }
  // The review's cases: each matched refs/tags/v* before.
  Json dotdot = sigil_gitlab("refs/tags/v1/../../heads/main");
  auto report = check_provenance(dotdot, {.source_ref = "refs/tags/v*"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->found.ends_with("(not a valid git ref: the provenance names no built ref)"));
  Json newline = sigil_gitlab("refs/tags/v1.0\n");
  REQUIRE(check_provenance(newline, {.source_ref = "refs/tags/v*"}).failure.has_value());
  Json two = sigil_gitlab("refs/tags/v1.0");
  two["predicate"]["buildDefinition"]["externalParameters"]["source"]["uri"] =
      "git+https://gitlab.com/acme/widgets@refs/heads/main";
  report = check_provenance(two, {.source_ref = "refs/tags/v*"});
  REQUIRE(report.failure.has_value());
  CHECK(report.failure->found ==
        "refs/tags/v1.0 (the provenance records two refs: the source URI says refs/heads/main)");
  // The same ref in both places is one ref.
  Json same = sigil_gitlab("refs/tags/v1.0");
  same["predicate"]["buildDefinition"]["externalParameters"]["source"]["uri"] =
      "git+https://gitlab.com/acme/widgets@refs/tags/v1.0";
  CHECK_FALSE(check_provenance(same, {.source_ref = "refs/tags/v*"}).failure.has_value());
}
