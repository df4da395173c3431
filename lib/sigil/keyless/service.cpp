#include "sigil/keyless/service.hpp"

#include "sigil/util/host.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/terminal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace sigil::keyless {

namespace {

constexpr std::size_t k_max_message = 200;

bool retryable_status(long status)
{
  return status == 429 || (status >= 500 && status <= 599);
}

bool retryable_failure(http::TransportFailure f)
{
  switch (f) {
  case http::TransportFailure::connect:
  case http::TransportFailure::timeout:
  case http::TransportFailure::reset: return true;
  case http::TransportFailure::tls_handshake:
  case http::TransportFailure::tls_verification:
  case http::TransportFailure::too_large:
  case http::TransportFailure::sink:
  case http::TransportFailure::other: return false;
  }
  return false;
}

ErrorCode code_for_status(long status)
{
  if (status == 401 || status == 403) {
    return ErrorCode::auth;
  }
  if (status >= 400 && status < 500) {
    return ErrorCode::bad_input;
  }
  return ErrorCode::registry;
}

std::string shorten(std::string text)
{
  if (text.size() > k_max_message) {
    text.resize(k_max_message);
    text += "...";
  }
  return util::escape_for_terminal(text);
}

struct Answer {
  http::Response response;
  int attempts = 1;
};

std::string failure_message(std::string_view service, const http::TransportError& e, int attempts)
{
  if (attempts > 1) {
    return fmt::format("{}: {} (after {} attempts)", service, e.error.message, attempts);
  }
  return fmt::format("{}: {}", service, e.error.message);
}

// Capped exponential backoff; a 429/503 that says Retry-After is waited for as it asks, up to
// max_retry_after (the total budget still bounds it: a wait past max_total ends the retries).
std::chrono::milliseconds retry_delay(const ServiceRetry& retry, int attempt)
{
  const auto exp = retry.initial_backoff * (std::int64_t{1} << std::min(attempt, 16));
  return std::min<std::chrono::milliseconds>(exp, retry.max_backoff);
}

std::chrono::milliseconds retry_delay(const ServiceRetry& retry, int attempt, const http::Response& answer)
{
  if (const auto after = http::retry_after(answer)) {
    return std::min(*after, retry.max_retry_after);
  }
  return retry_delay(retry, attempt);
}

// Sends until an answer that is not retryable, or the budget (attempts, total time) is spent.
Result<Answer> send_with_retry(http::Transport& transport, std::string_view service, const http::Request& request,
                               const ServiceRetry& retry)
{
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    auto answer = transport.send(request);
    const bool last = attempt + 1 >= retry.max_attempts;
    if (!answer) {
      if (!retryable_failure(answer.error().failure) || last) {
        return fail(ErrorCode::registry, failure_message(service, answer.error(), attempt + 1));
      }
    } else if (!retryable_status(answer->status) || last) {
      return Answer{std::move(*answer), attempt + 1};
    }
    const auto delay = answer ? retry_delay(retry, attempt, *answer) : retry_delay(retry, attempt);
    if (std::chrono::steady_clock::now() - start + delay >= retry.max_total) {
      if (!answer) {
        return fail(ErrorCode::registry, failure_message(service, answer.error(), attempt + 1));
      }
      return Answer{std::move(*answer), attempt + 1};
    }
    std::this_thread::sleep_for(delay);
  }
}

Result<http::Response> accept(std::string_view service, Answer answer, const std::vector<long>& also_ok)
{
  const auto& response = answer.response;
  if ((response.status >= 200 && response.status < 300) ||
      std::find(also_ok.begin(), also_ok.end(), response.status) != also_ok.end()) {
    return std::move(answer.response);
  }
  std::string message = refusal_message(service, response);
  if (answer.attempts > 1) {
    message += fmt::format(" (after {} attempts)", answer.attempts);
  }
  return fail(code_for_status(response.status), std::move(message));
}

std::chrono::milliseconds request_bound(std::chrono::milliseconds wanted, const ServiceRetry& retry)
{
  return std::max(std::chrono::milliseconds{1}, std::min(wanted, retry.max_total));
}

} // namespace

Result<http::Url> service_url(std::string_view text, std::string_view what)
{
  auto url = http::parse_url(text);
  if (!url) {
    return fail(ErrorCode::usage, fmt::format("{}: {}", what, url.error().message));
  }
  if (!url->https() && !util::is_loopback_host(url->host)) {
    return fail(ErrorCode::usage,
                fmt::format("{}: {} is plain http to a host that is not loopback; use https", what, url->origin()));
  }
  if (url->target.find('?') != std::string::npos) {
    return fail(ErrorCode::usage, fmt::format("{}: a service URL takes no query", what));
  }
  return url;
}

http::Url endpoint(const http::Url& base, std::string_view path)
{
  http::Url out = base;
  std::string prefix = base.target;
  while (!prefix.empty() && prefix.back() == '/') {
    prefix.pop_back();
  }
  out.target = prefix + std::string(path);
  return out;
}

std::string refusal_message(std::string_view service, const http::Response& response)
{
  std::string detail;
  if (auto json = util::parse_json(response.body); json && json->is_object()) {
    for (const char* field : {"message", "error", "detail"}) {
      if (auto m = util::json_string(*json, field)) {
        detail = std::move(*m);
        break;
      }
    }
  }
  if (detail.empty()) {
    detail = response.body.substr(0, response.body.find('\n'));
  }
  if (detail.empty()) {
    return fmt::format("{}: refused with HTTP {}", service, response.status);
  }
  return fmt::format("{}: refused with HTTP {}: {}", service, response.status, shorten(std::move(detail)));
}

Result<http::Response> post(http::Transport& transport, const ServicePost& call, const ServiceRetry& retry,
                            std::vector<long> also_ok)
{
  http::Request request;
  request.method = "POST";
  request.url = call.url.str();
  request.headers = call.headers;
  request.headers.push_back({"Content-Type", call.content_type});
  if (!call.accept.empty()) {
    request.headers.push_back({"Accept", call.accept});
  }
  request.body = util::as_bytes(call.body);
  request.max_response_bytes = call.max_response_bytes;
  request.timeout = request_bound(call.timeout, retry);
  SIGIL_TRY_ASSIGN(auto answer, send_with_retry(transport, call.service, request, retry));
  return accept(call.service, std::move(answer), also_ok);
}

Result<http::Response> get(http::Transport& transport, std::string_view service, const http::Url& url,
                           const ServiceRetry& retry)
{
  http::Request request;
  request.url = url.str();
  request.headers.push_back({"Accept", "application/json"});
  request.max_response_bytes = std::uint64_t{1} << 20;
  request.timeout = request_bound(std::chrono::milliseconds{30'000}, retry);
  SIGIL_TRY_ASSIGN(auto answer, send_with_retry(transport, service, request, retry));
  return accept(service, std::move(answer), {});
}

} // namespace sigil::keyless
