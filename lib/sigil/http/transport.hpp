// sigil::http::Transport — the one seam through which every HTTP request goes.
//
// The curl implementation (curl_transport.cpp, the only file that includes curl) keeps one
// connection pool per process: keep-alive, HTTP/2 where the server offers it over TLS, shared
// DNS and TLS session caches. A Transport sends exactly one request: it does not retry, follow
// redirects or authenticate — its clients do (registry::Client for the registry), so every policy is in one place and
// the request count is visible.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/joining_thread.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::http {

struct Header {
  std::string name; // lowercase in responses
  std::string value;
};

// One verbose log line per request: method, URL (credentials removed), status, bytes, time.
using LogSink = std::function<void(std::string_view line)>;

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  // Whole request, headers and body. Large blob transfers use a low-speed limit instead.
  std::chrono::milliseconds request_timeout{120'000};
  // A transfer slower than low_speed_bytes per second for low_speed_time fails.
  long low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{30};
  std::string ca_file;                   // --ca-file, else SSL_CERT_FILE, else the system store
  bool insecure_skip_tls_verify = false; // --allow-insecure-registry
  std::string user_agent;                // "sigil/<version>"
  LogSink log;                           // null: no request log
};

struct Request {
  std::string method = "GET"; // GET HEAD PUT POST PATCH DELETE
  std::string url;
  std::vector<Header> headers;
  util::ByteView body; // request body (must outlive send)
  // Response body cap, enforced while receiving: exceeding it aborts the transfer.
  std::uint64_t max_response_bytes = std::uint64_t{4} << 20;
  // When set, the body is handed over in chunks instead of being buffered in Response::body.
  // Returning an error aborts the transfer with that error.
  std::function<Result<void>(util::ByteView)> body_sink;
  // Bound of this request when shorter than TransportOptions::request_timeout (zero: that one).
  std::chrono::milliseconds timeout{0};
  // When set, the body (body_size bytes, sent with that Content-Length) is pulled from here
  // in chunks instead of `body`: uploads larger than memory. It fills the buffer and returns
  // how many bytes it wrote (0 only at the end); an error aborts the transfer with it
  // (TransportFailure::sink). A request that is sent again must be given a fresh source.
  std::function<Result<std::size_t>(std::span<std::uint8_t>)> body_source;
  std::uint64_t body_size = 0;
};

struct Response {
  long status = 0;
  std::string url; // the URL that answered (relative Link and Location values resolve against it)
  std::vector<Header> headers;
  std::string body;
  std::uint64_t body_bytes = 0; // bytes received (also when streamed to body_sink)
  std::chrono::milliseconds elapsed{0};
  // Set above the transport: why a 401/403 was refused, in words (registry::Client, from the
  // credentials it used); empty otherwise.
  std::string refusal;

  // First header with this name (case-insensitive).
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
  // All values of a header (WWW-Authenticate may repeat).
  [[nodiscard]] std::vector<std::string_view> headers_named(std::string_view name) const;
};

// The wait a 429/503 answer asks for (RFC 9110 Retry-After: delay-seconds or an HTTP-date, in
// the past = 0); nullopt when absent or unreadable. A number too large to hold is
// milliseconds::max() ("later than any cap"): callers cap it. Registries and the Sigstore
// services (Fulcio, Rekor, TSA) are read alike.
[[nodiscard]] std::optional<std::chrono::milliseconds> retry_after(const Response& response);

// Why a request produced no HTTP response.
enum class TransportFailure {
  connect,           // refused, unreachable, DNS
  tls_handshake,     // the server does not speak TLS (plain HTTP) or the handshake failed
  tls_verification,  // certificate not trusted, expired, wrong host name
  timeout,           // connect, total or low-speed timeout
  reset,             // connection closed or reset mid-transfer, short body
  too_large,         // body over max_response_bytes
  sink,              // body_sink refused the data, or body_source failed
  other,
};

struct TransportError {
  TransportFailure failure = TransportFailure::other;
  Error error; // code registry (or the sink's own error), message names the request
};

class Transport {
public:
  Transport() = default;
  virtual ~Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Sends one request; thread-safe (connections are pooled and shared between threads).
  [[nodiscard]] virtual std::expected<Response, TransportError> send(const Request& request) = 0;
  // Number of requests sent so far (for tests and benchmarks).
  [[nodiscard]] virtual std::uint64_t request_count() const = 0;
};

[[nodiscard]] std::unique_ptr<Transport> make_curl_transport(TransportOptions options);

// Starts loading libcurl (27 shared objects on Debian, ~4 ms) on a thread of its own, so that a
// command sure to use the network parses its arguments and keys meanwhile; the first transport
// made waits for it. The returned thread must be joined (the handle's destructor does) before
// the process exits: static destructors (OpenSSL's clean-up) must not run under it. Never
// throws: when no thread can be started, libcurl is loaded by the first transport as before.
[[nodiscard]] util::JoiningThread preload_transport() noexcept;

// Removes userinfo and query-string secrets ("token", "access_token", "X-Amz-Signature"...)
// from a URL for logs and messages.
[[nodiscard]] std::string redact_url(std::string_view url);

} // namespace sigil::http
