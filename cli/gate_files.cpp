#include "gate_files.hpp"

#include "sigil/util/file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <system_error>

namespace sigil::cli {

namespace {

namespace fs = std::filesystem;

bool is_manifest_name(const fs::path& p)
{
  const auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json"; // as kubectl apply -f DIR
}

Result<void> list_directory(const fs::path& dir, std::vector<std::pair<fs::path, fs::path>>& out)
{
  std::error_code ec;
  std::vector<std::pair<fs::path, fs::path>> found;
  auto it = fs::recursive_directory_iterator(dir, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && is_manifest_name(it->path())) {
      found.emplace_back(it->path(), it->path().lexically_relative(dir));
      if (found.size() + out.size() > k_max_manifest_files) {
        return fail(ErrorCode::usage, fmt::format("more than {} manifest files under {}; pass fewer paths",
                                                  k_max_manifest_files, dir.string()));
      }
    }
  }
  if (ec) {
    return fail(ErrorCode::usage, fmt::format("reading directory {}: {}", dir.string(), ec.message()));
  }
  if (found.empty()) {
    return fail(ErrorCode::usage, fmt::format("no *.yaml, *.yml or *.json file under {}", dir.string()));
  }
  std::ranges::sort(found);
  out.insert(out.end(), found.begin(), found.end());
  return {};
}

Result<ManifestFile> read_one(const fs::path& path, fs::path pin_name)
{
  auto text = util::read_file(path);
  if (!text) {
    return fail(ErrorCode::usage, fmt::format("reading {}: {}", path.string(), text.error().message));
  }
  return ManifestFile{.name = path.string(), .path = path, .pin_name = std::move(pin_name), .text = std::move(*text)};
}

} // namespace

Result<std::vector<ManifestFile>> read_manifest_files(const std::vector<std::string>& paths)
{
  std::vector<ManifestFile> files;
  bool stdin_read = false;
  std::uint64_t total = 0;
  const auto add = [&](ManifestFile f) -> Result<void> {
    total += f.text.size();
    if (total > k_max_manifest_bytes) {
      return fail(ErrorCode::usage, fmt::format("the manifests add up to more than {} MiB; pass fewer paths",
                                                k_max_manifest_bytes >> 20));
    }
    files.push_back(std::move(f));
    return {};
  };
  for (const auto& arg : paths) {
    if (arg == "-") {
      if (stdin_read) {
        return fail(ErrorCode::usage, "- (standard input) given twice");
      }
      stdin_read = true;
      SIGIL_TRY_ASSIGN(auto text, util::read_stdin());
      SIGIL_TRY(add({.name = "-", .path = std::nullopt, .pin_name = "stdin.yaml", .text = std::move(text)}));
      continue;
    }
    std::error_code ec;
    const fs::path p(arg);
    if (fs::is_directory(p, ec)) {
      std::vector<std::pair<fs::path, fs::path>> listed;
      SIGIL_TRY(list_directory(p, listed));
      for (auto& [path, rel] : listed) {
        SIGIL_TRY_ASSIGN(auto f, read_one(path, rel));
        SIGIL_TRY(add(std::move(f)));
      }
    } else if (fs::exists(p, ec)) {
      SIGIL_TRY_ASSIGN(auto f, read_one(p, p.filename()));
      SIGIL_TRY(add(std::move(f)));
    } else {
      return fail(ErrorCode::usage, fmt::format("{}: no such file or directory", arg));
    }
    if (files.size() > k_max_manifest_files) {
      return fail(ErrorCode::usage, fmt::format("more than {} manifest files; pass fewer paths", k_max_manifest_files));
    }
  }
  std::set<fs::path> names;
  for (const auto& f : files) {
    if (!names.insert(f.pin_name).second) {
      return fail(ErrorCode::usage, fmt::format("two inputs would be pinned to the same name {} under --pin-dir; "
                                                "pass their parent directory instead",
                                                f.pin_name.string()));
    }
  }
  return files;
}

} // namespace sigil::cli
