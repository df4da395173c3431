// sigil::registry::Client — the OCI distribution API over one Transport.
//
// Every request goes through Client::send, which owns all request policy in one place:
// scheme choice (https; plain http for loopback hosts or with --allow-http-registry), auth
// (cached token per scope, one re-authentication on 401), retries of idempotent requests
// (connection errors, 429, 502, 503, 504) with capped, jittered exponential backoff that
// honours Retry-After, and redirects (Authorization never follows to another host).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/manifest.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/auth.hpp"
#include "sigil/registry/http_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sigil::registry {

struct RetryPolicy {
  int max_attempts = 5; // first try included
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5'000};
  std::chrono::milliseconds max_retry_after{30'000}; // Retry-After above this is capped
  std::chrono::milliseconds max_total{120'000};      // no new attempt after this
};

struct ClientOptions {
  bool allow_http = false; // --allow-http-registry: plain HTTP to any host
  RetryPolicy retry;
  std::uint64_t max_manifest_bytes = std::uint64_t{4} << 20;
  std::uint64_t chunked_upload_threshold = std::uint64_t{64} << 20;
  std::uint64_t chunk_size = std::uint64_t{16} << 20;
  int max_redirects = 5;
  int max_pages = 1000; // tag list and referrers pagination
};

enum class Access { pull, push, delete_ };

// A repository in a registry: what requests are addressed to.
struct Repository {
  std::string registry; // as in references: index.docker.io, 127.0.0.1:5000
  std::string path;     // library/alpine

  [[nodiscard]] static Repository of(const oci::Reference& ref) { return {ref.registry(), ref.repository()}; }
  [[nodiscard]] std::string name() const { return registry + "/" + path; }
};

struct FetchedManifest {
  std::string bytes;        // exactly as received
  std::string media_type;   // from the document, else Content-Type
  oci::Digest digest;       // sha256 of bytes (checked against the requested digest)
  oci::ManifestKind kind = oci::ManifestKind::image;
  // The image manifest parsed from bytes when it was fetched (shared by copies); unset for an
  // index or a manifest oci::parse_manifest refuses. Read it through image_manifest().
  std::shared_ptr<const oci::Manifest> image;
};

// found's image manifest: the one parsed when it was fetched, else oci::parse_manifest(bytes)
// (whose error says why it is not one). The bytes are parsed once per fetch, not per reader.
[[nodiscard]] Result<oci::Manifest> image_manifest(const FetchedManifest& found);

struct ResolvedDescriptor {
  oci::Digest digest;
  std::string media_type;
  std::int64_t size = 0;
};

// A blob's bytes pulled in pieces: fills the buffer, returns how many bytes (0 at the end).
using BlobSource = std::function<Result<std::size_t>(std::span<std::uint8_t>)>;
// Opens a fresh source of the same bytes (once per upload attempt).
using BlobOpener = std::function<Result<BlobSource>()>;
enum class BlobTransfer { mounted, uploaded };

struct ReferrersResult {
  oci::Index index;
  bool api = false; // true: referrers API; false: tag-schema fallback (sha256-<hex>)
};

class Client {
public:
  Client(Transport& transport, Authenticator& auth, ClientOptions options);

  // Tag or digest -> descriptor: HEAD (with manifest Accept types), GET when HEAD gives no
  // Docker-Content-Digest. 404 is ErrorCode::not_found.
  [[nodiscard]] Result<ResolvedDescriptor> resolve(const oci::Reference& ref);
  // Manifest bytes by tag or digest; by digest, the bytes must hash to it.
  [[nodiscard]] Result<FetchedManifest> get_manifest(const oci::Reference& ref);
  // nullopt when the registry answers 404.
  [[nodiscard]] Result<std::optional<FetchedManifest>> find_manifest(const Repository& repo, const std::string& tag_or_digest);
  // PUT by tag or digest; returns the digest of the bytes.
  [[nodiscard]] Result<oci::Digest> put_manifest(const Repository& repo, const std::string& tag_or_digest,
                                                 std::string_view bytes, std::string_view media_type);
  [[nodiscard]] Result<void> delete_manifest(const Repository& repo, const oci::Digest& digest);

  [[nodiscard]] Result<bool> blob_exists(const Repository& repo, const oci::Digest& digest);
  // Whole blob in memory, at most max_bytes; digest and size checked. Content that does not
  // match its descriptor is ErrorCode::bad_input (an integrity failure, not a transport one).
  [[nodiscard]] Result<std::string> get_blob(const Repository& repo, const oci::Descriptor& blob, std::uint64_t max_bytes);
  // Streams a blob to sink; digest checked at the end (the sink must not act before).
  [[nodiscard]] Result<void> get_blob_to(const Repository& repo, const oci::Descriptor& blob,
                                         const std::function<Result<void>(util::ByteView)>& sink);
  // Uploads unless present: a POST with ?mount= (from `mount_from`, else this repository)
  // answers 201 when the blob is there already; otherwise monolithic PUT, or chunked PATCHes
  // above the threshold.
  [[nodiscard]] Result<void> put_blob(const Repository& repo, const oci::Digest& digest, util::ByteView data,
                                      const std::optional<Repository>& mount_from = std::nullopt);

  // Streams a blob up from a source opened once per attempt (an attempt that fails before the
  // registry took the blob starts over from a fresh source): a POST with ?mount=&from= when
  // `mount_from` is in the same registry (201: mounted, nothing sent), else a plain POST; then
  // one PUT whose body is pulled from the source. Never holds the blob in memory.
  [[nodiscard]] Result<BlobTransfer> put_blob_stream(const Repository& repo, const oci::Descriptor& blob,
                                                     const BlobOpener& open,
                                                     const std::optional<Repository>& mount_from = std::nullopt);

  [[nodiscard]] Result<std::vector<std::string>> list_tags(const Repository& repo);
  // Referrers of a digest, from the API or the sha256-<hex> fallback tag.
  [[nodiscard]] Result<ReferrersResult> referrers(const Repository& repo, const oci::Digest& subject,
                                                  const std::optional<std::string>& artifact_type = std::nullopt);

  // GET /v2/ with authentication (what `sigil login` checks before saving credentials).
  [[nodiscard]] Result<void> ping(const std::string& registry);

  [[nodiscard]] Transport& transport() { return m_transport; }

  // --- the request layer, public for operations built elsewhere ---
  struct Call {
    std::string method = "GET";
    Repository repo;
    Access access = Access::pull;
    std::string path; // after /v2/<repo>/, e.g. "manifests/latest"; or an absolute URL
    std::vector<Header> headers;
    util::ByteView body;
    bool idempotent = true;
    bool follow_redirects = false;
    std::uint64_t max_response_bytes = std::uint64_t{4} << 20;
    std::function<Result<void>(util::ByteView)> body_sink;
    // A streamed request body (see http::Request::body_source); a request whose source was
    // read from is never sent again (no retry, no re-authentication).
    std::function<Result<std::size_t>(std::span<std::uint8_t>)> body_source;
    std::uint64_t body_size = 0;
    std::optional<std::string> scope; // default: scope_for(repo, access)
  };
  // Sends with scheme choice, auth, retries and redirects. Returns any HTTP response;
  // Error only when no response could be had (ErrorCode::registry / auth).
  [[nodiscard]] Result<Response> send(const Call& call);
  // The error for an unexpected status: 404 not_found, 401/403 auth, others registry.
  [[nodiscard]] static Error status_error(const Call& call, const Response& response);
  [[nodiscard]] std::string base_url(const std::string& registry);

private:
  [[nodiscard]] std::string api_host(const std::string& registry) const;
  [[nodiscard]] bool http_allowed(const std::string& registry) const;
  [[nodiscard]] std::string scheme_for(const std::string& registry);
  void set_scheme(const std::string& registry, std::string scheme);
  [[nodiscard]] std::chrono::milliseconds backoff(int attempt, const Response* response) const;
  // 500, or 400 DIGEST_INVALID: what a registry with non-atomic storage answers a PUT that
  // races a concurrent writer (see put_manifest).
  [[nodiscard]] static bool transient_put_failure(const Response& response);

  // send() in steps over one SendState (client.cpp). A step that returns a Next ends the
  // call with it; an empty Next means "send the request again".
  struct SendState;
  using Next = std::optional<Result<Response>>;
  [[nodiscard]] Result<void> start(SendState& s);
  [[nodiscard]] std::string call_url(const SendState& s);
  void prepare_request(SendState& s);
  void switch_scheme(SendState& s, std::string scheme);
  [[nodiscard]] bool may_probe_https(const SendState& s);
  [[nodiscard]] bool wait_for_retry(SendState& s, const Response* response) const;
  [[nodiscard]] Next on_transport_error(SendState& s, TransportError err);
  [[nodiscard]] Next on_response(SendState& s, Response resp);
  [[nodiscard]] Next on_redirect(SendState& s, Response resp);

  Transport& m_transport;
  Authenticator& m_auth;
  ClientOptions m_options;
  std::mutex m_scheme_mutex;
  std::map<std::string, std::string> m_schemes;
};

// Next page URL from a Link header (<url>; rel="next"), resolved against the URL that answered
// (nullopt: no next page). Client::send applies the origin rule when it is requested.
[[nodiscard]] Result<std::optional<std::string>> next_link(const Response& response);

// "repository:<path>:pull" etc.
[[nodiscard]] std::string scope_for(const Repository& repo, Access access);

} // namespace sigil::registry
