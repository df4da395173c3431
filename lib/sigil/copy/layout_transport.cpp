#include "sigil/copy/layout_transport.hpp"

#include "sigil/copy/layout_store.hpp"
#include "sigil/oci/layout.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <mutex>
#include <vector>

namespace sigil::copy {

namespace {

constexpr std::size_t k_chunk = std::size_t{256} << 10;

http::Response answer(const http::Request& req, long status, std::string body, std::string content_type = "")
{
  http::Response r;
  r.status = status;
  r.url = req.url;
  if (!content_type.empty()) {
    r.headers.push_back({"content-type", std::move(content_type)});
  }
  r.body_bytes = body.size();
  if (req.method != "HEAD") {
    r.body = std::move(body);
  }
  return r;
}

http::Response error(const http::Request& req, long status, std::string_view code, std::string_view message)
{
  return answer(req, status,
                fmt::format(R"({{"errors":[{{"code":"{}","message":"{}"}}]}})", code, message), "application/json");
}

// "/v2/<repo>/<kind>/<rest>" split at the last API keyword.
struct Route {
  std::string kind; // "", manifests, blobs, referrers, tags
  std::string rest;
};

Route route(std::string_view url)
{
  const auto v2 = url.find("/v2/");
  if (v2 == std::string_view::npos) {
    return {"?", ""};
  }
  std::string_view path = url.substr(v2 + 4);
  path = path.substr(0, path.find('?'));
  if (path.empty()) {
    return {"", ""};
  }
  for (const std::string_view kind : {"/manifests/", "/blobs/", "/referrers/", "/tags/"}) {
    const auto at = path.rfind(kind);
    if (at != std::string_view::npos) {
      return {std::string(kind.substr(1, kind.size() - 2)), std::string(path.substr(at + kind.size()))};
    }
  }
  return {"?", ""};
}

// What layout_transport gives when the layout cannot be served: every request fails, with why.
class RefusingTransport final : public http::Transport {
public:
  explicit RefusingTransport(Error why) : m_why(std::move(why)) {}

  std::expected<http::Response, http::TransportError> send(const http::Request&) override
  {
    ++m_count;
    return std::unexpected(http::TransportError{http::TransportFailure::other, m_why});
  }

  std::uint64_t request_count() const override { return m_count; }

private:
  Error m_why;
  std::atomic<std::uint64_t> m_count{0};
};

class LayoutTransport final : public http::Transport {
public:
  LayoutTransport(std::unique_ptr<Store> store, oci::Layout layout) : m_store(std::move(store)), m_layout(std::move(layout)) {}

  std::expected<http::Response, http::TransportError> send(const http::Request& req) override
  {
    ++m_count;
    const std::lock_guard lock(m_mutex);
    if (req.method != "GET" && req.method != "HEAD") {
      return error(req, 405, "UNSUPPORTED", "an OCI layout given with --local is read-only");
    }
    const Route r = route(req.url);
    auto resp = r.kind == "" ? Result<http::Response>(answer(req, 200, "{}", "application/json"))
              : r.kind == "manifests" ? manifest(req, r.rest)
              : r.kind == "blobs"     ? blob(req, r.rest)
              : r.kind == "referrers" ? referrers(req, r.rest)
              : r.kind == "tags"      ? Result<http::Response>(error(req, 404, "NAME_UNKNOWN", "no tag listing"))
                                      : Result<http::Response>(error(req, 404, "NOT_FOUND", "not an API path"));
    if (!resp) {
      return std::unexpected(http::TransportError{http::TransportFailure::other, resp.error()});
    }
    return std::move(*resp);
  }

  std::uint64_t request_count() const override { return m_count; }

private:
  Result<std::optional<StoredManifest>> lookup(const std::string& ref)
  {
    // cosign's tags: also as cosign save names them (by `kind`, for its one image).
    for (const auto kind : {attachments::TagKind::signatures, attachments::TagKind::attestations,
                            attachments::TagKind::sboms}) {
      const std::string suffix = "." + std::string(attachments::tag_suffix(kind));
      if (ref.starts_with("sha256-") && ref.ends_with(suffix)) {
        auto image = oci::parse_digest("sha256:" + ref.substr(7, ref.size() - 7 - suffix.size()));
        if (image) {
          return m_store->attachment_tag(*image, kind);
        }
      }
    }
    return m_store->find_manifest(ref);
  }

  Result<http::Response> manifest(const http::Request& req, const std::string& ref)
  {
    SIGIL_TRY_ASSIGN(auto found, lookup(ref));
    if (!found) {
      return error(req, 404, "MANIFEST_UNKNOWN", "manifest unknown");
    }
    auto resp = answer(req, 200, std::move(found->bytes), found->media_type);
    resp.headers.push_back({"docker-content-digest", found->digest.str()});
    return resp;
  }

  Result<http::Response> blob(const http::Request& req, const std::string& ref)
  {
    auto digest = oci::parse_digest(ref);
    if (!digest) {
      return error(req, 404, "BLOB_UNKNOWN", "blob unknown");
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(m_layout.blob_path(*digest), ec);
    if (ec) {
      return error(req, 404, "BLOB_UNKNOWN", "blob unknown");
    }
    http::Response resp = answer(req, 200, "", "application/octet-stream");
    resp.headers.push_back({"docker-content-digest", digest->str()});
    resp.headers.push_back({"content-length", std::to_string(size)});
    if (req.method == "HEAD") {
      return resp;
    }
    oci::Descriptor d{.media_type = {}, .digest = *digest, .size = static_cast<std::int64_t>(size)};
    SIGIL_TRY_ASSIGN(auto reader, oci::BlobReader::open(m_layout, d));
    std::vector<std::uint8_t> buffer(k_chunk);
    for (;;) {
      SIGIL_TRY_ASSIGN(const std::size_t n, reader.read(buffer));
      if (n == 0) {
        return resp;
      }
      if (resp.body_bytes + n > req.max_response_bytes) {
        return fail(ErrorCode::registry, fmt::format("GET {}: response larger than the limit of {} bytes", req.url,
                                                     req.max_response_bytes));
      }
      resp.body_bytes += n;
      const util::ByteView chunk(buffer.data(), n);
      if (req.body_sink) {
        SIGIL_TRY(req.body_sink(chunk));
      } else {
        resp.body.append(util::as_chars(chunk));
      }
    }
  }

  Result<http::Response> referrers(const http::Request& req, const std::string& ref)
  {
    SIGIL_TRY_ASSIGN(auto digest, oci::parse_digest(ref));
    SIGIL_TRY_ASSIGN(auto listed, m_store->referrers(digest));
    oci::Index index{.media_type = std::string(oci::media_type::oci_index), .manifests = std::move(listed)};
    return answer(req, 200, oci::serialize_index(index), std::string(oci::media_type::oci_index));
  }

  std::unique_ptr<Store> m_store;
  oci::Layout m_layout;
  std::mutex m_mutex;
  std::atomic<std::uint64_t> m_count{0};
};

} // namespace

std::unique_ptr<http::Transport> layout_transport(const std::filesystem::path& dir)
{
  auto store = open_layout_store(dir);
  auto layout = store ? oci::Layout::open(dir) : Result<oci::Layout>(fail(store.error()));
  if (!layout) {
    return std::make_unique<RefusingTransport>(layout.error());
  }
  return std::make_unique<LayoutTransport>(std::move(*store), std::move(*layout));
}

} // namespace sigil::copy
