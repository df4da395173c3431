// registry::Client — referrers: the OCI 1.1 API, or the tag-schema fallback index
// (sha256-<hex>) when the registry has no API (404, 405, an HTML page, anything not an
// OCI index). Server errors and a lasting 429 are not taken for "no API": they fail after retries.
#include "sigil/registry/client.hpp"

#include "sigil/oci/media_types.hpp"

#include <fmt/format.h>

namespace sigil::registry {

namespace {

bool is_index_content(const Response& r)
{
  const auto ct = r.header("content-type").value_or("");
  return ct.starts_with(oci::media_type::oci_index) || ct.starts_with("application/json");
}

void filter_by_artifact_type(oci::Index& index, const std::string& artifact_type)
{
  std::erase_if(index.manifests, [&](const oci::Descriptor& d) { return d.artifact_type != artifact_type; });
}

// No referrers API: the index tagged sha256-<hex>, if there is one.
Result<ReferrersResult> fallback_referrers(Client& client, const Repository& repo, const oci::Digest& subject,
                                           const std::optional<std::string>& artifact_type)
{
  ReferrersResult result;
  result.index.media_type = std::string(oci::media_type::oci_index);
  SIGIL_TRY_ASSIGN(const auto fallback, client.find_manifest(repo, oci::signature_tag(subject, "")));
  if (!fallback) {
    return result;
  }
  auto index = oci::parse_index(fallback->bytes);
  if (!index) {
    return fail(index.error().context(fmt::format("referrers fallback tag of {}@{}", repo.name(), subject.str())));
  }
  result.index = std::move(*index);
  if (artifact_type) {
    filter_by_artifact_type(result.index, *artifact_type);
  }
  return result;
}

} // namespace

Result<ReferrersResult> Client::referrers(const Repository& repo, const oci::Digest& subject,
                                          const std::optional<std::string>& artifact_type)
{
  std::string path = "referrers/" + subject.str();
  if (artifact_type) {
    path += "?artifactType=" + *artifact_type;
  }
  ReferrersResult result;
  for (int page = 0; page < m_options.max_pages; ++page) {
    Call call{.method = "GET",
              .repo = repo,
              .path = path,
              .headers = {{"Accept", std::string(oci::media_type::oci_index)}},
              .max_response_bytes = m_options.max_manifest_bytes};
    SIGIL_TRY_ASSIGN(auto resp, send(call));
    // 429 too: it is what is left once send() has used up its retries of a rate-limited
    // request, not an answer about the API; taken for "no API", it would hide every bundle
    // signature on a registry that serves referrers only through the API (a wrong 10/12).
    if (resp.status == 401 || resp.status == 403 || resp.status == 429 || resp.status >= 500) {
      return fail(status_error(call, resp));
    }
    if (resp.status != 200 || !is_index_content(resp)) {
      if (page > 0) {
        return fail(status_error(call, resp));
      }
      break; // no referrers API
    }
    auto index = oci::parse_index(resp.body);
    if (!index) {
      if (page > 0) {
        return fail(index.error().context(fmt::format("referrers of {}@{}", repo.name(), subject.str())));
      }
      break;
    }
    result.api = true;
    if (artifact_type && !resp.header("oci-filters-applied")) {
      filter_by_artifact_type(*index, *artifact_type);
    }
    for (auto& d : index->manifests) {
      if (result.index.manifests.size() >= oci::k_max_descriptors) {
        return fail(ErrorCode::registry, fmt::format("referrers of {}@{}: more than {} entries", repo.name(),
                                                     subject.str(), oci::k_max_descriptors));
      }
      result.index.manifests.push_back(std::move(d));
    }
    auto next = next_link(resp);
    if (!next) {
      return fail(next.error().context(fmt::format("referrers of {}@{}", repo.name(), subject.str())));
    }
    if (!*next) {
      result.index.media_type = std::string(oci::media_type::oci_index);
      return result;
    }
    path = std::move(**next); // absolute: send() applies the origin rule to it
  }
  if (result.api) {
    return fail(ErrorCode::registry, fmt::format("referrers of {}@{}: too many pages", repo.name(), subject.str()));
  }
  return fallback_referrers(*this, repo, subject, artifact_type);
}

} // namespace sigil::registry
