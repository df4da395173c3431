#include "sigil/core/env.hpp"

#include <array>
#include <cassert>
#include <cstdlib>

namespace sigil::core::env {

namespace {

constexpr std::array k_variables{
    Variable{"SIGIL_PASSWORD", "Password of the encrypted private key. Set but empty means the empty password.",
             Secret::yes},
    Variable{"COSIGN_PASSWORD", "Read when SIGIL_PASSWORD is unset, for compatibility with cosign.", Secret::yes},
    Variable{"SIGSTORE_ID_TOKEN",
             "OIDC identity token for keyless signing (GitLab CI: id_tokens with aud: sigstore), when --identity-token "
             "is not given.",
             Secret::yes},
    Variable{"SIGIL_REPOSITORY", "Repository that stores signatures and attestations instead of the image's own.",
             Secret::no},
    Variable{"COSIGN_REPOSITORY", "Read when SIGIL_REPOSITORY is unset, for compatibility with cosign.", Secret::no},
    Variable{"NO_COLOR", "When set, output is never coloured.", Secret::no},
    Variable{"DOCKER_CONFIG", "Directory holding the docker config.json with registry credentials (default ~/.docker).",
             Secret::no},
    Variable{"HOME", "Home directory, for ~/.docker/config.json.", Secret::no},
    Variable{"SSL_CERT_FILE", "File of CA certificates trusted for registry TLS, instead of the system store.",
             Secret::no},
    Variable{"TMPDIR",
             "Directory for private temporary files (sign-blob's copy of piped input, load's unpacked archive); "
             "default /tmp.",
             Secret::no},
    Variable{"SIGSTORE_ROOT_FILE",
             "Private Sigstore deployment (as cosign): PEM file of the Fulcio root and intermediate certificates.",
             Secret::no},
    Variable{"SIGSTORE_REKOR_PUBLIC_KEY", "Private Sigstore deployment (as cosign): PEM file of the Rekor public key.",
             Secret::no},
    Variable{"SIGSTORE_CT_LOG_PUBLIC_KEY_FILE",
             "Private Sigstore deployment (as cosign): PEM file of the certificate transparency log's public key.",
             Secret::no},
    Variable{"SIGSTORE_TSA_CERTIFICATE_FILE",
             "Private Sigstore deployment (as cosign): PEM chain of the timestamp authority, leaf first "
             "(--timestamp-certificate-chain wins).",
             Secret::no},
    Variable{"SIGIL_TUF_MIRROR",
             "TUF repository of the Sigstore trust (trusted root, signing config) when --tuf-mirror is not given "
             "(default https://tuf-repo-cdn.sigstore.dev); \"none\" turns TUF off.",
             Secret::no},
    Variable{"SIGIL_TUF_ROOT",
             "Initial TUF root.json for SIGIL_TUF_MIRROR when --tuf-root is not given (default: the public-good root "
             "built in).",
             Secret::no},
    Variable{"XDG_CACHE_HOME", "Cache directory (default ~/.cache); TUF metadata and targets go under sigil/tuf/.",
             Secret::no},
    Variable{"CI_REGISTRY",
             "GitLab CI: host of the project's container registry; the CI_REGISTRY_* credentials are used only for it.",
             Secret::no},
    Variable{"CI_REGISTRY_USER", "GitLab CI: user name for CI_REGISTRY.", Secret::no},
    Variable{"CI_REGISTRY_PASSWORD", "GitLab CI: password for CI_REGISTRY.", Secret::yes},
    Variable{"CI_JOB_TOKEN", "GitLab CI: job token, used as gitlab-ci-token for CI_REGISTRY.", Secret::yes},
    Variable{"GITLAB_CI",
             "GitLab CI: set in every job (\"true\"; gitlab-ci-local sets \"false\"); required by provenance --gitlab.",
             Secret::no},
    Variable{"CI_SERVER_URL", "GitLab CI: instance URL; provenance builder.id prefix.", Secret::no},
    Variable{"CI_PROJECT_PATH", "GitLab CI: group/project path; provenance builder.id.", Secret::no},
    Variable{"CI_PROJECT_URL", "GitLab CI: project URL; provenance source repository.", Secret::no},
    Variable{"CI_PROJECT_ID", "GitLab CI: project id; provenance internalParameters.", Secret::no},
    Variable{"CI_COMMIT_SHA", "GitLab CI: commit being built; provenance gitCommit.", Secret::no},
    Variable{
        "CI_COMMIT_REF_NAME",
        "GitLab CI: branch or tag name; provenance source ref when neither CI_COMMIT_TAG nor CI_COMMIT_BRANCH is set.",
        Secret::no},
    Variable{"CI_COMMIT_TAG", "GitLab CI: tag name in tag pipelines; provenance source ref refs/tags/<tag>.",
             Secret::no},
    Variable{"CI_COMMIT_BRANCH",
             "GitLab CI: branch name in branch pipelines; provenance source ref refs/heads/<branch>.", Secret::no},
    Variable{"CI_CONFIG_PATH", "GitLab CI: path of the CI configuration file; provenance entryPoint.", Secret::no},
    Variable{"CI_JOB_NAME", "GitLab CI: job name; provenance externalParameters.jobName.", Secret::no},
    Variable{"CI_JOB_ID", "GitLab CI: job id; provenance internalParameters.", Secret::no},
    Variable{"CI_JOB_URL", "GitLab CI: job URL; provenance invocationId.", Secret::no},
    Variable{"CI_JOB_STARTED_AT", "GitLab CI: job start time (RFC 3339); provenance startedOn.", Secret::no},
    Variable{"CI_PIPELINE_ID", "GitLab CI: pipeline id; provenance internalParameters.", Secret::no},
    Variable{"CI_PIPELINE_SOURCE",
             "GitLab CI: what triggered the pipeline (push, schedule, ...); provenance internalParameters.",
             Secret::no},
    Variable{"CI_PIPELINE_URL", "GitLab CI: pipeline URL; provenance internalParameters.", Secret::no},
    Variable{"CI_RUNNER_ID", "GitLab CI: runner id; provenance builder.id.", Secret::no},
    Variable{"CI_RUNNER_DESCRIPTION", "GitLab CI: runner description; provenance internalParameters.", Secret::no},
    Variable{"CI_RUNNER_VERSION", "GitLab CI: GitLab Runner version; provenance builder.version.", Secret::no},
    Variable{"CI_RUNNER_EXECUTABLE_ARCH",
             "GitLab CI: runner OS/architecture (linux/amd64); provenance internalParameters.", Secret::no},
    Variable{"CI_SERVER_VERSION", "GitLab CI: GitLab version; provenance builder.version.", Secret::no},
};

} // namespace

std::span<const Variable> variables()
{
  return k_variables;
}

std::optional<std::string> get(std::string_view name)
{
  [[maybe_unused]] bool listed = false;
  for (const auto& v : k_variables) {
    if (v.name == name) {
      listed = true;
      break;
    }
  }
  assert(listed && "environment variable missing from core/env table");
  const std::string key(name);
  const char* value = std::getenv(key.c_str()); // NOLINT(concurrency-mt-unsafe): read-only use
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

std::optional<std::string> get_user_named(std::string_view name)
{
  const std::string key(name);
  const char* value = std::getenv(key.c_str()); // NOLINT(concurrency-mt-unsafe): read-only use
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

bool flag(std::string_view name)
{
  const auto value = get(name);
  return value && !value->empty() && *value != "0" && *value != "false";
}

} // namespace sigil::core::env
