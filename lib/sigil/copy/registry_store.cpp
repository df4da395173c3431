// sigil::copy the registry store: a repository over registry::Client, its attachments read
// through the attachments reader and written through the attachments writer.
#include "sigil/attachments/attach.hpp"
#include "sigil/attachments/manifest.hpp"
#include "sigil/attachments/referrer_push.hpp"
#include "sigil/copy/pipe.hpp"
#include "sigil/copy/store.hpp"
#include "sigil/oci/reference.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::copy {

namespace {

StoredManifest stored(registry::FetchedManifest found)
{
  return StoredManifest{std::move(found.bytes), std::move(found.media_type), found.digest, found.kind};
}

class RegistryStore final : public Store {
public:
  RegistryStore(registry::Client& client, registry::Repository repo, registry::Repository attachments_repo)
    : m_client(client), m_repo(std::move(repo))
  {
    if (attachments_repo.name() != m_repo.name()) {
      m_attachments = std::make_unique<RegistryStore>(client, attachments_repo, attachments_repo);
    }
  }

  std::string name() const override { return m_repo.name(); }
  std::optional<registry::Repository> repository() const override { return m_repo; }

  Result<std::optional<StoredManifest>> find_manifest(const std::string& tag_or_digest) override
  {
    SIGIL_TRY_ASSIGN(auto found, m_client.find_manifest(m_repo, tag_or_digest));
    if (!found) {
      return std::optional<StoredManifest>{};
    }
    return std::optional(stored(std::move(*found)));
  }

  Result<bool> has_manifest(const oci::Digest& digest) override
  {
    auto ref = oci::Reference::parse(fmt::format("{}@{}", m_repo.name(), digest.str()));
    SIGIL_TRY(ref);
    auto found = m_client.resolve(*ref);
    if (!found && found.error().code == ErrorCode::not_found) {
      return false;
    }
    SIGIL_TRY(found);
    return true;
  }

  Result<void> put_manifest(const std::string& tag_or_digest, const StoredManifest& m) override
  {
    SIGIL_TRY(m_client.put_manifest(m_repo, tag_or_digest, m.bytes, m.media_type));
    return {};
  }

  Result<bool> has_blob(const oci::Digest& digest) override { return m_client.blob_exists(m_repo, digest); }

  Result<registry::BlobSource> open_blob(const oci::Descriptor& blob) override
  {
    return pipe_source([this, blob](const Sink& sink) { return m_client.get_blob_to(m_repo, blob, sink); });
  }

  Result<BlobOutcome> put_blob(const oci::Descriptor& blob, const registry::BlobOpener& open, const Store& from) override
  {
    SIGIL_TRY_ASSIGN(const auto how, m_client.put_blob_stream(m_repo, blob, open, from.repository()));
    return how == registry::BlobTransfer::mounted ? BlobOutcome::mounted : BlobOutcome::uploaded;
  }

  Result<std::optional<StoredManifest>> attachment_tag(const oci::Digest& image, attachments::TagKind kind) override
  {
    auto& self = attachment_store();
    SIGIL_TRY_ASSIGN(auto tag, attachments::read_legacy_tag(m_client, self.m_repo, image, kind));
    if (!tag) {
      return std::optional<StoredManifest>{};
    }
    return std::optional(stored(std::move(tag->manifest)));
  }

  Result<std::vector<oci::Descriptor>> referrers(const oci::Digest& image) override
  {
    SIGIL_TRY_ASSIGN(auto listing, attachments::read_referrers(m_client, attachment_store().m_repo, image));
    return std::move(listing.manifests);
  }

  Store& attachments() override { return attachment_store(); }

  Result<std::size_t> put_attachment_tag(const oci::Digest& image, attachments::TagKind kind,
                                         const StoredManifest& manifest) override;

  Result<void> link_referrer(const oci::Digest& subject, const oci::Descriptor& entry) override
  {
    SIGIL_TRY(attachments::link_referrer(m_client, attachment_store().m_repo, subject, entry));
    return {};
  }

private:
  RegistryStore& attachment_store() { return m_attachments ? *m_attachments : *this; }

  registry::Client& m_client;
  registry::Repository m_repo;
  std::unique_ptr<RegistryStore> m_attachments; // null: attachments live in m_repo
};

Result<std::size_t> RegistryStore::put_attachment_tag(const oci::Digest& image, attachments::TagKind kind,
                                                      const StoredManifest& manifest)
{
  RegistryStore& self = attachment_store();
  const std::string tag = oci::signature_tag(image, attachments::tag_suffix(kind));
  SIGIL_TRY_ASSIGN(auto theirs, m_client.find_manifest(self.m_repo, tag));
  if (theirs && theirs->digest == manifest.digest) {
    return std::size_t{0};
  }
  SIGIL_TRY_ASSIGN(auto ours, oci::parse_manifest(manifest.bytes));
  std::vector<oci::Descriptor> present;
  if (theirs) {
    SIGIL_TRY_ASSIGN(auto parsed, registry::image_manifest(*theirs));
    present = std::move(parsed.layers);
  }
  const auto added = static_cast<std::size_t>(std::count_if(ours.layers.begin(), ours.layers.end(), [&](const auto& l) {
    return std::none_of(present.begin(), present.end(),
                        [&](const oci::Descriptor& p) { return attachments::same_layer(p, l); });
  }));
  if (added == 0) {
    return added;
  }
  // Through the writer also when the tag is absent: a signer may be writing it right now. It
  // merges with whatever is there at write time, settles and confirms; when nothing else is
  // there it PUTs the source's manifest byte for byte (same digest, so cosign verify passes).
  attachments::AttachRequest request{.repo = self.m_repo, .tag = tag, .layer = ours.layers.front()};
  request.more_layers.assign(ours.layers.begin() + 1, ours.layers.end());
  request.initial_document = std::pair(manifest.bytes, manifest.media_type);
  SIGIL_TRY_CONTEXT(attachments::attach_layer(m_client, request),
                    fmt::format("writing {}:{}", self.m_repo.name(), tag));
  return added;
}

} // namespace

std::unique_ptr<Store> registry_store(registry::Client& client, registry::Repository repo,
                                      registry::Repository attachments_repo)
{
  return std::make_unique<RegistryStore>(client, std::move(repo), std::move(attachments_repo));
}

} // namespace sigil::copy
