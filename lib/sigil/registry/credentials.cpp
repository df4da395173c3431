#include "sigil/registry/credentials.hpp"

#include "sigil/core/env.hpp"
#include "sigil/registry/credential_helper.hpp"
#include "sigil/registry/token.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/redact.hpp"
#include "sigil/util/secure_bytes.hpp"
#include "sigil/util/string.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <utility>

namespace sigil::registry {

namespace {

using util::Json;
using util::to_lower;
using util::wipe;
using Kind = Credential::Kind;
using CredentialPtr = std::shared_ptr<const Credential>;

constexpr std::string_view k_gitlab_job_user = "gitlab-ci-token";

bool is_docker_hub(std::string_view host)
{
  return host == "index.docker.io" || host == "registry-1.docker.io" || host == "docker.io";
}

// "https://Host:5000/v1/" -> "host:5000"; "host" -> "host" (docker's ConvertToHostname).
std::string key_hostname(std::string_view key)
{
  std::string lower = to_lower(key);
  std::string_view rest = lower;
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (rest.starts_with(scheme)) {
      rest.remove_prefix(scheme.size());
    }
  }
  return std::string(rest.substr(0, rest.find('/')));
}

bool same_registry(std::string_view a, std::string_view b)
{
  return a == b || (is_docker_hub(a) && is_docker_hub(b));
}

// The member of a config.json object (auths, credHelpers) that names host: well-known key
// spellings first, then any key whose host part matches.
const Json* find_host_entry(const Json& object, const std::string& host)
{
  std::vector<std::string> candidates;
  if (is_docker_hub(host)) {
    candidates.emplace_back(k_docker_hub_auth_key);
  }
  for (const std::string_view prefix : {"", "https://", "http://"}) {
    candidates.push_back(fmt::format("{}{}", prefix, host));
  }
  candidates.push_back(fmt::format("https://{}/v1/", host));
  for (const auto& key : candidates) {
    if (const auto it = object.find(key); it != object.end()) {
      return &*it;
    }
  }
  for (const auto& [key, value] : object.items()) {
    if (same_registry(key_hostname(key), host)) {
      return &value;
    }
  }
  return nullptr;
}

CredentialPtr make_credential(std::string username, std::string_view secret, Kind kind, std::string source)
{
  auto credential = std::make_shared<Credential>();
  credential->username = std::move(username);
  credential->secret = util::SecureBytes(util::as_bytes(secret));
  credential->kind = kind;
  credential->source = std::move(source);
  // Kept out of everything sigil shows, as sent and as a token endpoint's form body has it.
  util::remember_secret(secret);
  util::remember_secret(query_escape(secret));
  return credential;
}

// ---- config.json --------------------------------------------------------------------------

bool is_blank(std::string_view text)
{
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string_view string_field(const Json& entry, std::string_view key)
{
  const auto it = entry.find(key);
  return (it != entry.end() && it->is_string()) ? std::string_view(it->get_ref<const std::string&>())
                                                : std::string_view();
}

// An auths entry: {"auth": base64(user:password)} or {"identitytoken": ...}; nullptr if empty.
Result<CredentialPtr> from_auth_entry(const Json& entry, const std::string& source)
{
  if (!entry.is_object()) {
    return fail(ErrorCode::bad_input, "entry is not a JSON object");
  }
  std::string username(string_field(entry, "username"));
  util::SecureBytes password(util::as_bytes(string_field(entry, "password")));
  if (const auto auth = string_field(entry, "auth"); !auth.empty()) {
    auto decoded = util::base64_decode(auth);
    if (!decoded) {
      return fail(ErrorCode::bad_input, "\"auth\" is not valid base64");
    }
    const auto text = util::as_chars(*decoded);
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
      wipe(*decoded);
      return fail(ErrorCode::bad_input, "\"auth\" is not base64 of user:password");
    }
    username = std::string(text.substr(0, colon));
    password = util::SecureBytes(util::as_bytes(text.substr(colon + 1)));
    wipe(*decoded);
  }
  if (const auto token = string_field(entry, "identitytoken"); !token.empty()) {
    return make_credential(std::move(username), token, Kind::identity_token, source);
  }
  if (const auto token = string_field(entry, "registrytoken"); !token.empty()) {
    return make_credential(std::move(username), token, Kind::registry_token, source);
  }
  if (username.empty() && password.empty()) {
    return CredentialPtr{};
  }
  return make_credential(std::move(username), password.chars(), Kind::basic, source);
}

// The parsed config.json, or nullopt when there is none.
Result<std::optional<Json>> load_docker_config()
{
  auto path = docker_config_path();
  if (!path) {
    return std::optional<Json>{};
  }
  std::error_code ec;
  if (!std::filesystem::exists(*path, ec)) {
    return std::optional<Json>{};
  }
  SIGIL_TRY_ASSIGN(auto text, util::read_file(*path, k_max_docker_config_bytes));
  if (is_blank(text)) { // docker accepts an empty file
    return std::optional<Json>{};
  }
  auto json = util::parse_json(text);
  wipe(text);
  if (!json || !json->is_object()) {
    return fail(ErrorCode::bad_input, fmt::format("{} is not a JSON object; fix or move it away", path->string()));
  }
  return std::optional<Json>(std::move(*json));
}

std::string helper_server_url(const std::string& host)
{
  return is_docker_hub(host) ? std::string(k_docker_hub_auth_key) : host;
}

Result<CredentialPtr> from_docker_config(const Json& config, const std::string& host)
{
  auto helpers = util::json_optional_object(config, "credHelpers");
  auto auths = util::json_optional_object(config, "auths");
  if (!helpers || !auths) {
    return fail(ErrorCode::bad_input, "\"credHelpers\" and \"auths\" must be JSON objects");
  }
  if (const Json* helper = *helpers ? find_host_entry(**helpers, host) : nullptr; helper && helper->is_string()) {
    auto credential = credential_helper_get(helper->get_ref<const std::string&>(), helper_server_url(host));
    if (!credential || *credential) {
      return credential;
    }
  }
  if (const Json* entry = *auths ? find_host_entry(**auths, host) : nullptr; entry) {
    const auto path = docker_config_path();
    auto credential =
        from_auth_entry(*entry, fmt::format("the auths entry for {} in {}", host, path ? path->string() : "config.json"));
    if (!credential) {
      return fail(credential.error().context("auths entry"));
    }
    if (*credential) {
      return credential;
    }
  }
  if (const auto store = string_field(config, "credsStore"); !store.empty()) {
    return credential_helper_get(store, helper_server_url(host));
  }
  return CredentialPtr{};
}

// "https://gitlab.example.com:443/" and "gitlab.example.com" name the same registry.
std::string host_port(std::string_view text)
{
  std::string host = key_hostname(text);
  if (host.ends_with(":443")) {
    host.resize(host.size() - 4);
  }
  return host;
}

CredentialPtr from_gitlab_ci(const std::string& host)
{
  const auto registry = core::env::get("CI_REGISTRY");
  if (!registry || registry->empty() || host_port(*registry) != host_port(host)) {
    return nullptr;
  }
  auto user = core::env::get("CI_REGISTRY_USER");
  auto password = core::env::get("CI_REGISTRY_PASSWORD");
  CredentialPtr credential;
  if (user && password && !user->empty() && !password->empty()) {
    credential = make_credential(*user, *password, Kind::basic, "CI_REGISTRY_USER/CI_REGISTRY_PASSWORD");
  } else if (auto job_token = core::env::get("CI_JOB_TOKEN"); job_token && !job_token->empty()) {
    credential = make_credential(std::string(k_gitlab_job_user), *job_token, Kind::basic, "CI_JOB_TOKEN");
    wipe(*job_token);
  }
  if (password) {
    wipe(*password);
  }
  return credential;
}

} // namespace

// ---- CredentialStore ----------------------------------------------------------------------

CredentialStore::CredentialStore(CredentialFlags flags)
{
  const bool has_user = !flags.username.empty();
  const bool has_password = !flags.password.empty();
  if (has_user && has_password) {
    m_flag_credential =
        make_credential(flags.username, flags.password, Kind::basic,
                        flags.source.empty() ? "--registry-username/--registry-password" : flags.source);
  } else if (has_user != has_password) {
    m_flag_error = Error{ErrorCode::usage, "--registry-username and --registry-password must be given together"};
  } else if (!flags.token.empty()) {
    m_flag_credential = make_credential(std::string(), flags.token, Kind::registry_token, "--registry-token");
  }
  wipe(flags.password);
  wipe(flags.token);
}

Result<CredentialPtr> CredentialStore::lookup(std::string_view registry_host)
{
  const std::string host = to_lower(registry_host);
  const std::scoped_lock lock(m_mutex);
  if (const auto it = m_cache.find(host); it != m_cache.end()) {
    return it->second;
  }
  auto credential = find(host);
  if (!credential) {
    return fail(credential.error().context(fmt::format("looking up credentials for {}", host)));
  }
  m_cache.emplace(host, *credential);
  return credential;
}

Result<CredentialPtr> CredentialStore::find(const std::string& host)
{
  if (m_flag_error) {
    return fail(*m_flag_error);
  }
  if (m_flag_credential) {
    return m_flag_credential;
  }
  SIGIL_TRY_ASSIGN(auto config, load_docker_config());
  if (config) {
    auto credential = from_docker_config(*config, host);
    if (!credential) {
      const auto path = docker_config_path();
      return fail(credential.error().context(path ? path->string() : "docker config"));
    }
    if (*credential) {
      return credential;
    }
  }
  return from_gitlab_ci(host);
}

std::string describe_credential(const Credential& credential)
{
  const std::string source = credential.source.empty() ? std::string("credentials") : credential.source;
  return credential.username.empty() ? source : fmt::format("{}, user {}", source, credential.username);
}

Result<std::filesystem::path> docker_config_path()
{
  if (const auto dir = core::env::get("DOCKER_CONFIG"); dir && !dir->empty()) {
    return std::filesystem::path(*dir) / "config.json";
  }
  if (const auto home = core::env::get("HOME"); home && !home->empty()) {
    return std::filesystem::path(*home) / ".docker" / "config.json";
  }
  return fail(ErrorCode::usage, "cannot find the docker config: set DOCKER_CONFIG or HOME");
}

// ---- login --------------------------------------------------------------------------------

namespace {

using util::OrderedJson;
using util::wipe;

Result<void> ensure_private_dir(const std::filesystem::path& dir)
{
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) {
    return {};
  }
  if (dir.has_parent_path()) {
    std::filesystem::create_directories(dir.parent_path(), ec);
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return fail(ErrorCode::other, fmt::format("cannot create {}: {}", dir.string(), std::strerror(errno)));
  }
  ::chmod(dir.c_str(), 0700);
  return {};
}

Result<OrderedJson> load_ordered_config(const std::filesystem::path& path)
{
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return OrderedJson::object();
  }
  SIGIL_TRY_ASSIGN(auto text, util::read_file(path, k_max_docker_config_bytes));
  if (is_blank(text)) {
    return OrderedJson::object();
  }
  // parse_json bounds the depth; the ordered parse keeps the user's key order.
  const bool valid = util::parse_json(text).has_value();
  OrderedJson root = valid ? OrderedJson::parse(text, nullptr, false) : OrderedJson();
  wipe(text);
  if (!valid || !root.is_object() || (root.contains("auths") && !root["auths"].is_object())) {
    return fail(ErrorCode::bad_input,
                fmt::format("{} is not a docker config JSON object; fix or move it away", path.string()));
  }
  return root;
}

Result<std::string> auth_key(std::string_view registry)
{
  const std::string host = key_hostname(registry);
  if (host.empty() || host.find_first_of(" \t\r\n@") != std::string::npos) {
    return fail(ErrorCode::usage, fmt::format("invalid registry name \"{}\"", registry));
  }
  return is_docker_hub(host) ? std::string(k_docker_hub_auth_key) : host;
}

} // namespace

Result<std::string> login(const LoginRequest& request)
{
  SIGIL_TRY_ASSIGN(auto key, auth_key(request.registry));
  if (request.username.empty() || request.username.find(':') != std::string::npos) {
    return fail(ErrorCode::usage, "the user name must be non-empty and must not contain ':'");
  }
  SIGIL_TRY_ASSIGN(auto path, docker_config_path());
  std::error_code ec;
  if (std::filesystem::is_symlink(path, ec)) {
    path = std::filesystem::canonical(path, ec); // update the file the link points to
    if (ec) {
      return fail(ErrorCode::other, fmt::format("cannot resolve {}: {}", path.string(), ec.message()));
    }
  }
  SIGIL_TRY(ensure_private_dir(path.parent_path()));
  SIGIL_TRY_ASSIGN(auto root, load_ordered_config(path));
  util::SecureBytes pair(util::as_bytes(request.username));
  pair.push_back(':');
  pair.append(request.password);
  OrderedJson& entry = root["auths"][key];
  if (!entry.is_object()) {
    entry = OrderedJson::object();
  }
  for (const char* stale : {"identitytoken", "registrytoken", "username", "password"}) {
    entry.erase(stale);
  }
  entry["auth"] = util::base64_encode(pair.view());
  std::string text = root.dump(1, '\t', false, OrderedJson::error_handler_t::replace);
  wipe(entry["auth"].get_ref<std::string&>());
  const auto written = util::write_file_atomic({.path = path, .data = util::as_bytes(text), .mode = 0600});
  wipe(text);
  if (!written) {
    return fail(written.error());
  }
  return path.string();
}

} // namespace sigil::registry
