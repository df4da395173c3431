// sigil::copy stores: where images and what hangs off them are copied from and to. The copy
// engine (engine.hpp) speaks only this interface, so that `copy` (registry -> registry),
// `save` (registry -> OCI layout) and `load` (layout -> registry) are one engine over
// different stores.
//
// A store is one repository: its image manifests and blobs, and the place its attachments
// live (cosign's COSIGN_REPOSITORY may put them elsewhere). Manifests are small and handled
// whole (bytes exactly as stored); blobs are streamed.
#pragma once

#include "sigil/attachments/reader.hpp"
#include "sigil/core/result.hpp"
#include "sigil/oci/manifest.hpp"
#include "sigil/registry/client.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sigil::copy {

struct StoredManifest {
  std::string bytes;      // exactly as stored
  std::string media_type; // the document's, else the Content-Type
  oci::Digest digest;     // of bytes
  oci::ManifestKind kind = oci::ManifestKind::image;
};

// How a blob got to the destination.
enum class BlobOutcome { present, mounted, uploaded };

class Store {
public:
  Store() = default;
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // For messages: "127.0.0.1:5000/app" or "layout /tmp/dir".
  [[nodiscard]] virtual std::string name() const = 0;
  // The registry repository this store is, when it is one (for cross-repository mounts).
  [[nodiscard]] virtual std::optional<registry::Repository> repository() const { return std::nullopt; }

  // nullopt when there is no such tag or digest.
  [[nodiscard]] virtual Result<std::optional<StoredManifest>> find_manifest(const std::string& tag_or_digest) = 0;
  [[nodiscard]] virtual Result<bool> has_manifest(const oci::Digest& digest) = 0;
  // By digest (the manifest's own) or by tag.
  [[nodiscard]] virtual Result<void> put_manifest(const std::string& tag_or_digest, const StoredManifest& manifest) = 0;

  [[nodiscard]] virtual Result<bool> has_blob(const oci::Digest& digest) = 0;
  // A fresh stream of the blob's bytes (checked against the descriptor by whoever stores them).
  [[nodiscard]] virtual Result<registry::BlobSource> open_blob(const oci::Descriptor& blob) = 0;
  // Stores a blob pulled from `open` (opened again for each attempt), or mounts it from `from`.
  [[nodiscard]] virtual Result<BlobOutcome> put_blob(const oci::Descriptor& blob, const registry::BlobOpener& open,
                                                     const Store& from) = 0;

  // The image's cosign tag of this kind (in the attachments' repository), nullopt when absent.
  [[nodiscard]] virtual Result<std::optional<StoredManifest>> attachment_tag(const oci::Digest& image,
                                                                             attachments::TagKind kind) = 0;
  // The referrers of the image (descriptors as listed).
  [[nodiscard]] virtual Result<std::vector<oci::Descriptor>> referrers(const oci::Digest& image) = 0;
  // A manifest, config or layer of an attachment: these live in the attachments' repository.
  [[nodiscard]] virtual Store& attachments() = 0;

  // Writes the image's cosign tag, MERGED with what is there (the read-merge-write of
  // signing): the manifest as given when the tag is absent; when the tag holds another
  // manifest, each of our layers it lacks is added (its blobs must be stored first).
  // Returns the number of layers added (0: all there).
  [[nodiscard]] virtual Result<std::size_t> put_attachment_tag(const oci::Digest& image, attachments::TagKind kind,
                                                               const StoredManifest& manifest) = 0;
  // Makes a referrer (its manifest stored first) findable from its subject: nothing more on
  // a registry with the referrers API, else the fallback tag's index (read-merge-write).
  [[nodiscard]] virtual Result<void> link_referrer(const oci::Digest& subject, const oci::Descriptor& entry) = 0;
  // Keeps an image copied without a tag findable (a layout's unnamed index.json entry; nothing
  // for a registry, where a manifest stays by digest).
  [[nodiscard]] virtual Result<void> keep_untagged(const StoredManifest&) { return {}; }
  // Writes what is held back until the end (a layout's index.json).
  [[nodiscard]] virtual Result<void> flush() { return {}; }
};

// A registry repository; its attachments in `attachments_repo` (signature_repository).
[[nodiscard]] std::unique_ptr<Store> registry_store(registry::Client& client, registry::Repository repo,
                                                    registry::Repository attachments_repo);

} // namespace sigil::copy
