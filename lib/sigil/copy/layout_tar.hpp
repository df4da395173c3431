// sigil::copy an OCI image layout as one tar file (`sigil save --tar`, `sigil load --tar`).
//
// Written: POSIX ustar (a pax header only for a name over 100 bytes or a size over 8 GiB), the
// layout's files in a fixed order (oci-layout, index.json, blobs/...), owner 0, mtime 0, into
// FILE.sigil-tmp and renamed onto FILE once complete. Read: only regular files and directories
// named oci-layout, index.json or under blobs/ (an optional leading "./"); an absolute path, a
// ".." component, a link or device, a duplicate, a bad header checksum or a truncated archive
// is refused (bad_input) with the entry's name, before anything outside the target directory
// could be touched. Both stream in chunks: never a whole blob in memory.
#pragma once

#include "sigil/core/result.hpp"

#include <filesystem>

namespace sigil::copy {

// Writes the layout in `dir` as the tar archive `file` (replaced atomically).
[[nodiscard]] Result<void> write_layout_tar(const std::filesystem::path& dir, const std::filesystem::path& file);
// Extracts the layout archive `file` into `dir` (which must be empty or absent).
[[nodiscard]] Result<void> extract_layout_tar(const std::filesystem::path& file, const std::filesystem::path& dir);

} // namespace sigil::copy
