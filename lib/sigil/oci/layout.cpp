#include "sigil/oci/layout.hpp"

#include "sigil/oci/media_types.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <system_error>

#include <unistd.h>

namespace sigil::oci {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_layout_file = "oci-layout";
constexpr std::string_view k_layout_content = R"({"imageLayoutVersion":"1.0.0"})";
constexpr std::uint64_t k_max_index_bytes = std::uint64_t{16} << 20;

Error io_error(std::string_view what, const fs::path& path, const std::error_code& ec)
{
  return Error{ErrorCode::other, fmt::format("{} {}: {}", what, path.string(), ec.message())};
}

Result<void> write_small(const fs::path& path, std::string_view bytes)
{
  return util::write_file_atomic({.path = path, .data = util::as_bytes(bytes), .mode = 0644});
}

Error mismatch_error(const Digest& digest, const fs::path& dir, const std::string& actual)
{
  return Error{ErrorCode::bad_input, fmt::format("blob {} of the layout {} does not match its digest (the file hashes "
                                                 "to {})",
                                                 digest.str(), dir.string(), actual)};
}

// A name for a temporary file beside `final` that no other writer of this process or another
// picks (pid and a counter).
fs::path temp_beside(const fs::path& final)
{
  static std::atomic<unsigned> counter{0};
  return final.parent_path() / fmt::format(".{}.{}.{}.tmp", final.filename().string(), ::getpid(), counter++);
}

} // namespace

Result<Layout> Layout::open(const fs::path& dir)
{
  auto marker = util::read_file(dir / k_layout_file, 4096);
  if (!marker) {
    return fail(ErrorCode::bad_input,
                fmt::format("{} is not an OCI image layout (no readable oci-layout file); give the directory that "
                            "`sigil save` or another OCI tool wrote",
                            dir.string()));
  }
  auto doc = util::parse_json(*marker);
  if (!doc || !doc->is_object() || !doc->contains("imageLayoutVersion") ||
      (*doc)["imageLayoutVersion"] != "1.0.0") {
    return fail(ErrorCode::bad_input,
                fmt::format("{}/oci-layout does not say imageLayoutVersion 1.0.0; this layout version is not supported",
                            dir.string()));
  }
  SIGIL_TRY_ASSIGN(const auto index_bytes, util::read_file(dir / "index.json", k_max_index_bytes));
  auto index = parse_index(index_bytes);
  if (!index) {
    return fail(ErrorCode::bad_input, fmt::format("{}/index.json: {}", dir.string(), index.error().message));
  }
  Layout out;
  out.m_dir = dir;
  out.m_index = std::move(*index);
  return out;
}

Result<Layout> Layout::open_or_create(const fs::path& dir)
{
  std::error_code ec;
  if (fs::exists(dir / k_layout_file, ec)) {
    return open(dir);
  }
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return fail(ErrorCode::usage, fmt::format("{} exists, is not empty and is not an OCI image layout; give a new or "
                                              "empty directory, or a layout to add to",
                                              dir.string()));
  }
  fs::create_directories(dir / "blobs" / "sha256", ec);
  if (ec) {
    return fail(io_error("cannot create", dir, ec));
  }
  Layout out;
  out.m_dir = dir;
  out.m_index.media_type = std::string(media_type::oci_index);
  SIGIL_TRY(out.save_index());
  SIGIL_TRY(write_small(dir / k_layout_file, k_layout_content));
  return out;
}

fs::path Layout::blob_path(const Digest& digest) const
{
  return m_dir / "blobs" / std::string(algorithm_name(digest.algorithm)) / digest.hex;
}

std::optional<Descriptor> Layout::find_ref(std::string_view name) const
{
  for (const auto& d : m_index.manifests) {
    auto it = d.annotations.find(std::string(k_ref_name_annotation));
    if (it != d.annotations.end() && it->second == name) {
      return d;
    }
  }
  return std::nullopt;
}

void Layout::set_entry(Descriptor entry, const std::optional<std::string>& name)
{
  auto& entries = m_index.manifests;
  if (name) {
    entry.annotations[std::string(k_ref_name_annotation)] = *name;
    std::erase_if(entries, [&](const Descriptor& d) {
      auto it = d.annotations.find(std::string(k_ref_name_annotation));
      return it != d.annotations.end() && it->second == *name;
    });
  } else if (std::any_of(entries.begin(), entries.end(), [&](const Descriptor& d) { return d.digest == entry.digest; })) {
    return;
  }
  entries.push_back(std::move(entry));
}

Result<void> Layout::save_index() const
{
  return write_small(m_dir / "index.json", serialize_index(m_index));
}

bool Layout::has_blob(const Digest& digest) const
{
  std::error_code ec;
  return fs::is_regular_file(blob_path(digest), ec);
}

Result<std::string> Layout::read_blob(const Digest& digest, std::uint64_t max_bytes) const
{
  auto bytes = util::read_file(blob_path(digest), max_bytes);
  if (!bytes) {
    return fail(bytes.error().code == ErrorCode::other ? ErrorCode::not_found : bytes.error().code,
                fmt::format("blob {} of the layout {}: {}", digest.str(), m_dir.string(), bytes.error().message));
  }
  if (const auto actual = digest_mismatch(digest, util::as_bytes(*bytes))) {
    return fail(mismatch_error(digest, m_dir, *actual));
  }
  return std::move(*bytes);
}

Result<void> Layout::write_blob(const Digest& digest, std::string_view bytes) const
{
  Descriptor d{.media_type = {}, .digest = digest, .size = static_cast<std::int64_t>(bytes.size())};
  SIGIL_TRY_ASSIGN(auto writer, BlobWriter::open(*this, d));
  SIGIL_TRY(writer.write(util::as_bytes(bytes)));
  return writer.commit();
}

// --- BlobWriter ---

BlobWriter::BlobWriter(Descriptor blob, fs::path final_path, fs::path temp_path, std::FILE* file)
  : m_blob(std::move(blob)), m_final(std::move(final_path)), m_temp(std::move(temp_path)), m_file(file),
    m_check(std::make_unique<DigestCheck>(m_blob.digest))
{
}

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
  : m_blob(std::move(other.m_blob)), m_final(std::move(other.m_final)), m_temp(std::move(other.m_temp)),
    m_file(std::exchange(other.m_file, nullptr)), m_check(std::move(other.m_check)), m_written(other.m_written)
{
}

BlobWriter::~BlobWriter()
{
  if (m_file != nullptr) {
    std::fclose(m_file);
    std::error_code ec;
    fs::remove(m_temp, ec);
  }
}

Result<BlobWriter> BlobWriter::open(const Layout& layout, const Descriptor& blob)
{
  const fs::path final_path = layout.blob_path(blob.digest);
  std::error_code ec;
  fs::create_directories(final_path.parent_path(), ec);
  if (ec) {
    return fail(io_error("cannot create", final_path.parent_path(), ec));
  }
  fs::path temp = temp_beside(final_path);
  std::FILE* file = std::fopen(temp.c_str(), "wbx");
  if (file == nullptr) {
    return fail(io_error("cannot create", temp, std::error_code(errno, std::generic_category())));
  }
  return BlobWriter(blob, final_path, std::move(temp), file);
}

Result<void> BlobWriter::write(std::span<const std::uint8_t> chunk)
{
  if (m_written + chunk.size() > static_cast<std::uint64_t>(m_blob.size)) {
    return fail(ErrorCode::bad_input, fmt::format("blob {} is larger than its descriptor says ({} bytes)",
                                                  m_blob.digest.str(), m_blob.size));
  }
  if (!chunk.empty() && std::fwrite(chunk.data(), 1, chunk.size(), m_file) != chunk.size()) {
    return fail(io_error("cannot write", m_temp, std::error_code(errno, std::generic_category())));
  }
  m_check->update(chunk);
  m_written += chunk.size();
  return {};
}

Result<void> BlobWriter::commit()
{
  if (m_written != static_cast<std::uint64_t>(m_blob.size)) {
    return fail(ErrorCode::bad_input, fmt::format("blob {} has {} bytes, its descriptor says {}", m_blob.digest.str(),
                                                  m_written, m_blob.size));
  }
  if (const auto actual = m_check->mismatch()) {
    return fail(ErrorCode::bad_input,
                fmt::format("blob {} does not match its digest (the bytes hash to {})", m_blob.digest.str(), *actual));
  }
  const bool flushed = std::fflush(m_file) == 0 && ::fsync(::fileno(m_file)) == 0;
  const int err = errno;
  std::fclose(std::exchange(m_file, nullptr));
  std::error_code ec;
  if (!flushed) {
    fs::remove(m_temp, ec);
    return fail(io_error("cannot write", m_temp, std::error_code(err, std::generic_category())));
  }
  fs::rename(m_temp, m_final, ec);
  if (ec) {
    fs::remove(m_temp, ec);
    return fail(io_error("cannot rename into place", m_final, ec));
  }
  return {};
}

// --- BlobReader ---

BlobReader::BlobReader(fs::path dir, fs::path path, std::FILE* file, const Descriptor& blob)
  : m_dir(std::move(dir)), m_path(std::move(path)), m_file(file), m_check(std::make_unique<DigestCheck>(blob.digest)),
    m_size(static_cast<std::uint64_t>(blob.size))
{
}

BlobReader::BlobReader(BlobReader&& other) noexcept
  : m_dir(std::move(other.m_dir)), m_path(std::move(other.m_path)), m_file(std::exchange(other.m_file, nullptr)),
    m_check(std::move(other.m_check)), m_size(other.m_size), m_read(other.m_read)
{
}

BlobReader::~BlobReader()
{
  if (m_file != nullptr) {
    std::fclose(m_file);
  }
}

Result<BlobReader> BlobReader::open(const Layout& layout, const Descriptor& blob)
{
  fs::path path = layout.blob_path(blob.digest);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return fail(ErrorCode::not_found, fmt::format("blob {} is missing from the layout {}", blob.digest.str(),
                                                  layout.dir().string()));
  }
  return BlobReader(layout.dir(), std::move(path), file, blob);
}

Result<std::size_t> BlobReader::read(std::span<std::uint8_t> buffer)
{
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), m_size - m_read + 1));
  const std::size_t n = std::fread(buffer.data(), 1, want, m_file);
  if (n < want && std::ferror(m_file) != 0) {
    return fail(io_error("cannot read", m_path, std::error_code(errno, std::generic_category())));
  }
  m_read += n;
  if (m_read > m_size || (n == 0 && m_read < m_size)) {
    return fail(ErrorCode::bad_input,
                fmt::format("{} does not have the {} bytes its descriptor says", m_path.string(), m_size));
  }
  if (n > 0) {
    m_check->update(util::ByteView(buffer.data(), n));
  }
  if (m_read == m_size && m_check) { // the read that delivers the last byte (readers that know
                                     // the size never ask for the end)
    const auto check = std::exchange(m_check, nullptr);
    if (const auto actual = check->mismatch()) {
      return fail(mismatch_error(check->expected(), m_dir, *actual));
    }
  }
  return n;
}

} // namespace sigil::oci
