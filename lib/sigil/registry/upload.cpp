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

using Attempt = std::expected<void, UploadFailure>;

std::unexpected<UploadFailure> refused(const Client::Call& call, const Response& response)
{
  return std::unexpected(
      UploadFailure{Client::status_error(call, response), response.status == 429 || response.status >= 500});
}

std::unexpected<UploadFailure> unsent(const Error& error)
{
  return std::unexpected(UploadFailure{error, error.code == ErrorCode::registry});
}

struct Upload {
  const Repository& repo;
  const oci::Digest& digest;
  util::ByteView data;
  const Repository& mount_source;
  const ClientOptions& options;
};

// PATCHes every chunk but the rest sent with the closing PUT; advances location and offset.
Attempt patch_chunks(Client& client, const Upload& u, std::string& location, std::size_t& offset)
{
  while (offset < u.data.size()) {
    const std::size_t n = std::min<std::size_t>(u.options.chunk_size, u.data.size() - offset);
    Client::Call patch{.method = "PATCH",
                       .repo = u.repo,
                       .access = Access::push,
                       .path = location,
                       .headers = {{"Content-Type", "application/octet-stream"},
                                   {"Content-Range", fmt::format("{}-{}", offset, offset + n - 1)}},
                       .body = u.data.subspan(offset, n),
                       .idempotent = false};
    auto r = client.send(patch);
    if (!r) {
      return unsent(r.error());
    }
    if (r->status != 202 || !r->header("location")) {
      return refused(patch, *r);
    }
    location = absolute_location(client, u.repo, *r->header("location"));
    offset += n;
  }
  return {};
}

// One whole upload. A mount request doubles as the existence check: 201 when the blob is
// already in the source repository (this one, unless told otherwise), else 202 and an upload
// session. One round trip instead of HEAD + POST.
Attempt upload_once(Client& client, const Upload& u)
{
  const std::string start = fmt::format("blobs/uploads/?mount={}&from={}", u.digest.str(), u.mount_source.path);
  Client::Call post{.method = "POST", .repo = u.repo, .access = Access::push, .path = start, .idempotent = false};
  auto resp = client.send(post);
  if (!resp) {
    return unsent(resp.error());
  }
  if (resp->status == 201) {
    return {}; // mounted
  }
  if (resp->status != 202 || !resp->header("location")) {
    return refused(post, *resp);
  }
  std::string location = absolute_location(client, u.repo, *resp->header("location"));
  std::size_t offset = 0;
  if (u.data.size() > u.options.chunked_upload_threshold) {
    if (auto ok = patch_chunks(client, u, location, offset); !ok) {
      return ok;
    }
  }
  Client::Call put{.method = "PUT",
                   .repo = u.repo,
                   .access = Access::push,
                   .path = append_query(location, "digest=" + u.digest.str()),
                   .headers = {{"Content-Type", "application/octet-stream"}},
                   .body = u.data.subspan(offset),
                   .idempotent = false};
  auto r = client.send(put);
  if (!r) {
    return unsent(r.error());
  }
  if (r->status != 201 && r->status != 204) {
    return refused(put, *r);
  }
  return {};
}

struct StreamUpload {
  const Repository& repo;
  const oci::Descriptor& blob;
  const BlobOpener& open;
  const std::optional<Repository>& mount_source;
};

std::expected<BlobTransfer, UploadFailure> stream_once(Client& client, const StreamUpload& u)
{
  const std::string start = u.mount_source ? fmt::format("blobs/uploads/?mount={}&from={}", u.blob.digest.str(),
                                                          u.mount_source->path)
                                           : std::string("blobs/uploads/");
  Client::Call post{.method = "POST", .repo = u.repo, .access = Access::push, .path = start, .idempotent = false};
  if (u.mount_source) {
    post.scope = scope_for(u.repo, Access::push) + " " + scope_for(*u.mount_source, Access::pull);
  }
  auto resp = client.send(post);
  if (!resp) {
    return unsent(resp.error());
  }
  if (resp->status == 201 && u.mount_source) {
    return BlobTransfer::mounted;
  }
  if (resp->status != 202 || !resp->header("location")) {
    return refused(post, *resp);
  }
  auto source = u.open();
  if (!source) {
    return unsent(source.error());
  }
  const std::string location = absolute_location(client, u.repo, *resp->header("location"));
  Client::Call put{.method = "PUT",
                   .repo = u.repo,
                   .access = Access::push,
                   .path = append_query(location, "digest=" + u.blob.digest.str()),
                   .headers = {{"Content-Type", "application/octet-stream"}},
                   .idempotent = false,
                   .body_source = std::move(*source),
                   .body_size = static_cast<std::uint64_t>(u.blob.size),
                   .scope = post.scope}; // the token the POST was given: a 401 here cannot resend
  auto r = client.send(put);
  if (!r) {
    return unsent(r.error());
  }
  if (r->status != 201 && r->status != 204) {
    return refused(put, *r);
  }
  return BlobTransfer::uploaded;
}

} // namespace

Result<BlobTransfer> Client::put_blob_stream(const Repository& repo, const oci::Descriptor& blob,
                                             const BlobOpener& open, const std::optional<Repository>& mount_from)
{
  std::optional<Repository> source;
  if (mount_from && mount_from->registry == repo.registry) {
    source = *mount_from;
  }
  const StreamUpload upload{.repo = repo, .blob = blob, .open = open, .mount_source = source};
  const auto started = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    auto done = stream_once(*this, upload);
    if (done) {
      return *done;
    }
    const bool time_left = std::chrono::steady_clock::now() - started < m_options.retry.max_total;
    if (!done.error().retryable || attempt + 1 >= m_options.retry.max_attempts || !time_left) {
      return fail(done.error().error.context(fmt::format("copying blob {} to {}", blob.digest.str(), repo.name())));
    }
    std::this_thread::sleep_for(backoff(attempt, nullptr));
  }
}

Result<void> Client::put_blob(const Repository& repo, const oci::Digest& digest, util::ByteView data,
                              const std::optional<Repository>& mount_from)
{
  const Repository& source = mount_from && mount_from->registry == repo.registry ? *mount_from : repo;
  const Upload upload{.repo = repo, .digest = digest, .data = data, .mount_source = source, .options = m_options};
  const auto started = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    auto ok = upload_once(*this, upload);
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
