#include "sigil/registry/auth.hpp"

#include "sigil/registry/token.hpp"
#include "sigil/util/string.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <iterator>
#include <mutex>
#include <utility>

namespace sigil::registry {

namespace {

using Kind = Credential::Kind;
using Time = std::chrono::steady_clock::time_point;
using util::to_lower;

constexpr std::chrono::seconds k_token_refresh_margin{30};
// Cache key "scope" of a host's Basic header; no real scope contains a newline.
constexpr std::string_view k_basic_scope = "\nbasic";

bool is_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 7230 tchar.
bool is_tchar(char c)
{
  return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 7235 token68 characters (before the trailing '=').
bool is_token68_char(char c)
{
  return is_alnum(c) || std::string_view("-._~+/").find(c) != std::string_view::npos;
}

// ---- WWW-Authenticate -----------------------------------------------------------------------

class ChallengeParser {
public:
  explicit ChallengeParser(std::string_view text) : m_text(text) {}

  [[nodiscard]] bool done() const { return m_pos >= m_text.size(); }

  // Skips OWS and empty list elements ("a, , b" is a valid list).
  void skip_separators()
  {
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == ',')) {
      ++m_pos;
    }
  }

  [[nodiscard]] Result<Challenge> challenge()
  {
    const auto scheme = token();
    if (scheme.empty()) {
      return error("expected an authentication scheme");
    }
    Challenge result;
    result.scheme = to_lower(scheme);
    const std::size_t after_scheme = m_pos;
    skip_ows();
    if (done() || peek() == ',') {
      return result;
    }
    if (m_pos == after_scheme) {
      return error("expected a space after the authentication scheme");
    }
    if (auto t68 = token68()) {
      result.token68 = std::string(*t68);
      return result;
    }
    SIGIL_TRY(auth_params(result.params));
    return result;
  }

private:
  [[nodiscard]] char peek() const { return m_text[m_pos]; }

  void skip_ows()
  {
    while (!done() && (peek() == ' ' || peek() == '\t')) {
      ++m_pos;
    }
  }

  std::unexpected<Error> error(std::string_view what) const
  {
    return fail(ErrorCode::registry, fmt::format("invalid WWW-Authenticate header: {} at offset {}", what, m_pos));
  }

  std::string_view token()
  {
    const std::size_t start = m_pos;
    while (!done() && is_tchar(peek())) {
      ++m_pos;
    }
    return m_text.substr(start, m_pos - start);
  }

  // A token68 is the whole challenge: it must be followed by the end or a comma.
  std::optional<std::string_view> token68()
  {
    const std::size_t start = m_pos;
    while (!done() && is_token68_char(peek())) {
      ++m_pos;
    }
    if (m_pos == start) {
      return std::nullopt;
    }
    while (!done() && peek() == '=') {
      ++m_pos;
    }
    const std::size_t end = m_pos;
    skip_ows();
    if (done() || peek() == ',') {
      return m_text.substr(start, end - start);
    }
    m_pos = start;
    return std::nullopt;
  }

  Result<std::string> quoted_string()
  {
    const std::size_t start = m_pos++;
    std::string value;
    while (!done()) {
      char c = m_text[m_pos++];
      if (c == '"') {
        return value;
      }
      if (c == '\\') {
        if (done()) {
          break;
        }
        c = m_text[m_pos++];
      }
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
        return error("control character in a quoted string");
      }
      value.push_back(c);
    }
    m_pos = start;
    return error("unterminated quoted string");
  }

  // After a comma: does a parameter ("name =") follow, rather than the next challenge?
  bool parameter_follows()
  {
    const std::size_t start = m_pos;
    const bool named = !token().empty();
    skip_ows();
    const bool result = named && !done() && peek() == '=';
    m_pos = start;
    return result;
  }

  Result<void> auth_params(std::map<std::string, std::string>& params)
  {
    while (true) {
      if (params.size() == k_max_challenge_params) {
        return error(fmt::format("more than {} parameters", k_max_challenge_params));
      }
      const auto name = token();
      if (name.empty()) {
        return error("expected a parameter name");
      }
      skip_ows();
      if (done() || peek() != '=') {
        return error("expected '=' after a parameter name");
      }
      ++m_pos;
      skip_ows();
      SIGIL_TRY_ASSIGN(auto value,
                       (!done() && peek() == '"') ? quoted_string() : Result<std::string>(std::string(token())));
      if (value.empty() && m_text[m_pos - 1] != '"') {
        return error("expected a parameter value");
      }
      if (!params.emplace(to_lower(name), std::move(value)).second) {
        return error(fmt::format("parameter \"{}\" repeated", to_lower(name)));
      }
      skip_ows();
      if (done()) {
        return {};
      }
      if (peek() != ',') {
        return error("expected ',' after a parameter");
      }
      skip_separators();
      if (done() || !parameter_follows()) {
        return {};
      }
    }
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

} // namespace

Result<std::vector<Challenge>> parse_www_authenticate(std::string_view value)
{
  if (value.size() > k_max_challenge_header_bytes) {
    return fail(ErrorCode::registry,
                fmt::format("invalid WWW-Authenticate header: longer than {} bytes", k_max_challenge_header_bytes));
  }
  ChallengeParser parser(value);
  std::vector<Challenge> challenges;
  while (true) {
    parser.skip_separators();
    if (parser.done()) {
      break;
    }
    if (challenges.size() == k_max_challenges) {
      return fail(ErrorCode::registry,
                  fmt::format("invalid WWW-Authenticate header: more than {} challenges", k_max_challenges));
    }
    SIGIL_TRY_ASSIGN(auto challenge, parser.challenge());
    challenges.push_back(std::move(challenge));
  }
  if (challenges.empty()) {
    return fail(ErrorCode::registry, "invalid WWW-Authenticate header: no challenge");
  }
  return challenges;
}

Result<std::vector<Challenge>> parse_challenges(const Response& response)
{
  std::vector<Challenge> all;
  for (const auto value : response.headers_named("www-authenticate")) {
    SIGIL_TRY_ASSIGN(auto challenges, parse_www_authenticate(value));
    if (all.size() + challenges.size() > k_max_challenges) {
      return fail(ErrorCode::registry, fmt::format("more than {} WWW-Authenticate challenges", k_max_challenges));
    }
    std::ranges::move(challenges, std::back_inserter(all));
  }
  return all;
}

// ---- Authorization headers -----------------------------------------------------------------

namespace {

std::string_view kind_name(Kind kind)
{
  switch (kind) {
  case Kind::basic: return "a user name and password";
  case Kind::identity_token: return "an identity token";
  case Kind::registry_token: return "a registry token";
  }
  return "unknown";
}

// The caller's scopes, then the challenge's own scope hint, without repeats.
std::vector<std::string> split_scopes(std::string_view scope, const Challenge& challenge)
{
  std::vector<std::string> scopes;
  auto add = [&](std::string_view list) {
    while (!list.empty()) {
      const auto end = std::min(list.find(' '), list.size());
      if (end > 0 && std::ranges::find(scopes, list.substr(0, end)) == scopes.end()) {
        scopes.emplace_back(list.substr(0, end));
      }
      list.remove_prefix(std::min(end + 1, list.size()));
    }
  };
  add(scope);
  if (const auto it = challenge.params.find("scope"); it != challenge.params.end()) {
    add(it->second);
  }
  return scopes;
}

Result<Token> bearer_token(Transport& transport, std::string_view host, std::string_view scope,
                           const Challenge& challenge, const Credential* credential)
{
  if (credential != nullptr && credential->kind == Kind::registry_token) {
    return Token{.header = fmt::format("Bearer {}", credential->secret.chars()), .lifetime = std::nullopt};
  }
  const auto realm = challenge.params.find("realm");
  if (realm == challenge.params.end() || realm->second.empty()) {
    return fail(ErrorCode::registry, fmt::format("{} sent a Bearer challenge without a realm", host));
  }
  const auto service = challenge.params.find("service");
  return fetch_token(transport,
                     TokenRequest{.registry = host,
                                  .realm = realm->second,
                                  .service = service == challenge.params.end() ? std::string_view() : service->second,
                                  .scopes = split_scopes(scope, challenge),
                                  .credential = credential});
}

Result<Token> basic_token(std::string_view host, const Credential* credential)
{
  if (credential == nullptr) {
    return fail(ErrorCode::auth, fmt::format("authentication required by {}: no credentials; run sigil login {} or "
                                             "pass --registry-username/--registry-password",
                                             host, host));
  }
  if (credential->kind != Kind::basic) {
    return fail(ErrorCode::auth, fmt::format("{} asks for Basic authentication but its credential is {}; run sigil "
                                             "login {} with a user name and password",
                                             host, kind_name(credential->kind), host));
  }
  return Token{.header = basic_authorization(*credential), .lifetime = std::nullopt};
}

const Challenge* find_scheme(const std::vector<Challenge>& challenges, std::string_view scheme)
{
  const auto it = std::ranges::find(challenges, scheme, &Challenge::scheme);
  return it == challenges.end() ? nullptr : &*it;
}

} // namespace

// ---- Authenticator --------------------------------------------------------------------------

struct Authenticator::State {
  using Key = std::pair<std::string, std::string>; // (host, scope) or (host, k_basic_scope)
  struct Cached {
    std::string header;
    std::optional<Time> expires; // nullopt: until invalidated
  };

  State(Transport& t, CredentialStore& c, Clock clk) : transport(t), credentials(c), clock(std::move(clk)) {}

  Transport& transport;
  CredentialStore& credentials;
  Clock clock;
  std::mutex mutex;
  std::map<Key, Cached> cache;
  std::map<Key, std::shared_future<Result<std::string>>> in_flight;

  Time now() const { return clock ? clock() : std::chrono::steady_clock::now(); }

  void store(const Key& key, const Token& token)
  {
    Cached entry{.header = token.header, .expires = std::nullopt};
    if (token.lifetime) {
      const auto margin = std::min<std::chrono::seconds>(k_token_refresh_margin, *token.lifetime / 4);
      entry.expires = now() + *token.lifetime - margin;
    }
    cache.insert_or_assign(key, std::move(entry));
  }

  // Runs fetch once for concurrent callers with the same key, caches and returns its header.
  template <typename Fetch> Result<std::string> single_flight(const Key& key, Fetch fetch)
  {
    std::shared_ptr<std::promise<Result<std::string>>> promise;
    std::shared_future<Result<std::string>> future;
    {
      const std::scoped_lock lock(mutex);
      if (const auto it = in_flight.find(key); it != in_flight.end()) {
        future = it->second;
      } else {
        promise = std::make_shared<std::promise<Result<std::string>>>();
        future = promise->get_future().share();
        in_flight.emplace(key, future);
      }
    }
    if (promise) {
      Result<Token> token = fetch();
      const std::scoped_lock lock(mutex);
      in_flight.erase(key);
      if (token) {
        store(key, *token);
        promise->set_value(std::move(token->header));
      } else {
        promise->set_value(std::unexpected(token.error()));
      }
    }
    return future.get();
  }
};

Authenticator::Authenticator(Transport& transport, CredentialStore& credentials, Clock clock)
    : m_state(std::make_unique<State>(transport, credentials, std::move(clock)))
{
}

Authenticator::~Authenticator() = default;

std::optional<std::string> Authenticator::cached(std::string_view host, std::string_view scope)
{
  const auto now = m_state->now();
  const std::string lower_host = to_lower(host);
  const std::scoped_lock lock(m_state->mutex);
  for (const auto& key :
       {State::Key{lower_host, std::string(scope)}, State::Key{lower_host, std::string(k_basic_scope)}}) {
    const auto it = m_state->cache.find(key);
    if (it == m_state->cache.end()) {
      continue;
    }
    if (!it->second.expires || now < *it->second.expires) {
      return it->second.header;
    }
    m_state->cache.erase(it);
  }
  return std::nullopt;
}

Result<std::string> Authenticator::authorize(std::string_view host, std::string_view scope,
                                             const Response& unauthorized)
{
  const std::string lower_host = to_lower(host);
  auto challenges = parse_challenges(unauthorized);
  if (!challenges) {
    return fail(challenges.error().context(fmt::format("{} answered {}", lower_host, unauthorized.status)));
  }
  const Challenge* bearer = find_scheme(*challenges, "bearer");
  const Challenge* basic = find_scheme(*challenges, "basic");
  if (bearer == nullptr && basic == nullptr) {
    return fail(
        ErrorCode::auth,
        challenges->empty()
            ? fmt::format("{} answered {} without a WWW-Authenticate challenge", lower_host, unauthorized.status)
            : fmt::format("{} asks for unsupported authentication \"{}\"", lower_host, challenges->front().scheme));
  }
  SIGIL_TRY_ASSIGN(auto credential, m_state->credentials.lookup(lower_host));
  const Credential* cred = credential.get();
  if (bearer != nullptr) {
    return m_state->single_flight({lower_host, std::string(scope)},
                                  [&] { return bearer_token(m_state->transport, lower_host, scope, *bearer, cred); });
  }
  return m_state->single_flight({lower_host, std::string(k_basic_scope)},
                                [&] { return basic_token(lower_host, cred); });
}

namespace {

// "alice/app" from "repository:alice/app:pull,push" (the first repository scope), else "".
std::string scope_repository(std::string_view scope)
{
  constexpr std::string_view prefix = "repository:";
  const auto start = scope.find(prefix);
  if (start == std::string_view::npos) {
    return {};
  }
  scope.remove_prefix(start + prefix.size());
  scope = scope.substr(0, scope.find(' '));
  return std::string(scope.substr(0, scope.rfind(':')));
}

std::string refusal_cause(long status, const Challenge* bearer, const Credential* credential, std::string_view host,
                          std::string_view repository)
{
  const std::string what = repository.empty() ? std::string("this registry") : fmt::format("repository {}", repository);
  std::string_view error;
  if (bearer != nullptr) {
    if (const auto it = bearer->params.find("error"); it != bearer->params.end()) {
      error = it->second;
    }
  }
  if (credential == nullptr) {
    return fmt::format("no credentials were found for {} and {} needs them; run sigil login {} or pass "
                       "--registry-username/--registry-password",
                       host, what, host);
  }
  if (status == 403 || error == "insufficient_scope") {
    return fmt::format("no access to {} with these credentials", what);
  }
  if (error == "invalid_token" || credential->kind == Credential::Kind::registry_token) {
    return "the token was refused: it has expired or was revoked, or does not grant access to " + what;
  }
  if (bearer != nullptr) {
    return fmt::format("no access to {} with these credentials", what);
  }
  return "wrong user name or password";
}

} // namespace

std::string Authenticator::refusal(std::string_view host, std::string_view scope, const Response& refused)
{
  const std::string lower_host = to_lower(host);
  auto credential = m_state->credentials.lookup(lower_host);
  if (!credential) { // a credential helper or config.json that failed is not "no credentials"
    return fmt::format("the credentials could not be read: {}", credential.error().message);
  }
  const Credential* cred = credential->get();
  auto challenges = parse_challenges(refused);
  const Challenge* bearer = challenges ? find_scheme(*challenges, "bearer") : nullptr;
  const std::string cause = refusal_cause(refused.status, bearer, cred, lower_host, scope_repository(scope));
  return cred == nullptr ? cause : fmt::format("{} (credentials: {})", cause, describe_credential(*cred));
}

void Authenticator::invalidate(std::string_view host, std::string_view scope)
{
  const std::string lower_host = to_lower(host);
  const std::scoped_lock lock(m_state->mutex);
  m_state->cache.erase({lower_host, std::string(scope)});
  m_state->cache.erase({lower_host, std::string(k_basic_scope)});
}

} // namespace sigil::registry
