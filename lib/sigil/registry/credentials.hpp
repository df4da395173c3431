// sigil::registry credentials: where registry passwords and tokens come from, and login.
//
// CredentialStore::lookup(host) tries, in order, and caches the answer per host:
//   1. the flags --registry-username/--registry-password (basic) or --registry-token
//      (registry token), for every registry;
//   2. docker's config.json ($DOCKER_CONFIG/config.json, else $HOME/.docker/config.json):
//      credHelpers[host], then auths (keys "host", "https://host", "http://host",
//      "https://host/v1/", and "https://index.docker.io/v1/" for Docker Hub), then credsStore.
//      Helpers run as `docker-credential-<name> get`, server URL on stdin, JSON out; they are
//      killed after 10 s and their output is capped;
//   3. GitLab CI, only for the host named by $CI_REGISTRY: CI_REGISTRY_USER and
//      CI_REGISTRY_PASSWORD, else gitlab-ci-token with CI_JOB_TOKEN;
//   4. anonymous (nullptr).
// Docker Hub's names (index.docker.io, registry-1.docker.io, docker.io) are one registry.
// Secrets never appear in error messages.
//
// login() records credentials in config.json the way `docker login` does when no credential
// store is configured: the file is rewritten atomically with mode 0600, every other entry and
// unknown key is kept.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace sigil::registry {

struct Credential {
  enum class Kind {
    basic,          // username + password: Basic auth, or Basic auth to the token endpoint
    identity_token, // OAuth2 refresh token (docker's identitytoken)
    registry_token, // bearer token sent to the registry as is
  };

  std::string username;
  util::SecureBytes secret;
  Kind kind = Kind::basic;
  // Where it came from, for errors: "--registry-username/--registry-password", "the auths entry
  // for HOST in PATH", "credential helper docker-credential-NAME", "CI_REGISTRY_USER/...".
  std::string source;
};

// "SOURCE, user NAME" (the user name is not a secret; the secret is never shown).
[[nodiscard]] std::string describe_credential(const Credential& credential);

// From --registry-username/--registry-password/--registry-token; they apply to every registry.
struct CredentialFlags {
  std::string username;
  std::string password;
  std::string token;
  std::string source; // how errors name them; empty: the flags' names
};

constexpr std::uint64_t k_max_docker_config_bytes = std::uint64_t{1} << 20;
// Where docker keeps Docker Hub's credentials.
inline constexpr std::string_view k_docker_hub_auth_key = "https://index.docker.io/v1/";

class CredentialStore {
public:
  // The flags' password and token strings are wiped after being copied.
  explicit CredentialStore(CredentialFlags flags);

  // registry_host: "ghcr.io", "localhost:5000", "index.docker.io" (case-insensitive).
  // nullptr means anonymous. Thread-safe; the first lookup of a host may run a helper.
  [[nodiscard]] Result<std::shared_ptr<const Credential>> lookup(std::string_view registry_host);

private:
  [[nodiscard]] Result<std::shared_ptr<const Credential>> find(const std::string& host);

  std::mutex m_mutex;
  std::shared_ptr<const Credential> m_flag_credential;
  std::optional<Error> m_flag_error;
  std::map<std::string, std::shared_ptr<const Credential>, std::less<>> m_cache;
};

// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json; error when neither is set.
[[nodiscard]] Result<std::filesystem::path> docker_config_path();

struct LoginRequest {
  std::string registry; // "ghcr.io", "localhost:5000", "docker.io"; a URL's host is used
  std::string username;
  util::ByteView password;
};

// Sets auths[<registry>].auth in config.json; returns the path written.
[[nodiscard]] Result<std::string> login(const LoginRequest& request);

} // namespace sigil::registry
