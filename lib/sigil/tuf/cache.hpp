// sigil::tuf cache: the metadata and targets of one TUF repository on disk.
//
// One directory per mirror, $XDG_CACHE_HOME/sigil/tuf/<mirror escaped>/ (default
// ~/.cache/sigil/tuf/...), mode 0700, holding root.json, timestamp.json, snapshot.json,
// targets.json, targets/<name> and last-refresh (the unix time of the last complete update).
// Every file is written atomically (temporary file + rename, mode 0600): a reader sees the old
// file or the new one, never half of one, and a refused update leaves the last good state.
#pragma once

#include "sigil/core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sigil::tuf {

// The mirror URL as one file name: [A-Za-z0-9._-] kept, every other byte %XX.
[[nodiscard]] std::string escape_mirror(std::string_view mirror);

// $XDG_CACHE_HOME/sigil/tuf, else $HOME/.cache/sigil/tuf; usage error when neither is set.
[[nodiscard]] Result<std::filesystem::path> default_cache_root();

class Cache {
public:
  explicit Cache(std::filesystem::path dir) : m_dir(std::move(dir)) {}

  // nullopt when the file does not exist; an error when it exists but cannot be read or is
  // larger than max_bytes.
  [[nodiscard]] Result<std::optional<std::string>> read(std::string_view name, std::uint64_t max_bytes) const;
  [[nodiscard]] Result<void> write(std::string_view name, std::string_view bytes) const;
  [[nodiscard]] Result<void> remove(std::string_view name) const;
  [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }

private:
  std::filesystem::path m_dir;
};

} // namespace sigil::tuf
