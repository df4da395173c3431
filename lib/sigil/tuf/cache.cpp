#include "sigil/tuf/cache.hpp"

#include "sigil/core/env.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <sys/stat.h>

namespace sigil::tuf {

std::string escape_mirror(std::string_view mirror)
{
  std::string out;
  for (const char c : mirror) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '.' || c == '-' ||
        c == '_') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

Result<std::filesystem::path> default_cache_root()
{
  const auto xdg = core::env::get("XDG_CACHE_HOME");
  if (xdg && !xdg->empty() && xdg->front() == '/') {
    return std::filesystem::path{*xdg} / "sigil" / "tuf";
  }
  const auto home = core::env::get("HOME");
  if (home && !home->empty()) {
    return std::filesystem::path{*home} / ".cache" / "sigil" / "tuf";
  }
  return fail(ErrorCode::usage, "no cache directory for TUF metadata: set XDG_CACHE_HOME or HOME");
}

namespace {

// Creates every missing directory of `dir` with mode 0700 (existing ones are left as they are).
Result<void> make_dirs(const std::filesystem::path& dir)
{
  std::filesystem::path path;
  for (const auto& part : dir) {
    path /= part;
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      return fail(ErrorCode::other, fmt::format("creating the TUF cache {}: {}", path.string(), std::strerror(errno)));
    }
  }
  return {};
}

} // namespace

Result<std::optional<std::string>> Cache::read(std::string_view name, std::uint64_t max_bytes) const
{
  const auto path = m_dir / name;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return std::optional<std::string>{};
  }
  auto bytes = util::read_file(path, max_bytes);
  if (!bytes) {
    return fail(bytes.error().context("reading the TUF cache"));
  }
  return std::optional<std::string>{std::move(*bytes)};
}

Result<void> Cache::write(std::string_view name, std::string_view bytes) const
{
  const auto path = m_dir / name;
  SIGIL_TRY(make_dirs(path.parent_path()));
  const util::ByteView data{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
  auto done = util::write_file_atomic({.path = path, .data = data, .mode = 0600, .overwrite = util::Overwrite::yes});
  if (!done) {
    return fail(done.error().context("writing the TUF cache"));
  }
  return {};
}

Result<void> Cache::remove(std::string_view name) const
{
  std::error_code ec;
  std::filesystem::remove(m_dir / name, ec);
  if (ec) {
    return fail(ErrorCode::other, fmt::format("removing {} from the TUF cache: {}", name, ec.message()));
  }
  return {};
}

} // namespace sigil::tuf
