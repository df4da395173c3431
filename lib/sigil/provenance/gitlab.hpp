// sigil::provenance — SLSA Provenance v1 predicates (https://slsa.dev/provenance/v1) for
// what a GitLab CI job built, from GitLab's predefined CI variables.
//
//   auto predicate = gitlab_provenance_predicate({.finished_on = std::chrono::system_clock::now()});
//   // then: sigil attest --type slsaprovenance1 --predicate FILE IMAGE@sha256:...
//
// The predicate (pretty JSON, fixed key order, values are the variables' text):
//
//   buildDefinition
//     buildType           k_gitlab_build_type
//     externalParameters  source {uri: "git+" CI_PROJECT_URL, ref}, entryPoint: CI_CONFIG_PATH,
//                         jobName: CI_JOB_NAME
//     internalParameters  projectId, pipelineId, pipelineSource, pipelineUrl, jobId, runnerId,
//                         runnerDescription, runnerArchitecture (each only when set)
//     resolvedDependencies [{uri: "git+" CI_PROJECT_URL "@" ref, digest: {gitCommit: CI_COMMIT_SHA}}]
//   runDetails
//     builder   id: CI_SERVER_URL "/" CI_PROJECT_PATH "/-/runners/" CI_RUNNER_ID (the form GitLab
//               Runner's own provenance uses), version {gitlab-runner, gitlab} when known
//     metadata  invocationId: CI_JOB_URL, startedOn: CI_JOB_STARTED_AT, finishedOn: finished_on
//
// ref is refs/tags/CI_COMMIT_TAG in a tag pipeline, else refs/heads/CI_COMMIT_BRANCH, else
// refs/heads/CI_COMMIT_REF_NAME (merge request pipelines: the source branch, as GitLab's ID
// token `ref_path` and the Fulcio source-ref extension name it). The job name is an external
// parameter because the user's configuration chooses it, as GitLab Runner's `entryPoint`.
//
// Why our own buildType. GitLab Runner's provenance uses
// https://gitlab.com/gitlab-org/gitlab-runner/-/blob/<version>/PROVENANCE.md, whose
// externalParameters are different (source is a plain URL string, entryPoint the job name,
// every variable name with an empty value) and which records no ref; a buildType fixes the
// meaning of the parameters, so a predicate shaped like ours must not claim GitLab's. Ours
// follows GitHub's workflow buildType instead (repository + ref + config path, the commit
// as a gitCommit dependency), which is what `verify-attestation --source-uri/--source-ref`
// (policy/provenance.hpp) reads; GitLab Runner's own provenance is read there too.
//
// Trust: this predicate is written by a step inside the job, so it is exactly as
// trustworthy as the job's script (SLSA Build L1); builder.id names the runner that ran the
// job, it is not a signature by that runner.
//
// Secrets: only the variables in gitlab_variables() are read (each through core::env), never
// the environment as a whole, so masked or file variables (CI_JOB_TOKEN,
// CI_REGISTRY_PASSWORD, SIGSTORE_ID_TOKEN, anything the project defines) cannot leak into
// the predicate; CI_REPOSITORY_URL, which embeds the job token, is not read. URL variables
// carrying a "user@" part are refused rather than copied.
//
// Errors are usage: every required variable that is unset or empty is listed in one
// message; a malformed value (a commit that is not 40 or 64 hex digits, an id that is not a
// number, a URL that is not http(s), a start time that is not RFC 3339) names the variable.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/oci/reference.hpp"

#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace sigil::provenance {

// Documented above; change it here if sigil gets a page that documents the build type.
constexpr std::string_view k_gitlab_build_type = "https://sigil.dev/buildtypes/gitlab-ci/v1";
constexpr std::string_view k_slsa_provenance_v1 = "https://slsa.dev/provenance/v1";

struct GitlabProvenanceRequest {
  std::chrono::system_clock::time_point finished_on;
};

// The GitLab CI variables read, required ones first.
[[nodiscard]] std::span<const std::string_view> gitlab_variables();
[[nodiscard]] std::span<const std::string_view> gitlab_required_variables();

// Pretty JSON (2-space indent, no final newline).
[[nodiscard]] Result<std::string> gitlab_provenance_predicate(const GitlabProvenanceRequest& request);

// An in-toto Statement v1 (pretty JSON) with these subjects around that predicate.
[[nodiscard]] Result<std::string> gitlab_provenance_statement(const GitlabProvenanceRequest& request,
                                                              std::span<const intoto::Subject> subjects);

// Subject for a file: name as given, sha256 of its bytes (streamed). Errors are bad_input.
[[nodiscard]] Result<intoto::Subject> file_subject(const std::string& path);
// Subject for an image by digest: name = registry/repository. An image without a digest is
// a usage error (provenance binds digests; `sigil resolve` prints one).
[[nodiscard]] Result<intoto::Subject> image_subject(const oci::Reference& image);

// time as RFC 3339 UTC with seconds: "2024-06-28T09:56:58Z" (independent of TZ).
[[nodiscard]] std::string rfc3339_utc(std::chrono::system_clock::time_point time);

} // namespace sigil::provenance
