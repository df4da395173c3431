#include "sigil/copy/layout_store.hpp"

#include "sigil/attachments/manifest.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/oci/reference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace sigil::copy {

namespace {

constexpr std::uint64_t k_max_manifest_bytes = std::uint64_t{4} << 20;
constexpr std::size_t k_copy_buffer = std::size_t{256} << 10;
constexpr int k_max_attempts = 5;

std::string_view cosign_kind(attachments::TagKind kind)
{
  switch (kind) {
  case attachments::TagKind::signatures: return "dev.cosignproject.cosign/sigs";
  case attachments::TagKind::attestations: return "dev.cosignproject.cosign/atts";
  case attachments::TagKind::sboms: return "dev.cosignproject.cosign/sboms";
  }
  return "";
}

bool is_attachment_name(std::string_view name)
{
  return name.starts_with("sha256-") || name.starts_with("sha512-");
}

std::optional<std::string> annotation(const oci::Descriptor& d, std::string_view key)
{
  auto it = d.annotations.find(std::string(key));
  return it == d.annotations.end() ? std::nullopt : std::optional(it->second);
}

std::string image_kind(const StoredManifest& m)
{
  return m.kind == oci::ManifestKind::index ? "dev.cosignproject.cosign/imageIndex" : "dev.cosignproject.cosign/image";
}

class LayoutStore final : public Store {
public:
  explicit LayoutStore(oci::Layout layout) : m_layout(std::move(layout)) {}

  std::string name() const override { return fmt::format("layout {}", m_layout.dir().string()); }

  Result<std::optional<StoredManifest>> find_manifest(const std::string& tag_or_digest) override
  {
    if (auto digest = oci::parse_digest(tag_or_digest)) {
      if (!m_layout.has_blob(*digest)) {
        return std::optional<StoredManifest>{};
      }
      return read(*digest);
    }
    auto entry = m_layout.find_ref(tag_or_digest);
    if (!entry) {
      return std::optional<StoredManifest>{};
    }
    return read(entry->digest);
  }

  Result<bool> has_manifest(const oci::Digest& digest) override { return m_layout.has_blob(digest); }

  Result<void> put_manifest(const std::string& tag_or_digest, const StoredManifest& m) override
  {
    if (!m_layout.has_blob(m.digest)) {
      SIGIL_TRY(m_layout.write_blob(m.digest, m.bytes));
    }
    if (!oci::parse_digest(tag_or_digest)) {
      std::map<std::string, std::string> notes;
      if (!is_attachment_name(tag_or_digest)) {
        notes[std::string(k_cosign_kind_annotation)] = image_kind(m);
      }
      m_layout.set_entry(entry_for(m, std::move(notes)), tag_or_digest);
      m_dirty = true;
    }
    return {};
  }

  Result<bool> has_blob(const oci::Digest& digest) override { return m_layout.has_blob(digest); }

  Result<registry::BlobSource> open_blob(const oci::Descriptor& blob) override
  {
    SIGIL_TRY_ASSIGN(auto reader, oci::BlobReader::open(m_layout, blob));
    auto shared = std::make_shared<oci::BlobReader>(std::move(reader));
    return registry::BlobSource([shared](std::span<std::uint8_t> buffer) { return shared->read(buffer); });
  }

  Result<BlobOutcome> put_blob(const oci::Descriptor& blob, const registry::BlobOpener& open, const Store&) override;

  Result<std::optional<StoredManifest>> attachment_tag(const oci::Digest& image, attachments::TagKind kind) override;
  Result<std::vector<oci::Descriptor>> referrers(const oci::Digest& image) override;
  Store& attachments() override { return *this; }
  Result<std::size_t> put_attachment_tag(const oci::Digest& image, attachments::TagKind kind,
                                         const StoredManifest& manifest) override;

  Result<void> link_referrer(const oci::Digest&, const oci::Descriptor& entry) override
  {
    m_layout.set_entry(entry, std::nullopt);
    m_dirty = true;
    return {};
  }

  Result<void> keep_untagged(const StoredManifest& m) override
  {
    m_layout.set_entry(entry_for(m, {{std::string(k_cosign_kind_annotation), image_kind(m)}}), std::nullopt);
    m_dirty = true;
    return {};
  }

  Result<void> flush() override
  {
    if (m_dirty) {
      SIGIL_TRY(m_layout.save_index());
      m_dirty = false;
    }
    return {};
  }

private:
  Result<std::optional<StoredManifest>> read(const oci::Digest& digest)
  {
    SIGIL_TRY_ASSIGN(auto bytes, m_layout.read_blob(digest, k_max_manifest_bytes));
    SIGIL_TRY_ASSIGN(auto shape, oci::manifest_shape(bytes, ""));
    return std::optional(StoredManifest{std::move(bytes), std::move(shape.media_type), digest, shape.kind});
  }

  static oci::Descriptor entry_for(const StoredManifest& m, std::map<std::string, std::string> notes)
  {
    return oci::Descriptor{.media_type = m.media_type.empty() ? std::string(oci::media_type::oci_manifest) : m.media_type,
                           .digest = m.digest,
                           .size = static_cast<std::int64_t>(m.bytes.size()),
                           .annotations = std::move(notes)};
  }

  // cosign save's layout: one image, its signatures in the entry of kind sigs (atts, sboms).
  std::optional<oci::Descriptor> cosign_entry(const oci::Digest& image, attachments::TagKind kind) const
  {
    const auto& entries = m_layout.index().manifests;
    const bool ours = std::any_of(entries.begin(), entries.end(), [&](const oci::Descriptor& d) {
      auto k = annotation(d, k_cosign_kind_annotation);
      return d.digest == image && k && (*k == "dev.cosignproject.cosign/image" || *k == "dev.cosignproject.cosign/imageIndex");
    });
    if (!ours) {
      return std::nullopt;
    }
    for (const auto& d : entries) {
      if (annotation(d, k_cosign_kind_annotation) == cosign_kind(kind) && !annotation(d, oci::k_ref_name_annotation)) {
        return d;
      }
    }
    return std::nullopt;
  }

  oci::Layout m_layout;
  bool m_dirty = false;
};

Result<BlobOutcome> LayoutStore::put_blob(const oci::Descriptor& blob, const registry::BlobOpener& open, const Store&)
{
  std::vector<std::uint8_t> buffer(k_copy_buffer);
  for (int attempt = 1;; ++attempt) {
    auto written = [&]() -> Result<void> {
      SIGIL_TRY_ASSIGN(auto source, open());
      SIGIL_TRY_ASSIGN(auto writer, oci::BlobWriter::open(m_layout, blob));
      for (;;) {
        SIGIL_TRY_ASSIGN(const std::size_t n, source(buffer));
        if (n == 0) {
          return writer.commit();
        }
        SIGIL_TRY(writer.write(std::span<const std::uint8_t>(buffer.data(), n)));
      }
    }();
    if (written) {
      return BlobOutcome::uploaded;
    }
    if (written.error().code != ErrorCode::registry || attempt >= k_max_attempts) {
      return fail(written.error().context(fmt::format("copying blob {} into {}", blob.digest.str(), name())));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
}

Result<std::optional<StoredManifest>> LayoutStore::attachment_tag(const oci::Digest& image, attachments::TagKind kind)
{
  const std::string tag = oci::signature_tag(image, attachments::tag_suffix(kind));
  if (auto entry = m_layout.find_ref(tag)) {
    return read(entry->digest);
  }
  if (auto entry = cosign_entry(image, kind)) {
    return read(entry->digest);
  }
  return std::optional<StoredManifest>{};
}

Result<std::vector<oci::Descriptor>> LayoutStore::referrers(const oci::Digest& image)
{
  std::vector<oci::Descriptor> out;
  for (const auto& entry : m_layout.index().manifests) {
    if (annotation(entry, oci::k_ref_name_annotation) || annotation(entry, k_cosign_kind_annotation) ||
        !m_layout.has_blob(entry.digest)) {
      continue; // a named entry is an image or a tag, not a referrer
    }
    SIGIL_TRY_ASSIGN(auto bytes, m_layout.read_blob(entry.digest, k_max_manifest_bytes));
    SIGIL_TRY_ASSIGN(auto shape, oci::manifest_shape(bytes, entry.media_type));
    std::optional<oci::Descriptor> subject;
    if (shape.kind == oci::ManifestKind::index) {
      if (auto idx = oci::parse_index(bytes)) {
        subject = idx->subject;
      }
    } else if (shape.image) {
      subject = shape.image->subject;
    }
    if (subject && subject->digest == image) {
      out.push_back(entry);
    }
  }
  return out;
}

Result<std::size_t> LayoutStore::put_attachment_tag(const oci::Digest& image, attachments::TagKind kind,
                                                    const StoredManifest& manifest)
{
  const std::string tag = oci::signature_tag(image, attachments::tag_suffix(kind));
  const std::map<std::string, std::string> notes{{std::string(k_cosign_kind_annotation), std::string(cosign_kind(kind))}};
  SIGIL_TRY_ASSIGN(auto ours, oci::parse_manifest(manifest.bytes));
  SIGIL_TRY_ASSIGN(auto theirs, attachment_tag(image, kind));
  if (theirs && theirs->digest == manifest.digest) {
    return std::size_t{0};
  }
  if (!theirs) {
    SIGIL_TRY(m_layout.write_blob(manifest.digest, manifest.bytes));
    m_layout.set_entry(entry_for(manifest, notes), tag);
    m_dirty = true;
    return ours.layers.size();
  }
  // Merge: their layers, then each of ours they lack, in a manifest as cosign writes it.
  SIGIL_TRY_ASSIGN(auto present, oci::parse_manifest(theirs->bytes));
  std::vector<oci::Descriptor> layers = present.layers;
  std::size_t added = 0;
  for (const auto& layer : ours.layers) {
    if (std::none_of(layers.begin(), layers.end(), [&](const auto& l) { return attachments::same_layer(l, layer); })) {
      layers.push_back(layer);
      ++added;
    }
  }
  if (added == 0) {
    return added;
  }
  const auto merged = attachments::build_signature_manifest(layers);
  SIGIL_TRY(m_layout.write_blob(merged.config_descriptor.digest, merged.config));
  const StoredManifest written{merged.manifest, std::string(oci::media_type::oci_manifest),
                               oci::sha256_digest(merged.manifest), oci::ManifestKind::image};
  SIGIL_TRY(m_layout.write_blob(written.digest, written.bytes));
  m_layout.set_entry(entry_for(written, notes), tag);
  m_dirty = true;
  return added;
}

} // namespace

Result<std::unique_ptr<Store>> open_layout_store(const std::filesystem::path& dir)
{
  SIGIL_TRY_ASSIGN(auto layout, oci::Layout::open(dir));
  // Every manifest index.json names must hash to its digest before anything is read from the
  // layout: `verify --local IMAGE@DIGEST` reads signatures, never the image's manifest, so a
  // layout whose index names D but holds other bytes under D would otherwise pass unnoticed.
  for (const auto& entry : layout.index().manifests) {
    if (layout.has_blob(entry.digest)) {
      SIGIL_TRY(layout.read_blob(entry.digest, k_max_manifest_bytes));
    }
  }
  return std::unique_ptr<Store>(std::make_unique<LayoutStore>(std::move(layout)));
}

Result<std::unique_ptr<Store>> create_layout_store(const std::filesystem::path& dir)
{
  SIGIL_TRY_ASSIGN(auto layout, oci::Layout::open_or_create(dir));
  return std::unique_ptr<Store>(std::make_unique<LayoutStore>(std::move(layout)));
}

Result<std::vector<LayoutImage>> layout_images(const std::filesystem::path& dir)
{
  SIGIL_TRY_ASSIGN(auto layout, oci::Layout::open(dir));
  std::vector<LayoutImage> out;
  for (const auto& entry : layout.index().manifests) {
    auto name = annotation(entry, oci::k_ref_name_annotation);
    auto kind = annotation(entry, k_cosign_kind_annotation);
    if (name && !is_attachment_name(*name)) {
      out.push_back({*name, entry.digest});
    } else if (!name && kind && (*kind == "dev.cosignproject.cosign/image" || *kind == "dev.cosignproject.cosign/imageIndex")) {
      out.push_back({entry.digest.str(), entry.digest});
    }
  }
  return out;
}

} // namespace sigil::copy
