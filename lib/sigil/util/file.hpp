// sigil::util files: bounded reads and atomic writes.
//
// Reads go straight into the buffer that is returned: for a regular file it is sized once
// from fstat (and grown only if the file grows while being read), otherwise it doubles, and
// every buffer given up on the way is wiped first. So no copy of what was read (a key, a
// password, registry credentials) is left in freed memory; read_secret_file returns it in
// SecureBytes so that the final copy is wiped too. The size limit is checked against fstat
// and again while reading.
//
// write_file_atomic writes to a temporary file in the target's directory with the final
// mode already set (so a key is never readable by others, whatever the umask), fsyncs it,
// then renames it over the target. A failure leaves the target untouched.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/types.h>

namespace sigil::util {

enum class Overwrite { yes, no };

constexpr std::uint64_t k_default_max_file_size = std::uint64_t{64} << 20; // 64 MiB

// Reads a whole file; fails when larger than max_size. "-" is NOT stdin here.
[[nodiscard]] Result<std::string> read_file(const std::filesystem::path& path,
                                            std::uint64_t max_size = k_default_max_file_size);

// read_file for secrets (private keys, password files).
[[nodiscard]] Result<SecureBytes> read_secret_file(const std::filesystem::path& path, std::uint64_t max_size);

// Reads standard input up to max_size.
[[nodiscard]] Result<std::string> read_stdin(std::uint64_t max_size = k_default_max_file_size);

struct AtomicWrite {
  std::filesystem::path path;
  ByteView data;
  mode_t mode = 0644;
  Overwrite overwrite = Overwrite::yes;
};

[[nodiscard]] Result<void> write_file_atomic(const AtomicWrite& request);

// Permission bits of an existing file.
[[nodiscard]] Result<mode_t> file_mode(const std::filesystem::path& path);

// The user that owns an existing file.
[[nodiscard]] Result<uid_t> file_owner(const std::filesystem::path& path);

} // namespace sigil::util
