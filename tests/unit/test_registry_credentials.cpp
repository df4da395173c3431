// Tests for sigil::registry credentials: the lookup order (flags, docker config.json with its
// helpers, GitLab CI, anonymous), docker-credential-* helpers run from a temporary PATH entry,
// and login's rewrite of config.json.
#include "sigil/registry/credentials.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::registry::Credential;
using sigil::registry::CredentialFlags;
using sigil::registry::CredentialStore;
using Kind = Credential::Kind;
namespace fs = std::filesystem;

// A temporary directory that is DOCKER_CONFIG, with a bin/ holding docker-credential-sigiltest
// first in PATH; the GitLab variables are cleared. Everything is restored on destruction.
class ScopedEnv {
public:
  ScopedEnv()
  {
    for (const char* name : k_names) {
      const char* value = std::getenv(name); // NOLINT(concurrency-mt-unsafe): test setup
      m_saved.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      if (std::string_view(name) != "PATH") {
        ::unsetenv(name);
      }
    }
    std::string pattern = (fs::temp_directory_path() / "sigil-cred-XXXXXX").string();
    m_dir = ::mkdtemp(pattern.data());
    fs::create_directory(m_dir / "bin");
    write_helper();
    ::setenv("DOCKER_CONFIG", m_dir.c_str(), 1);
    const char* path = std::getenv("PATH"); // NOLINT(concurrency-mt-unsafe): test setup
    ::setenv("PATH", ((m_dir / "bin").string() + ":" + (path ? path : "/usr/bin:/bin")).c_str(), 1);
  }
  ~ScopedEnv()
  {
    for (const auto& [name, value] : m_saved) {
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
    }
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

  [[nodiscard]] const fs::path& dir() const { return m_dir; }
  void write_config(const std::string& json) const { std::ofstream(m_dir / "config.json") << json; }
  [[nodiscard]] std::string helper_log() const { return sigil::util::read_file(m_dir / "helper.log").value_or(""); }

private:
  // Answers by server URL; logs what it read on stdin.
  void write_helper() const
  {
    const fs::path script = m_dir / "bin" / "docker-credential-sigiltest";
    std::ofstream(script)
        << "#!/bin/sh\n"
           "[ \"$1\" = get ] || exit 3\n"
           "url=$(cat)\n"
           "printf '%s\\n' \"$url\" >> '"
        << (m_dir / "helper.log").string()
        << "'\n"
           "case \"$url\" in\n"
           "  helper.example) printf '{\"ServerURL\":\"%s\",\"Username\":\"hu\",\"Secret\":\"hs\"}' \"$url\" ;;\n"
           "  token.example) echo '{\"ServerURL\":\"x\",\"Username\":\"<token>\",\"Secret\":\"rt\"}' ;;\n"
           "  https://index.docker.io/v1/) echo '{\"Username\":\"hub\",\"Secret\":\"hubpass\"}' ;;\n"
           "  empty.example) echo '{\"Username\":\"\",\"Secret\":\"\"}' ;;\n"
           "  broken.example) echo 'keychain locked'; exit 1 ;;\n"
           "  garbage.example) echo 'not json' ;;\n"
           "  big.example) head -c 100000 /dev/zero | tr '\\0' a ;;\n"
           "  *) echo 'credentials not found in native keychain'; exit 1 ;;\n"
           "esac\n";
    fs::permissions(script, fs::perms::owner_all);
  }

  static constexpr std::array k_names{"DOCKER_CONFIG",        "HOME",        "PATH", "CI_REGISTRY", "CI_REGISTRY_USER",
                                      "CI_REGISTRY_PASSWORD", "CI_JOB_TOKEN"};
  std::vector<std::pair<std::string, std::optional<std::string>>> m_saved;
  fs::path m_dir;
};

std::string b64(std::string_view text)
{
  return sigil::util::base64_encode(sigil::util::as_bytes(text));
}

// "user secret kind" of a lookup, "anonymous", or "error: <message>".
std::string describe(CredentialStore& store, std::string_view host)
{
  const auto credential = store.lookup(host);
  if (!credential) {
    return "error: " + credential.error().message;
  }
  if (!*credential) {
    return "anonymous";
  }
  const auto& c = **credential;
  const char* kind = c.kind == Kind::basic ? "basic" : c.kind == Kind::identity_token ? "identity" : "registry";
  return fmt::format("{} {} {}", c.username, c.secret.chars(), kind);
}

std::string lookup_with_config(const ScopedEnv& env, const std::string& config, std::string_view host)
{
  env.write_config(config);
  CredentialStore store(CredentialFlags{});
  return describe(store, host);
}

} // namespace

// ---- flags ---------------------------------------------------------------------------------

TEST_CASE("CredentialStore: flags apply to every registry and come first")
{
  const ScopedEnv env;
  env.write_config(fmt::format(R"({{"auths":{{"a.example":{{"auth":"{}"}}}}}})", b64("cfg:cfgpass")));
  CredentialStore basic(CredentialFlags{.username = "u", .password = "p", .token = "ignored"});
  CHECK(describe(basic, "a.example") == "u p basic");
  CHECK(describe(basic, "b.example") == "u p basic");

  CredentialStore token(CredentialFlags{.username = "", .password = "", .token = "tok"});
  CHECK(describe(token, "a.example") == " tok registry");

  CredentialStore half(CredentialFlags{.username = "u", .password = "", .token = ""});
  const auto error = half.lookup("a.example");
  REQUIRE_FALSE(error);
  CHECK(error.error().code == ErrorCode::usage);
  CHECK(error.error().message.find("--registry-username and --registry-password must be given together") !=
        std::string::npos);
}

// ---- docker config.json --------------------------------------------------------------------

TEST_CASE("CredentialStore: auths key spellings")
{
  const ScopedEnv env;
  const std::string auth = b64("user:pa:ss");
  for (const char* key : {"r.example:5000", "https://r.example:5000", "http://r.example:5000",
                          "https://r.example:5000/v1/", "HTTPS://R.example:5000/v2/"}) {
    CAPTURE(key);
    CHECK(lookup_with_config(env, fmt::format(R"({{"auths":{{"{}":{{"auth":"{}"}}}}}})", key, auth),
                             "r.example:5000") == "user pa:ss basic");
  }
  CHECK(lookup_with_config(env, fmt::format(R"({{"auths":{{"r.example":{{"auth":"{}"}}}}}})", auth),
                           "r.example:5000") == "anonymous");
  CHECK(lookup_with_config(env, fmt::format(R"({{"auths":{{"r.example:5000":{{"auth":"{}"}}}}}})", auth),
                           "R.EXAMPLE:5000") == "user pa:ss basic");
}

TEST_CASE("CredentialStore: Docker Hub names share https://index.docker.io/v1/")
{
  const ScopedEnv env;
  const std::string config =
      fmt::format(R"({{"auths":{{"https://index.docker.io/v1/":{{"auth":"{}"}}}}}})", b64("hub:pw"));
  for (const char* host : {"index.docker.io", "registry-1.docker.io", "docker.io"}) {
    CAPTURE(host);
    CHECK(lookup_with_config(env, config, host) == "hub pw basic");
  }
  CHECK(lookup_with_config(env, config, "ghcr.io") == "anonymous");
  CHECK(lookup_with_config(env, fmt::format(R"({{"auths":{{"docker.io":{{"auth":"{}"}}}}}})", b64("hub:pw")),
                           "registry-1.docker.io") == "hub pw basic");
}

TEST_CASE("CredentialStore: auths entry kinds and errors")
{
  const ScopedEnv env;
  CHECK(lookup_with_config(env, R"({"auths":{"r.example":{"auth":")" + b64("me:") + R"(","identitytoken":"idt"}}})",
                           "r.example") == "me idt identity");
  CHECK(lookup_with_config(env, R"({"auths":{"r.example":{"registrytoken":"rgt"}}})", "r.example") == " rgt registry");
  CHECK(lookup_with_config(env, R"({"auths":{"r.example":{"username":"old","password":"style"}}})", "r.example") ==
        "old style basic");
  CHECK(lookup_with_config(env, R"({"auths":{"r.example":{}}})", "r.example") == "anonymous");

  // Errors name the file and the problem, never the secret.
  std::string result = lookup_with_config(env, R"({"auths":{"r.example":{"auth":"c2VjcmV0"}}})", "r.example");
  CHECK(result.find("error: looking up credentials for r.example: ") == 0);
  CHECK(result.find("not base64 of user:password") != std::string::npos);
  CHECK(result.find("secret") == std::string::npos);
  result = lookup_with_config(env, R"({"auths":{"r.example":{"auth":"%%%secret"}}})", "r.example");
  CHECK(result.find("not valid base64") != std::string::npos);
  CHECK(result.find("secret") == std::string::npos);
  result = lookup_with_config(env, R"({"auths":{"r.example":"secret"}})", "r.example");
  CHECK(result.find("not a JSON object") != std::string::npos);
  result = lookup_with_config(env, R"({"auths":[)", "r.example");
  CHECK(result.find("config.json is not a JSON object; fix or move it away") != std::string::npos);
  result = lookup_with_config(env, R"({"auths":[]})", "r.example");
  CHECK(result.find("must be JSON objects") != std::string::npos);
}

TEST_CASE("CredentialStore: no config file, HOME fallback")
{
  const ScopedEnv env;
  {
    CredentialStore store(CredentialFlags{});
    CHECK(describe(store, "r.example") == "anonymous");
  }
  ::unsetenv("DOCKER_CONFIG");
  ::setenv("HOME", env.dir().c_str(), 1);
  fs::create_directory(env.dir() / ".docker");
  std::ofstream(env.dir() / ".docker" / "config.json")
      << R"({"auths":{"r.example":{"auth":")" << b64("h:p") << R"("}}})";
  CredentialStore store(CredentialFlags{});
  CHECK(describe(store, "r.example") == "h p basic");
  CHECK(sigil::registry::docker_config_path() == env.dir() / ".docker" / "config.json");
  std::ofstream(env.dir() / ".docker" / "config.json") << "\n";
  CredentialStore empty_file(CredentialFlags{});
  CHECK(describe(empty_file, "r.example") == "anonymous");
}

TEST_CASE("CredentialStore: answers are cached per host")
{
  const ScopedEnv env;
  env.write_config(R"({"auths":{"r.example":{"auth":")" + b64("first:one") + R"("}}})");
  CredentialStore store(CredentialFlags{});
  const auto first = store.lookup("r.example");
  REQUIRE(first);
  env.write_config(R"({"auths":{"r.example":{"auth":")" + b64("second:two") + R"("}}})");
  const auto again = store.lookup("R.example");
  REQUIRE(again);
  CHECK(again->get() == first->get());
  CHECK(describe(store, "other.example") == "anonymous");
}

// ---- credential helpers --------------------------------------------------------------------

TEST_CASE("CredentialStore: credHelpers, then auths, then credsStore")
{
  const ScopedEnv env;
  const std::string config = R"({"credHelpers":{"helper.example":"sigiltest","token.example":"sigiltest",
    "unknown.example":"sigiltest"},"auths":{"unknown.example":{"auth":")" +
                             b64("from:auths") + R"("},"helper.example":{"auth":")" + b64("not:used") + R"("}}})";
  CHECK(lookup_with_config(env, config, "helper.example") == "hu hs basic");
  CHECK(lookup_with_config(env, config, "token.example") == " rt identity");
  // The helper has nothing for it ("credentials not found"): auths answers.
  CHECK(lookup_with_config(env, config, "unknown.example") == "from auths basic");
  CHECK(env.helper_log() == "helper.example\ntoken.example\nunknown.example\n");

  const std::string store_config =
      R"({"credsStore":"sigiltest","auths":{"a.example":{"auth":")" + b64("a:b") + R"("},"helper.example":{}}})";
  CHECK(lookup_with_config(env, store_config, "a.example") == "a b basic");
  CHECK(lookup_with_config(env, store_config, "helper.example") == "hu hs basic");
  CHECK(lookup_with_config(env, store_config, "registry-1.docker.io") == "hub hubpass basic");
  CHECK(lookup_with_config(env, store_config, "nothing.example") == "anonymous");
  CHECK(lookup_with_config(env, store_config, "empty.example") == "anonymous");
}

TEST_CASE("CredentialStore: failing credential helpers")
{
  const ScopedEnv env;
  const std::string config = R"({"credsStore":"sigiltest"})";
  std::string result = lookup_with_config(env, config, "broken.example");
  CHECK(result == "error: looking up credentials for broken.example: " + (env.dir() / "config.json").string() +
                      ": credential helper docker-credential-sigiltest: exit status 1: keychain locked");
  result = lookup_with_config(env, config, "garbage.example");
  CHECK(result.find("docker-credential-sigiltest: answer is not valid JSON") != std::string::npos);
  result = lookup_with_config(env, config, "big.example");
  CHECK(result.find("output larger than 65536 bytes") != std::string::npos);
  result = lookup_with_config(env, R"({"credsStore":"sigil-missing-helper"})", "r.example");
  CHECK(result.find("docker-credential-sigil-missing-helper: not found in PATH") != std::string::npos);
  result = lookup_with_config(env, R"({"credsStore":"../../bin/sh"})", "r.example");
  CHECK(result.find("invalid helper name") != std::string::npos);
}

// ---- GitLab CI -----------------------------------------------------------------------------

TEST_CASE("CredentialStore: GitLab CI credentials only for CI_REGISTRY")
{
  const ScopedEnv env;
  ::setenv("CI_REGISTRY", "gitlab.example.com:5050", 1);
  ::setenv("CI_REGISTRY_USER", "ci-user", 1);
  ::setenv("CI_REGISTRY_PASSWORD", "ci-pass", 1);
  ::setenv("CI_JOB_TOKEN", "job-tok", 1);
  {
    CredentialStore store(CredentialFlags{});
    CHECK(describe(store, "gitlab.example.com:5050") == "ci-user ci-pass basic");
    CHECK(describe(store, "GITLAB.example.com:5050") == "ci-user ci-pass basic");
    CHECK(describe(store, "gitlab.example.com") == "anonymous");
    CHECK(describe(store, "gitlab.example.com:5051") == "anonymous");
    CHECK(describe(store, "ghcr.io") == "anonymous");
  }
  ::unsetenv("CI_REGISTRY_PASSWORD");
  {
    CredentialStore store(CredentialFlags{});
    CHECK(describe(store, "gitlab.example.com:5050") == "gitlab-ci-token job-tok basic");
  }
  ::setenv("CI_REGISTRY", "registry.gitlab.com", 1);
  {
    CredentialStore store(CredentialFlags{});
    CHECK(describe(store, "registry.gitlab.com") == "gitlab-ci-token job-tok basic");
    CHECK(describe(store, "registry.gitlab.com:443") == "gitlab-ci-token job-tok basic");
  }
  // The docker config comes first.
  env.write_config(R"({"auths":{"registry.gitlab.com":{"auth":")" + b64("cfg:pw") + R"("}}})");
  CredentialStore store(CredentialFlags{});
  CHECK(describe(store, "registry.gitlab.com") == "cfg pw basic");
}

// ---- login ---------------------------------------------------------------------------------

TEST_CASE("login: creates the directory and a 0600 file")
{
  const ScopedEnv env;
  const fs::path dir = env.dir() / "nested" / "docker";
  ::setenv("DOCKER_CONFIG", dir.c_str(), 1);
  const std::string password = "pw:with:colons";
  const auto written = sigil::registry::login({.registry = "https://Registry.example:5000/v2/",
                                               .username = "alice",
                                               .password = sigil::util::as_bytes(password)});
  REQUIRE(written);
  CHECK(*written == (dir / "config.json").string());
  CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK(sigil::util::file_mode(dir / "config.json") == mode_t{0600});
  CredentialStore store(CredentialFlags{});
  CHECK(describe(store, "registry.example:5000") == "alice pw:with:colons basic");
}

TEST_CASE("login: keeps other entries and unknown keys, replaces tokens")
{
  const ScopedEnv env;
  env.write_config(R"({"auths":{"other.example":{"auth":"b3RoZXI6cHc="},"r.example":{"identitytoken":"old",
    "email":"kept@example.com"}},"credHelpers":{"gcr.io":"gcloud"},"psFormat":"table {{.ID}}"})");
  const std::string password = "new";
  auto written =
      sigil::registry::login({.registry = "r.example", .username = "bob", .password = sigil::util::as_bytes(password)});
  REQUIRE(written);
  written =
      sigil::registry::login({.registry = "docker.io", .username = "hub", .password = sigil::util::as_bytes(password)});
  REQUIRE(written);
  const auto json = sigil::util::parse_json(sigil::util::read_file(*written).value());
  REQUIRE(json);
  const auto& auths = json->at("auths");
  CHECK(auths.at("other.example").at("auth") == "b3RoZXI6cHc=");
  CHECK(auths.at("r.example").at("auth") == b64("bob:new"));
  CHECK(auths.at("r.example").at("email") == "kept@example.com");
  CHECK_FALSE(auths.at("r.example").contains("identitytoken"));
  CHECK(auths.at("https://index.docker.io/v1/").at("auth") == b64("hub:new"));
  CHECK(json->at("credHelpers").at("gcr.io") == "gcloud");
  CHECK(json->at("psFormat") == "table {{.ID}}");
  CHECK(sigil::util::file_mode(*written) == mode_t{0600});
}

TEST_CASE("login: bad input and bad files")
{
  const ScopedEnv env;
  const std::string password = "pw";
  const auto pw = sigil::util::as_bytes(password);
  auto result = sigil::registry::login({.registry = "r.example", .username = "a:b", .password = pw});
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::usage);
  result = sigil::registry::login({.registry = "", .username = "a", .password = pw});
  REQUIRE_FALSE(result);
  CHECK(result.error().code == ErrorCode::usage);
  env.write_config("[1, 2]");
  result = sigil::registry::login({.registry = "r.example", .username = "a", .password = pw});
  REQUIRE_FALSE(result);
  CHECK(result.error().message.find("is not a docker config JSON object; fix or move it away") != std::string::npos);
  CHECK(sigil::util::read_file(env.dir() / "config.json").value() == "[1, 2]");
}

TEST_CASE("login: a symlinked config.json is updated in place")
{
  const ScopedEnv env;
  fs::create_directory(env.dir() / "real");
  std::ofstream(env.dir() / "real" / "config.json") << R"({"auths":{}})";
  fs::create_symlink(env.dir() / "real" / "config.json", env.dir() / "config.json");
  const std::string password = "pw";
  const auto written =
      sigil::registry::login({.registry = "r.example", .username = "a", .password = sigil::util::as_bytes(password)});
  REQUIRE(written);
  CHECK(fs::is_symlink(env.dir() / "config.json"));
  CHECK(*written == (env.dir() / "real" / "config.json").string());
}
