// registry::Client — the request layer: scheme, auth, retries, redirects.
#include "sigil/registry/client.hpp"

#include "sigil/http/url.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/number.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <random>
#include <thread>

namespace sigil::registry {

namespace {

bool retryable_status(long status)
{
  return status == 429 || status == 502 || status == 503 || status == 504;
}

bool retryable_failure(TransportFailure f)
{
  switch (f) {
  case TransportFailure::connect:
  case TransportFailure::timeout:
  case TransportFailure::reset: return true;
  case TransportFailure::tls_handshake:
  case TransportFailure::tls_verification:
  case TransportFailure::too_large:
  case TransportFailure::sink:
  case TransportFailure::other: return false;
  }
  return false;
}

bool is_redirect(long status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string reason_phrase(long status)
{
  switch (status) {
  case 400: return "bad request";
  case 401: return "unauthorized";
  case 403: return "forbidden";
  case 404: return "not found";
  case 405: return "method not allowed";
  case 409: return "conflict";
  case 412: return "precondition failed";
  case 413: return "payload too large";
  case 429: return "too many requests";
  case 500: return "internal server error";
  case 502: return "bad gateway";
  case 503: return "service unavailable";
  case 504: return "gateway timeout";
  default: return "unexpected status";
  }
}

// The registry's own words from an OCI error body, bounded and on one line.
std::string registry_message(const Response& response)
{
  auto doc = util::parse_json(response.body.size() > 65536 ? std::string_view{} : std::string_view(response.body), 8);
  if (!doc || !doc->is_object() || !doc->contains("errors") || !(*doc)["errors"].is_array() ||
      (*doc)["errors"].empty()) {
    return {};
  }
  const auto& e = (*doc)["errors"][0];
  std::string out;
  if (e.contains("code") && e["code"].is_string()) {
    out = e["code"].get<std::string>();
  }
  if (e.contains("message") && e["message"].is_string()) {
    out += (out.empty() ? "" : ": ") + e["message"].get<std::string>();
  }
  if (out.size() > 200) {
    out.resize(200);
  }
  std::replace_if(out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

// The full URL (scheme, host, /v2/...) of a refused request and why, in words.
Error auth_error(const Client::Call& call, const Response& response)
{
  const std::string& note = response.refusal;
  const std::string what = registry_message(response);
  const std::string url = response.url.empty() ? call.repo.name() + "/" + call.path : redact_url(response.url);
  return Error{ErrorCode::auth, fmt::format("{} {}: {} {}{}{}", call.method, url, response.status,
                                            reason_phrase(response.status), what.empty() ? "" : ": " + what,
                                            note.empty() ? "" : ": " + note)};
}

} // namespace

// Next page from a Link header: <url>; rel="next".
Result<std::optional<std::string>> next_link(const Response& r)
{
  const auto link = r.header("link");
  if (!link) {
    return std::nullopt;
  }
  auto target = http::find_link(*link, "next");
  if (!target || !*target) {
    return target;
  }
  auto base = http::parse_url(r.url);
  auto next = base ? http::resolve_url(*base, **target) : fail(base.error());
  if (!next) {
    return fail(next.error().context("Link header"));
  }
  return next->str();
}

std::string scope_for(const Repository& repo, Access access)
{
  switch (access) {
  case Access::pull: return fmt::format("repository:{}:pull", repo.path);
  case Access::push: return fmt::format("repository:{}:pull,push", repo.path);
  case Access::delete_: return fmt::format("repository:{}:delete", repo.path);
  }
  return fmt::format("repository:{}:pull", repo.path);
}

Client::Client(Transport& transport, Authenticator& auth, ClientOptions options)
  : m_transport(transport), m_auth(auth), m_options(options)
{
}

std::string Client::api_host(const std::string& registry) const
{
  return registry == oci::k_docker_hub_registry ? std::string(oci::k_docker_hub_api_host) : registry;
}

bool Client::http_allowed(const std::string& registry) const
{
  if (m_options.allow_http) {
    return true;
  }
  auto ref = oci::Reference::parse(registry + "/x");
  return ref && ref->is_loopback();
}

std::string Client::scheme_for(const std::string& registry)
{
  {
    const std::lock_guard guard(m_scheme_mutex);
    if (const auto it = m_schemes.find(registry); it != m_schemes.end()) {
      return it->second;
    }
  }
  // Loopback registries are most often plain HTTP (docker does the same); a TLS one is
  // detected from its answer and remembered.
  auto ref = oci::Reference::parse(registry + "/x");
  return ref && ref->is_loopback() ? "http" : "https";
}

void Client::set_scheme(const std::string& registry, std::string scheme)
{
  const std::lock_guard guard(m_scheme_mutex);
  m_schemes[registry] = std::move(scheme);
}

std::string Client::base_url(const std::string& registry)
{
  return fmt::format("{}://{}", scheme_for(registry), api_host(registry));
}

std::chrono::milliseconds Client::backoff(int attempt, const Response* response) const
{
  const auto& p = m_options.retry;
  if (response != nullptr) {
    if (const auto after = http::retry_after(*response)) {
      return std::min(*after, p.max_retry_after);
    }
  }
  const auto exp = p.initial_backoff * (std::int64_t{1} << std::min(attempt, 20));
  const auto capped = std::min<std::chrono::milliseconds>(exp, p.max_backoff);
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> jitter(capped.count() / 2, std::max<std::int64_t>(capped.count(), 1));
  return std::chrono::milliseconds(jitter(rng));
}

bool Client::transient_put_failure(const Response& response)
{
  return response.status == 500 || (response.status == 400 && registry_message(response).starts_with("DIGEST_INVALID"));
}

Error Client::status_error(const Call& call, const Response& response)
{
  if (response.status == 401 || response.status == 403) {
    return auth_error(call, response);
  }
  const std::string what = registry_message(response);
  const std::string msg = fmt::format("{} {}: {} {}{}", call.method,
                                      call.path.find("://") == std::string::npos ? call.repo.name() + "/" + call.path
                                                                                 : redact_url(call.path),
                                      response.status, reason_phrase(response.status), what.empty() ? "" : ": " + what);
  if (response.status == 404) {
    return Error{ErrorCode::not_found, msg};
  }
  return Error{ErrorCode::registry, msg};
}

// Everything one send() knows between attempts.
struct Client::SendState {
  explicit SendState(const Call& c) : call(c) {}

  const Call& call;
  const std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string host;      // api_host(registry): what auth is cached under
  std::string scope;     // the token scope asked for
  bool absolute = false; // call.path is a URL a server named (a Link header)
  std::string url;       // where the next attempt goes
  // Where the registry's credentials belong; every URL a server named (an absolute call.path
  // from a Link header, a redirect's Location) passes the origin rule against it.
  http::Url home;
  bool cross_host = false; // credentials withheld: the URL left home's origin
  Request req;
  std::uint64_t delivered = 0; // body bytes handed to call.body_sink: no retry after any
  std::uint64_t pulled = 0;    // body bytes taken from call.body_source: never sent twice
  int attempt = 0;
  int redirects = 0;
  bool reauthed = false; // the one fresh authorization after a 401 was spent
  // Scheme probing of a loopback registry (see may_probe_https).
  struct Probe {
    bool scheme_switched = false;
    bool probing_https = false;
    std::optional<Response> plain_answer;
    std::optional<TransportError> plain_failure;
  } probe;
};

std::string Client::call_url(const SendState& s)
{
  if (s.absolute) {
    return s.call.path;
  }
  const std::string base = base_url(s.call.repo.registry);
  return s.call.repo.path.empty() ? fmt::format("{}/v2/{}", base, s.call.path)
                                  : fmt::format("{}/v2/{}/{}", base, s.call.repo.path, s.call.path);
}

Result<void> Client::start(SendState& s)
{
  const Call& call = s.call;
  const std::string& registry = call.repo.registry;
  s.host = api_host(registry);
  s.scope = call.scope.value_or(scope_for(call.repo, call.access));
  s.absolute = call.path.find("://") != std::string::npos;
  s.url = call_url(s);
  auto home = http::parse_url(base_url(registry));
  SIGIL_TRY_CONTEXT(home, registry);
  s.home = std::move(*home);
  if (s.absolute) {
    auto next = http::parse_url(s.url);
    auto rule = next ? http::follow(s.home, *next) : fail(next.error());
    if (!rule) {
      return fail(rule.error().context(fmt::format("{} {}", call.method, redact_url(s.url))));
    }
    s.cross_host = *rule == http::Credentials::withhold;
    s.url = next->str();
  }
  s.req = Request{call.method, s.url, {}, call.body, call.max_response_bytes, {}, {}};
  if (call.body_sink) {
    s.req.body_sink = [&s](util::ByteView chunk) {
      s.delivered += chunk.size();
      return s.call.body_sink(chunk);
    };
  }
  if (call.body_source) {
    s.req.body_size = call.body_size;
    s.req.body_source = [&s](std::span<std::uint8_t> buffer) -> Result<std::size_t> {
      SIGIL_TRY_ASSIGN(const std::size_t n, s.call.body_source(buffer));
      s.pulled += n;
      return n;
    };
  }
  return {};
}

void Client::prepare_request(SendState& s)
{
  s.req.url = s.url;
  s.req.headers = s.call.headers;
  if (!s.cross_host) {
    if (auto authz = m_auth.cached(s.host, s.scope)) {
      s.req.headers.push_back(Header{"Authorization", std::move(*authz)});
    }
  }
}

void Client::switch_scheme(SendState& s, std::string scheme)
{
  const std::string& registry = s.call.repo.registry;
  set_scheme(registry, std::move(scheme));
  s.probe.scheme_switched = true;
  s.url = call_url(s);
  if (auto switched = http::parse_url(base_url(registry))) {
    s.home = std::move(*switched);
  }
}

// A loopback registry is tried over plain http first (most are). Until it has answered in
// this process, a 400 or an empty reply over http may come from a TLS-only server (Go says
// so in the body of a 400, which HEAD does not get; others just close): https is tried once,
// and what http said stands if the server does not speak TLS either.
bool Client::may_probe_https(const SendState& s)
{
  const std::lock_guard guard(m_scheme_mutex);
  return !s.absolute && !s.cross_host && !s.probe.scheme_switched && s.url.starts_with("http:") &&
         !m_schemes.contains(s.call.repo.registry);
}

// Sleeps before the next attempt when one is allowed and fits in the time budget.
bool Client::wait_for_retry(SendState& s, const Response* response) const
{
  if (!s.call.idempotent || s.delivered != 0 || s.attempt + 1 >= m_options.retry.max_attempts) {
    return false;
  }
  const auto delay = backoff(s.attempt, response);
  if (std::chrono::steady_clock::now() - s.start + delay >= m_options.retry.max_total) {
    return false;
  }
  std::this_thread::sleep_for(delay);
  ++s.attempt;
  return true;
}

Client::Next Client::on_transport_error(SendState& s, TransportError err)
{
  if (s.probe.probing_https) {
    s.probe.probing_https = false;
    if (err.failure == TransportFailure::tls_handshake) { // plain http after all
      switch_scheme(s, "http");
      if (s.probe.plain_answer) {
        return std::move(*s.probe.plain_answer);
      }
      err = std::move(*s.probe.plain_failure);
    }
  } else if (err.failure == TransportFailure::reset && s.delivered == 0 && may_probe_https(s)) {
    s.probe.plain_failure = std::move(err);
    s.probe.probing_https = true;
    switch_scheme(s, "https");
    return std::nullopt;
  } else if (err.failure == TransportFailure::tls_handshake && !s.absolute && !s.probe.scheme_switched &&
             s.url.starts_with("https:") && http_allowed(s.call.repo.registry)) {
    switch_scheme(s, "http");
    return std::nullopt;
  }
  if (retryable_failure(err.failure) && wait_for_retry(s, nullptr)) {
    return std::nullopt;
  }
  Error e = err.error;
  if (s.attempt > 0) {
    e.message += fmt::format(" (after {} attempts)", s.attempt + 1);
  }
  return fail(e);
}

Client::Next Client::on_response(SendState& s, Response resp)
{
  if (resp.status == 400 && may_probe_https(s)) {
    s.probe.plain_answer = std::move(resp);
    s.probe.probing_https = true;
    switch_scheme(s, "https");
    return std::nullopt;
  }
  if (!s.absolute && !s.cross_host) {
    const std::lock_guard guard(m_scheme_mutex);
    m_schemes.try_emplace(s.call.repo.registry, s.url.substr(0, s.url.find(':'))); // it answered: settled
  }
  s.probe.probing_https = false;
  if (resp.status == 401 && !s.cross_host && !s.reauthed) {
    m_auth.invalidate(s.host, s.scope);
    SIGIL_TRY(m_auth.authorize(s.host, s.scope, resp));
    s.reauthed = true;
    return std::nullopt;
  }
  if (retryable_status(resp.status) && wait_for_retry(s, &resp)) {
    return std::nullopt;
  }
  if (s.call.follow_redirects && is_redirect(resp.status)) {
    return on_redirect(s, std::move(resp));
  }
  if ((resp.status == 401 || resp.status == 403) && !s.cross_host) {
    resp.refusal = m_auth.refusal(s.host, s.scope, resp);
  }
  return resp;
}

Client::Next Client::on_redirect(SendState& s, Response resp)
{
  const auto location = resp.header("location");
  if (!location) {
    return resp;
  }
  const Call& call = s.call;
  if (++s.redirects > m_options.max_redirects) {
    return fail(ErrorCode::registry, fmt::format("{} {}: more than {} redirects", call.method, redact_url(s.req.url),
                                                 m_options.max_redirects));
  }
  // Credentials never follow to another origin (object storage URLs carry their own), and
  // https never leads to plain http.
  auto current = http::parse_url(s.url);
  auto next = current ? http::resolve_url(*current, *location) : fail(current.error());
  auto rule = next ? http::follow(s.home, *next) : fail(next.error());
  if (!rule) {
    return fail(rule.error().context(fmt::format("{} {}: redirect", call.method, redact_url(s.req.url))));
  }
  s.cross_host = s.cross_host || *rule == http::Credentials::withhold;
  s.url = next->str();
  return std::nullopt;
}

// One request with the registry's rules: scheme probing, auth once on 401, retries with
// backoff, redirects under the origin rule. Each step decides whether to send again.
Result<Response> Client::send(const Call& call)
{
  SendState s(call);
  SIGIL_TRY(start(s));
  while (true) {
    prepare_request(s);
    auto sent = m_transport.send(s.req);
    if (s.pulled != 0) { // a streamed body is gone: its answer stands, whatever it is
      return sent ? Result<Response>(std::move(*sent)) : fail(sent.error().error);
    }
    Next done = sent ? on_response(s, std::move(*sent)) : on_transport_error(s, std::move(sent.error()));
    if (done) {
      return std::move(*done);
    }
  }
}

Result<void> Client::ping(const std::string& registry)
{
  // Relative ("/v2/"), so that the scheme of the registry is found as for any other request.
  Call call{.method = "GET", .repo = Repository{registry, ""}, .path = "", .scope = std::string{}};
  SIGIL_TRY_ASSIGN(auto resp, send(call));
  if (resp.status != 200) {
    return fail(status_error(call, resp));
  }
  return {};
}

} // namespace sigil::registry
