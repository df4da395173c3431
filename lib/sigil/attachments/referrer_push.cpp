#include "sigil/attachments/referrer_push.hpp"

#include "sigil/attachments/attach.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/util/encoding.hpp"

#include <chrono>
#include <thread>

namespace sigil::attachments {

namespace {

// The referrers listing, retried like the attach loop: a fallback tag being rewritten by a
// concurrent writer can answer 500 for a moment on registries with non-atomic storage.
Result<registry::ReferrersResult> referrers_retried(registry::Client& client, const registry::Repository& repo,
                                                    const oci::Digest& subject)
{
  auto refs = client.referrers(repo, subject);
  for (int attempt = 1; !refs && refs.error().code == ErrorCode::registry && attempt < 5; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
    refs = client.referrers(repo, subject);
  }
  return refs;
}

} // namespace

Result<bool> link_referrer(registry::Client& client, const registry::Repository& repo, const oci::Digest& subject,
                           const oci::Descriptor& entry)
{
  SIGIL_TRY_ASSIGN(const auto refs, referrers_retried(client, repo, subject));
  if (refs.api) {
    return true;
  }
  SIGIL_TRY_CONTEXT(attach_layer(client, {.repo = repo,
                                          .tag = oci::signature_tag(subject, ""),
                                          .layer = entry,
                                          .container = Container::referrers_index}),
                    "updating the referrers fallback index");
  return false;
}

Result<oci::Digest> push_referrer(registry::Client& client, const ReferrerPushRequest& r)
{
  for (const auto& [digest, bytes] : r.blobs) {
    SIGIL_TRY(client.put_blob(r.repo, digest, util::as_bytes(bytes)));
  }
  const std::string bytes = oci::serialize_manifest(r.manifest);
  const oci::Digest digest{oci::DigestAlgorithm::sha256, util::hex_encode(crypto::sha256(util::as_bytes(bytes)))};
  SIGIL_TRY(client.put_manifest(r.repo, digest.str(), bytes, oci::media_type::oci_manifest));
  // With a referrers API the registry indexes the subject itself; otherwise keep the
  // fallback index tag, carrying artifactType and annotations up (cosign#4641).
  oci::Descriptor entry{std::string(oci::media_type::oci_manifest),
                        digest,
                        static_cast<std::int64_t>(bytes.size()),
                        r.manifest.annotations,
                        {},
                        r.manifest.artifact_type,
                        std::nullopt};
  SIGIL_TRY(link_referrer(client, r.repo, r.subject, entry));
  return digest;
}

} // namespace sigil::attachments
