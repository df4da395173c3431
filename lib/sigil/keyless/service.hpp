// sigil::keyless the request policy of the Sigstore services (Fulcio, Rekor, TSA): where they
// may be, how a request is retried, and how a refusal reads.
//
// - A service URL (flag or signing config) is an absolute http(s) URL (http::parse_url); plain
//   http only to a loopback host (util::is_loopback_host), as for registries.
// - Redirects are not followed: a Sigstore API answers where it was asked.
// - 5xx, 429 and connection failures are retried with capped exponential backoff, or after
//   the Retry-After a 429/503 asks for (capped; as the registry client does) (every
//   request here is idempotent: Fulcio issues another certificate, Rekor answers 409 for an
//   entry it already has, the TSA another timestamp); a 4xx is a one-line error naming the
//   service and its message, escaped for a terminal and shortened. The budget is bounded twice:
//   attempts, and total time (no new attempt once max_total would be passed; each request is
//   also cut at max_total). A 5xx that outlasts it names the status and the attempts made.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/http/transport.hpp"
#include "sigil/http/url.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::keyless {

// parse_url plus the https rule. `what` names the flag or field in errors ("--fulcio-url").
[[nodiscard]] Result<http::Url> service_url(std::string_view text, std::string_view what);

// base + path, where base may end with a path of its own ("https://h/prefix" + "/api/v1/x").
[[nodiscard]] http::Url endpoint(const http::Url& base, std::string_view path);

struct ServiceRetry {
  int max_attempts = 5; // first try included (the registry's --max-attempts)
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{4'000};
  std::chrono::milliseconds max_retry_after{30'000}; // a longer Retry-After is cut to this
  std::chrono::milliseconds max_total{120'000}; // the registry's --timeout: also each request's bound
};

struct ServicePost {
  std::string_view service; // "fulcio", "rekor", "timestamp authority": named in errors
  http::Url url;
  std::string content_type;
  std::string accept;
  std::string body;
  std::vector<http::Header> headers; // e.g. Authorization (remembered as a secret by the caller)
  std::uint64_t max_response_bytes = std::uint64_t{1} << 20;
  std::chrono::milliseconds timeout{30'000};
};

// The answer of the first attempt that got a 2xx (or one of `also_ok`); an error naming the
// service otherwise (ErrorCode::registry for network/5xx after retries, ErrorCode::auth for
// 401/403, ErrorCode::bad_input for other 4xx).
[[nodiscard]] Result<http::Response> post(http::Transport& transport, const ServicePost& call,
                                          const ServiceRetry& retry = {}, std::vector<long> also_ok = {});

// GET with the same retry policy (Rekor's 409 Location).
[[nodiscard]] Result<http::Response> get(http::Transport& transport, std::string_view service, const http::Url& url,
                                         const ServiceRetry& retry = {});

// "fulcio: 400 Bad Request: <message>" from an error answer: the JSON "message" (or "error")
// field when the body is JSON, else the body's first line; escaped and at most 200 characters.
[[nodiscard]] std::string refusal_message(std::string_view service, const http::Response& response);

} // namespace sigil::keyless
