// The curl implementation of http::Transport — the only file that includes curl.
#include "sigil/http/transport.hpp"
#include "sigil/util/string.hpp"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <thread>

namespace sigil::http {

namespace {

// libcurl is loaded when the first transport is made, not at process start. Debian's libcurl
// brings 27 more shared objects (LDAP, Kerberos, GnuTLS for RTMP, libssh2, ...): mapping and
// relocating them is ~3.5 ms and ~5 MiB of resident memory, which every command without the
// network (sign-blob, verify-blob, key commands, version, help) would otherwise pay at start-up.
// The soname is resolved as a DT_NEEDED entry would be (LD_LIBRARY_PATH, ld.so.cache), and
// bound lazily as a DT_NEEDED entry would be: libraries linked with -z now (libcurl, libssl,
// GnuTLS) are bound at load all the same, the others (Kerberos, nghttp2, zlib, ...) when first
// called; RTLD_NOW cost ~25 % more of the load (callgrind) for functions never called, and adds
// no RELRO to a library that was not linked with -z now.
// Each libcurl function sigil calls, named once: the member is curl_<name>'s pointer.
#define SIGIL_CURL_FUNCTIONS(X)                                                                      \
  X(global_init) X(share_init) X(share_setopt) X(share_cleanup) X(easy_init) X(easy_setopt)         \
  X(easy_perform) X(easy_getinfo) X(easy_reset) X(easy_cleanup) X(easy_strerror) X(slist_append) \
  X(slist_free_all)

struct CurlApi {
#define SIGIL_CURL_MEMBER(name) decltype(&::curl_##name) name = nullptr;
  SIGIL_CURL_FUNCTIONS(SIGIL_CURL_MEMBER)
#undef SIGIL_CURL_MEMBER
};

constexpr const char* k_libcurl = "libcurl.so.4";

// The loaded API, or the reason it could not be loaded (kept for the process: one attempt).
struct LoadedCurl {
  CurlApi api;
  std::string error;
};

const LoadedCurl& load_curl()
{
  static const LoadedCurl loaded = [] {
    LoadedCurl out;
    void* lib = dlopen(k_libcurl, RTLD_LAZY | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      out.error = fmt::format("cannot load {} ({}): install libcurl (Debian/Ubuntu: apt install libcurl4)", k_libcurl,
                              why != nullptr ? why : "unknown reason");
      return out;
    }
    const auto bind = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (fn == nullptr && out.error.empty()) {
        out.error = fmt::format("{} has no {}: libcurl 7.85 or newer is needed", k_libcurl, name);
      }
    };
#define SIGIL_CURL_BIND(name) bind(out.api.name, "curl_" #name);
    SIGIL_CURL_FUNCTIONS(SIGIL_CURL_BIND)
#undef SIGIL_CURL_BIND
    if (out.error.empty()) {
      out.api.global_init(CURL_GLOBAL_DEFAULT); // once: this initialiser runs once per process
    }
    return out;
  }();
  return loaded;
}

// The host of an http(s) URL, without port or brackets.
std::string_view url_host(std::string_view url)
{
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  url = url.substr(0, url.find_first_of("/?#"));
  if (url.starts_with('[')) {
    return url.substr(1, url.find(']') - 1);
  }
  return url.substr(0, url.rfind(':'));
}

// What to do about a certificate that failed verification, by curl's reason (OpenSSL's words):
// only an unknown issuer is fixed by trusting a CA.
std::string tls_hint(std::string_view reason, std::string_view url)
{
  if (reason.find("expired") != std::string_view::npos || reason.find("not yet valid") != std::string_view::npos) {
    return " (the registry's certificate is outside its validity period: it must be renewed on the registry, or "
           "check this machine's clock)";
  }
  if (reason.find("subject name") != std::string_view::npos || reason.find("host name") != std::string_view::npos) {
    return fmt::format(" (the registry's certificate is not issued for {}: use the name it was issued for)",
                       url_host(url));
  }
  return " (trust the registry's CA with --ca-file or SSL_CERT_FILE)";
}

std::string_view trim(std::string_view s)
{
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Body kept of a non-2xx answer to a streamed request (for the error message).
constexpr std::uint64_t k_max_error_body = 64 * 1024;

// State of one transfer, seen by curl's callbacks.
struct Transfer {
  const Request* request = nullptr;
  Response* response = nullptr;
  long status = 0; // of the response being received
  bool too_large = false;
  std::optional<Error> sink_error;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
};

// "HTTP/1.1 404 Not Found" / "HTTP/2 200" -> the status code, 0 if unreadable.
long status_of(std::string_view line)
{
  const auto space = line.find(' ');
  long status = 0;
  for (std::size_t i = space == std::string_view::npos ? line.size() : space + 1;
       i < line.size() && line[i] >= '0' && line[i] <= '9' && status < 1000; ++i) {
    status = status * 10 + (line[i] - '0');
  }
  return status;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user)
{
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear(); // a new response (e.g. after 100 Continue)
    t->status = status_of(line);
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos && t->response->headers.size() < 256) {
    t->response->headers.push_back(
        Header{util::to_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
  }
  return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user)
{
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  // Only a success goes to the sink: the body of an error, a challenge or a redirect is not
  // the content asked for (it would spoil a digest and block retries); it is kept, bounded.
  const bool to_sink = t->request->body_sink && t->status >= 200 && t->status < 300;
  const std::uint64_t limit = to_sink || !t->request->body_sink ? t->request->max_response_bytes : k_max_error_body;
  if (t->response->body_bytes + n > limit) {
    // The sink still sees the bytes up to the limit, so that it can name what is wrong
    // (a blob larger than its descriptor) before the transfer is cut.
    const auto allowed = static_cast<std::size_t>(limit - t->response->body_bytes);
    if (to_sink && allowed > 0) {
      t->response->body_bytes += allowed;
      if (auto ok = t->request->body_sink(util::ByteView(reinterpret_cast<const std::uint8_t*>(data), allowed)); !ok) {
        t->sink_error = ok.error();
        return 0;
      }
    }
    t->too_large = true;
    return 0; // aborts with CURLE_WRITE_ERROR
  }
  t->response->body_bytes += n;
  if (to_sink) {
    auto ok = t->request->body_sink(util::ByteView(reinterpret_cast<const std::uint8_t*>(data), n));
    if (!ok) {
      t->sink_error = ok.error();
      return 0;
    }
    return n;
  }
  t->response->body.append(data, n);
  return n;
}

// Pulls the next piece of a streamed request body from body_source.
std::size_t on_read(char* data, std::size_t size, std::size_t count, void* user)
{
  auto* t = static_cast<Transfer*>(user);
  auto got = t->request->body_source(std::span(reinterpret_cast<std::uint8_t*>(data), size * count));
  if (!got) {
    t->sink_error = got.error();
    return CURL_READFUNC_ABORT;
  }
  return *got;
}

TransportFailure classify(CURLcode code, const Transfer& t)
{
  switch (code) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY: return TransportFailure::connect;
  case CURLE_SSL_CONNECT_ERROR: return TransportFailure::tls_handshake;
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM: return TransportFailure::tls_verification;
  case CURLE_OPERATION_TIMEDOUT: return TransportFailure::timeout;
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_GOT_NOTHING:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_WEIRD_SERVER_REPLY: return TransportFailure::reset;
  case CURLE_UNSUPPORTED_PROTOCOL:
    // For an http(s) URL: the reply is not HTTP ("received HTTP/0.9"), e.g. the excess bytes of
    // an earlier answer longer than its Content-Length, read on the reused connection. curl
    // drops that connection; the request may be sent again.
    return t.request->url.starts_with("http://") || t.request->url.starts_with("https://") ? TransportFailure::reset
                                                                                           : TransportFailure::other;
  case CURLE_ABORTED_BY_CALLBACK:
  case CURLE_READ_ERROR: return t.sink_error ? TransportFailure::sink : TransportFailure::other;
  case CURLE_WRITE_ERROR:
    if (t.too_large) {
      return TransportFailure::too_large;
    }
    return t.sink_error ? TransportFailure::sink : TransportFailure::other;
  default: return TransportFailure::other;
  }
}

class CurlTransport final : public Transport {
public:
  explicit CurlTransport(TransportOptions options) : m_options(std::move(options))
  {
    const LoadedCurl& loaded = load_curl();
    if (!loaded.error.empty()) {
      m_load_error = loaded.error; // every send() reports it
      return;
    }
    m_curl = &loaded.api;
    m_share = m_curl->share_init();
    m_curl->share_setopt(m_share, CURLSHOPT_LOCKFUNC, &CurlTransport::lock);
    m_curl->share_setopt(m_share, CURLSHOPT_UNLOCKFUNC, &CurlTransport::unlock);
    m_curl->share_setopt(m_share, CURLSHOPT_USERDATA, this);
    m_curl->share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    m_curl->share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    m_curl->share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~CurlTransport() override
  {
    if (m_curl == nullptr) {
      return;
    }
    for (CURL* h : m_idle) {
      m_curl->easy_cleanup(h);
    }
    m_curl->share_cleanup(m_share);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  std::expected<Response, TransportError> send(const Request& request) override;

  std::uint64_t request_count() const override { return m_count.load(); }

private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user)
  {
    static_cast<CurlTransport*>(user)->m_share_locks[static_cast<std::size_t>(data) % k_locks].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user)
  {
    static_cast<CurlTransport*>(user)->m_share_locks[static_cast<std::size_t>(data) % k_locks].unlock();
  }

  CURL* take_handle()
  {
    const std::lock_guard guard(m_idle_mutex);
    if (m_idle.empty()) {
      return m_curl->easy_init();
    }
    CURL* h = m_idle.back();
    m_idle.pop_back();
    return h;
  }

  void return_handle(CURL* h)
  {
    m_curl->easy_reset(h);
    const std::lock_guard guard(m_idle_mutex);
    m_idle.push_back(h);
  }

  void configure(CURL* h, const Request& request, Transfer& transfer, curl_slist* headers) const;
  void log_request(const Request& request, const Response& response, std::string_view failure) const;

  static constexpr std::size_t k_locks = 8;
  TransportOptions m_options;
  const CurlApi* m_curl = nullptr; // null when libcurl could not be loaded: m_load_error says why
  std::string m_load_error;
  CURLSH* m_share = nullptr;
  std::array<std::mutex, k_locks> m_share_locks;
  std::mutex m_idle_mutex;
  std::vector<CURL*> m_idle;
  std::atomic<std::uint64_t> m_count{0};
};

void CurlTransport::configure(CURL* h, const Request& request, Transfer& transfer, curl_slist* headers) const
{
  m_curl->easy_setopt(h, CURLOPT_SHARE, m_share);
  m_curl->easy_setopt(h, CURLOPT_URL, request.url.c_str());
  m_curl->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  m_curl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  m_curl->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  m_curl->easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  m_curl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connect_timeout.count()));
  const auto timeout = request.timeout.count() > 0 ? std::min(request.timeout, m_options.request_timeout)
                                                   : m_options.request_timeout;
  m_curl->easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  m_curl->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, m_options.low_speed_bytes);
  m_curl->easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(m_options.low_speed_time.count()));
  m_curl->easy_setopt(h, CURLOPT_USERAGENT, m_options.user_agent.c_str());
  m_curl->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, nullptr); // digests are over the bytes as sent
  if (m_options.insecure_skip_tls_verify) {
    m_curl->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    m_curl->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!m_options.ca_file.empty()) {
    m_curl->easy_setopt(h, CURLOPT_CAINFO, m_options.ca_file.c_str());
  }
  m_curl->easy_setopt(h, CURLOPT_ERRORBUFFER, transfer.error_buffer.data());
  m_curl->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  m_curl->easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  m_curl->easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  m_curl->easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  m_curl->easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  if (request.method == "HEAD") {
    m_curl->easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    m_curl->easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.body_source) {
      m_curl->easy_setopt(h, CURLOPT_UPLOAD, 1L);
      m_curl->easy_setopt(h, CURLOPT_READFUNCTION, &on_read);
      m_curl->easy_setopt(h, CURLOPT_READDATA, &transfer);
      m_curl->easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_size));
    } else if (request.method != "DELETE" || !request.body.empty()) {
      m_curl->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      m_curl->easy_setopt(h, CURLOPT_POSTFIELDS, request.body.empty() ? "" : reinterpret_cast<const char*>(request.body.data()));
    }
  }
}

std::expected<Response, TransportError> CurlTransport::send(const Request& request)
{
  if (m_curl == nullptr) {
    return std::unexpected(TransportError{
      TransportFailure::other, Error{ErrorCode::registry, fmt::format("{} {}: {}", request.method, redact_url(request.url), m_load_error)}});
  }
  Response response;
  response.url = request.url;
  Transfer transfer{.request = &request, .response = &response};
  curl_slist* headers = m_curl->slist_append(nullptr, "Expect:");
  for (const auto& hdr : request.headers) {
    headers = m_curl->slist_append(headers, fmt::format("{}: {}", hdr.name, hdr.value).c_str());
  }
  CURL* h = take_handle();
  configure(h, request, transfer, headers);
  m_count.fetch_add(1);
  const CURLcode code = m_curl->easy_perform(h);
  curl_off_t micros = 0;
  m_curl->easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &micros);
  response.elapsed = std::chrono::milliseconds(micros / 1000);
  m_curl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return_handle(h);
  m_curl->slist_free_all(headers);
  if (code != CURLE_OK) {
    const TransportFailure failure = classify(code, transfer);
    log_request(request, response, m_curl->easy_strerror(code));
    if (failure == TransportFailure::sink && transfer.sink_error) {
      return std::unexpected(TransportError{failure, *transfer.sink_error});
    }
    // curl's own detail ("SSL certificate problem: unable to get local issuer certificate")
    // says more than the generic text of the code.
    std::string reason =
        util::to_lower(transfer.error_buffer[0] != '\0' ? transfer.error_buffer.data() : m_curl->easy_strerror(code));
    if (failure == TransportFailure::too_large) {
      const bool error_body = request.body_sink && (transfer.status < 200 || transfer.status >= 300);
      reason = fmt::format("response larger than the limit of {} bytes",
                           error_body ? k_max_error_body : request.max_response_bytes);
    } else if (failure == TransportFailure::tls_verification) {
      reason += tls_hint(reason, request.url);
    }
    return std::unexpected(TransportError{
      failure, Error{ErrorCode::registry, fmt::format("{} {}: {}", request.method, redact_url(request.url), reason)}});
  }
  log_request(request, response, "");
  return response;
}

void CurlTransport::log_request(const Request& request, const Response& response, std::string_view failure) const
{
  if (!m_options.log) {
    return;
  }
  const std::string status = failure.empty() ? std::to_string(response.status) : fmt::format("failed ({})", failure);
  m_options.log(fmt::format("{} {} {} {}B {}ms", request.method, redact_url(request.url), status, response.body_bytes,
                            response.elapsed.count()));
}

} // namespace

std::optional<std::string_view> Response::header(std::string_view name) const
{
  const std::string key = util::to_lower(name);
  for (const auto& h : headers) {
    if (h.name == key) {
      return h.value;
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> Response::headers_named(std::string_view name) const
{
  const std::string key = util::to_lower(name);
  std::vector<std::string_view> out;
  for (const auto& h : headers) {
    if (h.name == key) {
      out.emplace_back(h.value);
    }
  }
  return out;
}

std::string redact_url(std::string_view url)
{
  std::string out(url);
  // userinfo: scheme://user:pass@host -> scheme://***@host
  const auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const auto host_start = scheme_end + 3;
    const auto path_start = out.find('/', host_start);
    const auto at = out.find('@', host_start);
    if (at != std::string::npos && (path_start == std::string::npos || at < path_start)) {
      out.replace(host_start, at - host_start, "***");
    }
  }
  // query parameters that carry secrets
  const auto q = out.find('?');
  if (q == std::string::npos) {
    return out;
  }
  std::string query = out.substr(q + 1);
  std::string redacted;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    const auto amp = query.find('&', pos);
    std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    const auto eq = part.find('=');
    const std::string key = util::to_lower(part.substr(0, eq));
    static constexpr std::array k_secret_keys{"token", "access_token", "refresh_token", "password", "x-amz-signature",
                                              "x-amz-credential", "x-amz-security-token", "signature", "sig", "code"};
    if (eq != std::string::npos && std::find(k_secret_keys.begin(), k_secret_keys.end(), key) != k_secret_keys.end()) {
      part = part.substr(0, eq + 1) + "***";
    }
    redacted += (redacted.empty() ? "" : "&") + part;
    if (amp == std::string::npos) {
      break;
    }
    pos = amp + 1;
  }
  return out.substr(0, q + 1) + redacted;
}

std::unique_ptr<Transport> make_curl_transport(TransportOptions options)
{
  return std::make_unique<CurlTransport>(std::move(options));
}

util::JoiningThread preload_transport() noexcept
{
  try {
    return util::JoiningThread(std::thread([] {
      try {
        (void)load_curl(); // the same once-only initialiser the first transport waits on
      } catch (...) {      // NOLINT(bugprone-empty-catch): the first transport tries again and reports
      }
    }));
  } catch (...) { // no thread: the first transport loads libcurl itself
    return {};
  }
}

} // namespace sigil::http
