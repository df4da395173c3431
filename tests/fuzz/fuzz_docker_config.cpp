// Fuzz target: docker's config.json (sigil::registry::CredentialStore::lookup, login).
//
// The reader has no entry point without a file, so the input is written to config.json in a
// private directory named by DOCKER_CONFIG (on /dev/shm when there is one), and looked up
// for a few fixed hosts and for hosts named by the file's own keys. Credential helpers are
// answered by stub_credential_helper.cpp; no process is started.
//
// Invariants:
//   * lookups are deterministic: a second store answers exactly like the first;
//   * errors are bad_input or auth, and never contain a secret of the file (the values of
//     auth, password, identitytoken, registrytoken and the password inside auth);
//   * a credential is never empty: tokens have a secret, Basic has a user or a password;
//   * login() then lookup() gives back the credential just written (when no credHelpers entry
//     takes precedence), and login() changes nothing in the file but that one entry.
#include "fuzz.hpp"

#include "sigil/registry/credentials.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace {

using sigil::ErrorCode;
using sigil::registry::Credential;
using sigil::registry::CredentialFlags;
using sigil::registry::CredentialStore;
using sigil::util::Json;

constexpr std::size_t k_min_secret_checked = 12; // shorter strings may occur in messages by chance
constexpr std::string_view k_login_registry = "login.fuzz.example";
constexpr std::string_view k_login_user = "fuzz-user";
constexpr std::string_view k_login_password = "fuzz-login-password-1234";

std::filesystem::path g_dir;

void remove_dir()
{
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
}

std::string lower(std::string text)
{
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

// "https://Host:5000/v1/" -> "host:5000".
std::string key_host(const std::string& key)
{
  std::string host = lower(key);
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (host.starts_with(scheme)) {
      host.erase(0, scheme.size());
    }
  }
  return host.substr(0, host.find('/'));
}

struct Probe {
  std::vector<std::string> hosts{"index.docker.io", "ghcr.io", "localhost:5000"};
  std::vector<std::string> secrets;
  std::optional<Json> document;
};

void collect_secrets(const Json& entry, std::vector<std::string>& secrets)
{
  if (!entry.is_object()) {
    return;
  }
  for (const char* field : {"auth", "password", "identitytoken", "registrytoken"}) {
    const auto it = entry.find(field);
    if (it == entry.end() || !it->is_string()) {
      continue;
    }
    const auto& value = it->get_ref<const std::string&>();
    secrets.push_back(value);
    if (std::string_view(field) == "auth") {
      if (auto decoded = sigil::util::base64_decode(value)) {
        const auto text = sigil::util::as_chars(*decoded);
        if (const auto colon = text.find(':'); colon != std::string_view::npos) {
          secrets.emplace_back(text.substr(colon + 1));
        }
      }
    }
  }
}

// What the harness reads from the input itself: hosts worth asking for, and the secrets.
Probe probe(std::string_view text)
{
  Probe out;
  auto doc = sigil::util::parse_json(text);
  if (!doc || !doc->is_object()) {
    return out;
  }
  for (const char* section : {"auths", "credHelpers"}) {
    const auto it = doc->find(section);
    if (it == doc->end() || !it->is_object()) {
      continue;
    }
    std::size_t taken = 0;
    for (const auto& [key, value] : it->items()) {
      if (const std::string host = key_host(key); !host.empty() && taken++ < 3) {
        out.hosts.push_back(host);
      }
      if (std::string_view(section) == "auths") {
        collect_secrets(value, out.secrets);
      }
    }
  }
  std::erase_if(out.secrets, [](const std::string& s) { return s.size() < k_min_secret_checked; });
  out.document = std::move(*doc);
  return out;
}

struct Outcome {
  bool ok = false;
  ErrorCode code = ErrorCode::other;
  std::string message;
  bool anonymous = true;
  std::string username;
  std::string secret;
  Credential::Kind kind = Credential::Kind::basic;

  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome look_up(CredentialStore& store, const std::string& host)
{
  Outcome out;
  auto found = store.lookup(host);
  out.ok = found.has_value();
  if (!found) {
    out.code = found.error().code;
    out.message = found.error().message;
    return out;
  }
  if (*found) {
    out.anonymous = false;
    out.username = (*found)->username;
    out.secret = std::string((*found)->secret.chars());
    out.kind = (*found)->kind;
  }
  return out;
}

void check_outcome(const Outcome& outcome, const Probe& probe)
{
  if (!outcome.ok) {
    SIGIL_FUZZ_CHECK(outcome.code == ErrorCode::bad_input || outcome.code == ErrorCode::auth);
    // Error messages name the config file, and the fuzzer learns its path from comparisons
    // and plants it as an "auth" value: a secret that is part of the path is no finding.
    const std::string path = (g_dir / "config.json").string();
    for (const auto& secret : probe.secrets) {
      SIGIL_FUZZ_CHECK(path.find(secret) != std::string::npos || outcome.message.find(secret) == std::string::npos);
    }
    return;
  }
  if (!outcome.anonymous) {
    if (outcome.kind == Credential::Kind::basic) {
      SIGIL_FUZZ_CHECK(!outcome.username.empty() || !outcome.secret.empty());
    } else {
      SIGIL_FUZZ_CHECK(!outcome.secret.empty());
    }
  }
}

void write_config(std::string_view text)
{
  std::ofstream file(g_dir / "config.json", std::ios::binary | std::ios::trunc);
  file.write(text.data(), static_cast<std::streamsize>(text.size()));
  SIGIL_FUZZ_CHECK(file.good());
}

// login() rewrites only auths[k_login_registry], and lookup() then returns that credential.
void check_login(const Probe& probe)
{
  std::string password(k_login_password);
  auto written = sigil::registry::login(
      {.registry = std::string(k_login_registry), .username = std::string(k_login_user),
       .password = sigil::util::as_bytes(password)});
  if (!written) {
    SIGIL_FUZZ_CHECK(written.error().code == ErrorCode::bad_input);
    return;
  }
  std::ifstream file(g_dir / "config.json", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto after = sigil::util::parse_json(text);
  SIGIL_FUZZ_CHECK(after.has_value() && after->is_object());
  const std::string key(k_login_registry);
  const auto& entry = (*after)["auths"][key];
  const std::string pair = std::string(k_login_user) + ":" + password;
  SIGIL_FUZZ_CHECK(entry["auth"] == sigil::util::base64_encode(sigil::util::as_bytes(pair)));
  Json before = probe.document.value_or(Json::object());
  for (Json* doc : {&before, &*after}) {
    if (auto auths = doc->find("auths"); auths != doc->end() && auths->is_object()) {
      auths->erase(key);
      if (auths->empty()) {
        doc->erase("auths");
      }
    }
  }
  SIGIL_FUZZ_CHECK(before == *after);
  if (!probe.document || !probe.document->contains("credHelpers")) {
    CredentialStore store(CredentialFlags{});
    const Outcome outcome = look_up(store, key);
    SIGIL_FUZZ_CHECK(outcome.ok && !outcome.anonymous && outcome.kind == Credential::Kind::basic);
    SIGIL_FUZZ_CHECK(outcome.username == k_login_user && outcome.secret == k_login_password);
  }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
  std::error_code ec;
  const std::filesystem::path base =
      std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : std::filesystem::temp_directory_path();
  std::string pattern = (base / "sigil-fuzz-docker-config-XXXXXX").string();
  SIGIL_FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr);
  g_dir = pattern;
  std::atexit(remove_dir);
  ::setenv("DOCKER_CONFIG", g_dir.c_str(), 1);
  for (const char* name : {"CI_REGISTRY", "CI_REGISTRY_USER", "CI_REGISTRY_PASSWORD", "CI_JOB_TOKEN"}) {
    ::unsetenv(name);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = sigil::fuzz::as_text(data, size);
  const Probe probe_result = probe(text);
  write_config(text);
  CredentialStore first(CredentialFlags{});
  CredentialStore second(CredentialFlags{});
  for (const auto& host : probe_result.hosts) {
    const Outcome outcome = look_up(first, host);
    check_outcome(outcome, probe_result);
    SIGIL_FUZZ_CHECK(look_up(second, host) == outcome);
    SIGIL_FUZZ_CHECK(look_up(first, host) == outcome); // cached
  }
  check_login(probe_result);
  return 0;
}
