// The files `sigil gate` reads (PATH... or - for standard input) and where --pin writes them.
#pragma once

#include "sigil/core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sigil::cli {

struct ManifestFile {
  std::string name;                 // as reported: the path as found, "-" for standard input
  std::optional<std::filesystem::path> path; // on disk (nullopt for standard input)
  std::filesystem::path pin_name;   // relative path under --pin-dir
  std::string text;
};

// Reads every PATH: a file as given (any name), a directory's *.yaml and *.yml files at any
// depth in name order, "-" standard input (once). A directory with no manifest file, a
// missing path, more than k_max_manifest_files files or k_max_manifest_bytes in all is a usage
// error. --pin-dir names:
// a file's own name, a directory's files by their path inside it, standard input "stdin.yaml";
// two inputs with the same --pin-dir name are a usage error.
inline constexpr std::size_t k_max_manifest_files = 10000;
inline constexpr std::uint64_t k_max_manifest_bytes = std::uint64_t{256} << 20; // all files together
[[nodiscard]] Result<std::vector<ManifestFile>> read_manifest_files(const std::vector<std::string>& paths);

} // namespace sigil::cli
