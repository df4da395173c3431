// sigil::oci image layouts (OCI image-layout 1.1): a directory holding `oci-layout`
// ({"imageLayoutVersion":"1.0.0"}), `index.json` (an image index whose entries name what the
// layout holds, a tag in org.opencontainers.image.ref.name) and `blobs/<alg>/<hex>` (every
// manifest, config and layer, content-addressed).
//
// File I/O only (through util/ and the standard library). Blobs are written to a temporary
// file beside their final name, checked against their digest and size, then renamed: a blob
// file under its digest always holds those bytes, whatever was interrupted. index.json is
// replaced atomically.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/digest.hpp"
#include "sigil/oci/manifest.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sigil::oci {

inline constexpr std::string_view k_ref_name_annotation = "org.opencontainers.image.ref.name";

class Layout {
public:
  // An existing layout: `oci-layout` must say 1.0.0 and index.json must be an index.
  [[nodiscard]] static Result<Layout> open(const std::filesystem::path& dir);
  // The layout in dir, created (directory, oci-layout, empty index.json) when dir does not
  // hold one. A directory that exists, is not empty and holds no layout is refused.
  [[nodiscard]] static Result<Layout> open_or_create(const std::filesystem::path& dir);

  [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
  [[nodiscard]] const Index& index() const { return m_index; }
  [[nodiscard]] std::filesystem::path blob_path(const Digest& digest) const;

  // The entry whose ref.name is `name`.
  [[nodiscard]] std::optional<Descriptor> find_ref(std::string_view name) const;
  // Adds an entry named `name` (replacing the entry of that name), or, with no name, an entry
  // for the digest unless one is there. Written by save_index().
  void set_entry(Descriptor entry, const std::optional<std::string>& name);
  [[nodiscard]] Result<void> save_index() const;

  [[nodiscard]] bool has_blob(const Digest& digest) const;
  // A small blob (a manifest) read whole, at most max_bytes, checked against its digest.
  [[nodiscard]] Result<std::string> read_blob(const Digest& digest, std::uint64_t max_bytes) const;
  // A small blob written whole (checked, then renamed into place).
  [[nodiscard]] Result<void> write_blob(const Digest& digest, std::string_view bytes) const;

private:
  Layout() = default;
  std::filesystem::path m_dir;
  Index m_index;
};

// A blob streamed into a layout: write() the bytes, then commit(), which checks the digest and
// size and renames the file into place. Destroyed uncommitted, it leaves nothing behind.
class BlobWriter {
public:
  [[nodiscard]] static Result<BlobWriter> open(const Layout& layout, const Descriptor& blob);
  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  ~BlobWriter();

  [[nodiscard]] Result<void> write(std::span<const std::uint8_t> chunk);
  [[nodiscard]] Result<void> commit();

private:
  BlobWriter(Descriptor blob, std::filesystem::path final_path, std::filesystem::path temp_path, std::FILE* file);
  Descriptor m_blob;
  std::filesystem::path m_final;
  std::filesystem::path m_temp;
  std::FILE* m_file = nullptr;
  std::unique_ptr<DigestCheck> m_check;
  std::uint64_t m_written = 0;
};

// A blob of a layout read in pieces, checked as it is read: the read that reaches the end fails
// when the file does not hash to its digest (a tampered layout), naming the file and its digest.
class BlobReader {
public:
  [[nodiscard]] static Result<BlobReader> open(const Layout& layout, const Descriptor& blob);
  BlobReader(BlobReader&& other) noexcept;
  BlobReader& operator=(BlobReader&&) = delete;
  BlobReader(const BlobReader&) = delete;
  BlobReader& operator=(const BlobReader&) = delete;
  ~BlobReader();

  // Fills buffer; 0 at the end. A file shorter or longer than its descriptor is an error.
  [[nodiscard]] Result<std::size_t> read(std::span<std::uint8_t> buffer);

private:
  BlobReader(std::filesystem::path dir, std::filesystem::path path, std::FILE* file, const Descriptor& blob);
  std::filesystem::path m_dir;
  std::filesystem::path m_path;
  std::FILE* m_file = nullptr;
  std::unique_ptr<DigestCheck> m_check; // until the end is checked

  std::uint64_t m_size = 0;
  std::uint64_t m_read = 0;
};

} // namespace sigil::oci
