// Helpers shared by the unit tests.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sigil::test {

// A fresh directory under $TMPDIR, removed with everything in it at the end of the scope.
class TempDir {
public:
  TempDir()
  {
    std::string pattern = (std::filesystem::temp_directory_path() / "sigil-unit-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    m_path = pattern;
  }
  ~TempDir()
  {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

  // The names in the directory, sorted.
  [[nodiscard]] std::vector<std::string> entries() const
  {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(m_path)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Writes `content` to NAME in the directory; returns its path.
  [[nodiscard]] std::string write(const std::string& name, std::string_view content) const
  {
    const std::filesystem::path path = m_path / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    REQUIRE(out.good());
    return path.string();
  }

private:
  std::filesystem::path m_path;
};

} // namespace sigil::test
