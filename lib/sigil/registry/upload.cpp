// registry::Client — blob upload: existence check, cross-repository mount, monolithic
// POST+PUT, or chunked PATCHes above the threshold. A failed upload restarts as a whole.
#include "sigil/registry/client.hpp"

#include <fmt/format.h>

#include <thread>

namespace sigil::registry {

namespace {

std::string append_query(const std::string& url, std::string_view param)
{
  return url + (url.find('?') == std::string::npos ? "?" : "&") + std::string(param);
}

std::string absolute_location(Client& client, const Repository& repo, std::string_view location)
{
  if (location.find("://") != std::string_view::npos) {
    return std::string(location);
  }
  if (location.starts_with("/")) {
    return client.base_url(repo.registry) + std::string(location);
  }
  return fmt::format("{}/v2/{}/blobs/uploads/{}", client.base_url(repo.registry), repo.path, location);
}

struct UploadFailure {
  Error error;
  bool retryable = false;
};

} // namespace

Result<void> Client::put_blob(const Repository& repo, const oci::Digest& digest, util::ByteView data,
                              const std::optional<Repository>& mount_from)
{
  auto once = [&]() -> std::expected<void, UploadFailure> {
    const auto failed = [](const Call& c, const Response& r) {
      const Error e = status_error(c, r);
      return std::unexpected(UploadFailure{e, r.status == 429 || r.status >= 500});
    };
    // A mount request doubles as the existence check: 201 when the blob is already in the
    // source repository (here: this one, unless told otherwise), else 202 and an upload
    // session. One round trip instead of HEAD + POST.
    const Repository& source =
      mount_from && mount_from->registry == repo.registry ? *mount_from : repo;
    const std::string start = fmt::format("blobs/uploads/?mount={}&from={}", digest.str(), source.path);
    Call post{.method = "POST", .repo = repo, .access = Access::push, .path = start, .idempotent = false};
    auto resp = send(post);
    if (!resp) {
      return std::unexpected(UploadFailure{resp.error(), resp.error().code == ErrorCode::registry});
    }
    if (resp->status == 201) {
      return {}; // mounted
    }
    if (resp->status != 202 || !resp->header("location")) {
      return failed(post, *resp);
    }
    std::string location = absolute_location(*this, repo, *resp->header("location"));
    std::size_t offset = 0;
    if (data.size() > m_options.chunked_upload_threshold) {
      while (offset < data.size()) {
        const std::size_t n = std::min<std::size_t>(m_options.chunk_size, data.size() - offset);
        Call patch{.method = "PATCH",
                   .repo = repo,
                   .access = Access::push,
                   .path = location,
                   .headers = {{"Content-Type", "application/octet-stream"},
                               {"Content-Range", fmt::format("{}-{}", offset, offset + n - 1)}},
                   .body = data.subspan(offset, n),
                   .idempotent = false};
        auto r = send(patch);
        if (!r) {
          return std::unexpected(UploadFailure{r.error(), r.error().code == ErrorCode::registry});
        }
        if (r->status != 202 || !r->header("location")) {
          return failed(patch, *r);
        }
        location = absolute_location(*this, repo, *r->header("location"));
        offset += n;
      }
    }
    Call put{.method = "PUT",
             .repo = repo,
             .access = Access::push,
             .path = append_query(location, "digest=" + digest.str()),
             .headers = {{"Content-Type", "application/octet-stream"}},
             .body = data.subspan(offset),
             .idempotent = false};
    auto r = send(put);
    if (!r) {
      return std::unexpected(UploadFailure{r.error(), r.error().code == ErrorCode::registry});
    }
    if (r->status != 201 && r->status != 204) {
      return failed(put, *r);
    }
    return {};
  };
  const auto started = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    auto ok = once();
    if (ok) {
      return {};
    }
    const bool time_left = std::chrono::steady_clock::now() - started < m_options.retry.max_total;
    if (!ok.error().retryable || attempt + 1 >= m_options.retry.max_attempts || !time_left) {
      return fail(ok.error().error.context(fmt::format("uploading blob {} to {}", digest.str(), repo.name())));
    }
    std::this_thread::sleep_for(backoff(attempt, nullptr));
  }
}

} // namespace sigil::registry
