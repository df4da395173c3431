// registry::Client — operations of the OCI distribution API.
#include "sigil/registry/client.hpp"

#include "sigil/oci/digest.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/number.hpp"

#include <fmt/format.h>

#include <thread>

namespace sigil::registry {

namespace {

// Most get_blob reserves up front, whatever a descriptor declares.
constexpr std::uint64_t k_blob_reserve = std::uint64_t{1} << 20;

// Most tags list_tags collects over all pages.
constexpr std::size_t k_max_tags = 100'000;

std::string content_type_of(const Response& r)
{
  const auto ct = r.header("content-type").value_or("");
  return std::string(ct.substr(0, ct.find(';')));
}

} // namespace

Result<std::optional<FetchedManifest>> Client::find_manifest(const Repository& repo, const std::string& tag_or_digest)
{
  Call call{.method = "GET",
            .repo = repo,
            .path = "manifests/" + tag_or_digest,
            .headers = {{"Accept", std::string(oci::media_type::manifest_accept)}},
            .max_response_bytes = m_options.max_manifest_bytes};
  SIGIL_TRY_ASSIGN(auto resp, send(call));
  if (resp.status == 404) {
    return std::optional<FetchedManifest>{};
  }
  if (resp.status != 200) {
    return fail(status_error(call, resp));
  }
  FetchedManifest m;
  m.bytes = std::move(resp.body);
  if (auto requested = oci::parse_digest(tag_or_digest)) {
    if (const auto actual = oci::digest_mismatch(*requested, util::as_bytes(m.bytes))) {
      return fail(ErrorCode::registry, fmt::format("manifest {}@{} from the registry does not match its digest (the bytes "
                                                   "hash to {}): refusing it",
                                                   repo.name(), requested->str(), *actual));
    }
  }
  m.digest = oci::sha256_digest(m.bytes);
  auto shape = oci::manifest_shape(m.bytes, content_type_of(resp));
  if (!shape) {
    // Bytes the registry served as a manifest that are not one (not JSON, nested 100 000
    // levels deep, ...): a registry failure (exit 20, like a manifest over the size cap), not
    // a bad input file of the user's (bad_input, exit 30).
    return fail(ErrorCode::registry, fmt::format("manifest {}:{} from the registry is unreadable: {}", repo.name(),
                                                 tag_or_digest, shape.error().message));
  }
  m.kind = shape->kind;
  m.media_type = std::move(shape->media_type);
  if (shape->image) {
    m.image = std::make_shared<const oci::Manifest>(std::move(*shape->image));
  }
  return std::optional<FetchedManifest>(std::move(m));
}

Result<oci::Manifest> image_manifest(const FetchedManifest& found)
{
  if (found.image) {
    return *found.image;
  }
  return oci::parse_manifest(found.bytes);
}

Result<FetchedManifest> Client::get_manifest(const oci::Reference& ref)
{
  SIGIL_TRY_ASSIGN(auto m, find_manifest(Repository::of(ref), ref.identifier()));
  if (!m) {
    return fail(ErrorCode::not_found, fmt::format("image {} not found", ref.str()));
  }
  return std::move(*m);
}

Result<ResolvedDescriptor> Client::resolve(const oci::Reference& ref)
{
  const auto repo = Repository::of(ref);
  Call call{.method = "HEAD",
            .repo = repo,
            .path = "manifests/" + ref.identifier(),
            .headers = {{"Accept", std::string(oci::media_type::manifest_accept)}}};
  SIGIL_TRY_ASSIGN(auto resp, send(call));
  if (resp.status == 404) {
    return fail(ErrorCode::not_found, fmt::format("image {} not found", ref.str()));
  }
  if (resp.status == 200) {
    if (const auto header = resp.header("docker-content-digest")) {
      auto digest = oci::parse_digest(*header);
      const bool matches = !ref.digest() || (digest && *digest == *ref.digest());
      // A size the registry states must be a plain number within the manifest cap; anything
      // else is no usable answer, and the manifest is fetched and hashed instead.
      const auto length = resp.header("content-length");
      const auto size = length ? util::parse_uint(*length, m_options.max_manifest_bytes) : std::optional<std::uint64_t>{0};
      if (digest && matches && digest->algorithm == oci::DigestAlgorithm::sha256 && size) {
        return ResolvedDescriptor{*digest, content_type_of(resp), static_cast<std::int64_t>(*size)};
      }
    }
  } else if (resp.status != 405 && resp.status != 400) {
    return fail(status_error(call, resp));
  }
  // No usable digest header (or HEAD refused): fetch and hash the bytes.
  SIGIL_TRY_ASSIGN(auto m, get_manifest(ref));
  return ResolvedDescriptor{m.digest, m.media_type, static_cast<std::int64_t>(m.bytes.size())};
}

Result<oci::Digest> Client::put_manifest(const Repository& repo, const std::string& tag_or_digest,
                                         std::string_view bytes, std::string_view media_type)
{
  const oci::Digest digest = oci::sha256_digest(bytes);
  if (auto requested = oci::parse_digest(tag_or_digest); requested && !(*requested == digest)) {
    return fail(ErrorCode::internal, "put_manifest: bytes do not match the digest they are put under");
  }
  Call call{.method = "PUT",
            .repo = repo,
            .access = Access::push,
            .path = "manifests/" + tag_or_digest,
            .headers = {{"Content-Type", std::string(media_type)}},
            .body = util::as_bytes(bytes)};
  // A PUT by digest is content-addressed, so repeating it is harmless, and we hashed the bytes
  // ourselves: a 400 DIGEST_INVALID (or a 500) can only be the registry's own transient state.
  // distribution's filesystem driver answers so while a concurrent writer rewrites the link
  // file of a blob this manifest references (every referrer shares the empty config blob).
  // A few short, jittered retries; by tag, the callers' read-merge-write loops retry instead.
  const bool by_digest = oci::parse_digest(tag_or_digest).has_value();
  auto resp = send(call);
  for (int attempt = 1; by_digest && attempt <= 3 && resp && transient_put_failure(*resp); ++attempt) {
    std::this_thread::sleep_for(std::min(backoff(attempt, nullptr), std::chrono::milliseconds(1'000)));
    resp = send(call);
  }
  if (!resp) {
    return fail(resp.error());
  }
  if (resp->status != 201 && resp->status != 200) {
    return fail(status_error(call, *resp));
  }
  return digest;
}

Result<void> Client::delete_manifest(const Repository& repo, const oci::Digest& digest)
{
  Call call{.method = "DELETE", .repo = repo, .access = Access::delete_, .path = "manifests/" + digest.str()};
  SIGIL_TRY_ASSIGN(auto resp, send(call));
  if (resp.status != 202 && resp.status != 200) {
    return fail(status_error(call, resp));
  }
  return {};
}

Result<bool> Client::blob_exists(const Repository& repo, const oci::Digest& digest)
{
  Call call{.method = "HEAD", .repo = repo, .path = "blobs/" + digest.str(), .follow_redirects = true};
  SIGIL_TRY_ASSIGN(auto resp, send(call));
  if (resp.status == 200) {
    return true;
  }
  if (resp.status == 404) {
    return false;
  }
  return fail(status_error(call, resp));
}

Result<void> Client::get_blob_to(const Repository& repo, const oci::Descriptor& blob,
                                 const std::function<Result<void>(util::ByteView)>& sink)
{
  oci::DigestCheck check(blob.digest);
  Call call{.method = "GET",
            .repo = repo,
            .path = "blobs/" + blob.digest.str(),
            .follow_redirects = true,
            // One byte over the descriptor is let through so that an oversized blob is told
            // apart (bad content, bad_input) from a transport failure.
            .max_response_bytes = static_cast<std::uint64_t>(blob.size) + 1,
            .body_sink = [&, received = std::uint64_t{0}](util::ByteView chunk) mutable -> Result<void> {
              received += chunk.size();
              if (received > static_cast<std::uint64_t>(blob.size)) {
                return fail(ErrorCode::bad_input, fmt::format("blob {} in {} is larger than its descriptor says ({} bytes)",
                                                              blob.digest.str(), repo.name(), blob.size));
              }
              check.update(chunk);
              return sink(chunk);
            }};
  auto resp = send(call);
  if (!resp) {
    return fail(resp.error().context(fmt::format("fetching blob {}", blob.digest.str())));
  }
  if (resp->status != 200) {
    return fail(status_error(call, *resp));
  }
  if (resp->body_bytes != static_cast<std::uint64_t>(blob.size)) {
    return fail(ErrorCode::bad_input, fmt::format("blob {} in {} has {} bytes, its descriptor says {}", blob.digest.str(),
                                                 repo.name(), resp->body_bytes, blob.size));
  }
  if (const auto actual = check.mismatch()) {
    return fail(ErrorCode::bad_input, fmt::format("blob {} in {} does not match its digest (the bytes hash to {})",
                                                 blob.digest.str(), repo.name(), *actual));
  }
  return {};
}

Result<std::string> Client::get_blob(const Repository& repo, const oci::Descriptor& blob, std::uint64_t max_bytes)
{
  if (blob.size < 0) {
    return fail(ErrorCode::bad_input,
                fmt::format("blob {} in {} declares a negative size ({})", blob.digest.str(), repo.name(), blob.size));
  }
  if (static_cast<std::uint64_t>(blob.size) > max_bytes) {
    return fail(ErrorCode::bad_input, fmt::format("blob {} in {} declares {} bytes, over the limit of {}",
                                                 blob.digest.str(), repo.name(), blob.size, max_bytes));
  }
  // The declared size is the registry's word, not memory we owe it: reserve a little and grow
  // as bytes arrive (never more than max_bytes + 1, the transfer's own cap).
  std::string out;
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(blob.size), k_blob_reserve)));
  SIGIL_TRY(get_blob_to(repo, blob, [&](util::ByteView chunk) -> Result<void> {
    out.append(util::as_chars(chunk));
    return {};
  }));
  return out;
}

Result<std::vector<std::string>> Client::list_tags(const Repository& repo)
{
  std::vector<std::string> tags;
  std::string path = "tags/list?n=1000";
  for (int page = 0; page < m_options.max_pages; ++page) {
    Call call{.method = "GET", .repo = repo, .path = path};
    SIGIL_TRY_ASSIGN(auto resp, send(call));
    if (resp.status == 404) {
      return tags; // repository without tags
    }
    if (resp.status != 200) {
      return fail(status_error(call, resp));
    }
    auto doc = util::parse_json(resp.body);
    if (!doc || !doc->is_object()) {
      return fail(ErrorCode::registry, fmt::format("tag list of {} is not JSON", repo.name()));
    }
    if (doc->contains("tags") && (*doc)["tags"].is_array()) {
      for (const auto& t : (*doc)["tags"]) {
        // Pages are bounded in bytes and count, but not their sum: a registry that ignores
        // `n` and links to page after page would make us hold 1000 x 4 MiB of tags (§3.5).
        if (!t.is_string()) {
          continue;
        }
        if (tags.size() >= k_max_tags) {
          return fail(ErrorCode::registry, fmt::format("tag list of {} has more than {} tags", repo.name(), k_max_tags));
        }
        tags.push_back(t.get<std::string>());
      }
    }
    auto next = next_link(resp);
    if (!next) {
      return fail(next.error().context(fmt::format("tag list of {}", repo.name())));
    }
    if (!*next) {
      return tags;
    }
    path = std::move(**next); // absolute: send() applies the origin rule to it
  }
  return fail(ErrorCode::registry, fmt::format("tag list of {} has more than {} pages", repo.name(), m_options.max_pages));
}

} // namespace sigil::registry
