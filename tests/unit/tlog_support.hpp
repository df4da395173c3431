// Helpers of the tlog unit tests: the conformance fixtures read in place (never edited or
// copied), the log keys of their trusted roots, and their bundles' log entries.
#pragma once

#include "sigil/crypto/key.hpp"
#include "sigil/tlog/entry.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace sigil::test {

// The error message of a failed result, empty for a success (for CHECK_MESSAGE).
template <typename T> std::string error_of(const Result<T>& result)
{
  return result ? std::string() : result.error().message;
}

inline std::filesystem::path conformance_dir()
{
  return std::filesystem::path(SIGIL_SHARED_DIR) / "conformance";
}

// False (with a MESSAGE saying the test is skipped) when the fixtures are not there.
inline bool have_conformance()
{
  if (std::filesystem::exists(conformance_dir() / "cases.json")) {
    return true;
  }
  MESSAGE("skipped: conformance fixtures not found under " << conformance_dir().string());
  return false;
}

inline std::string read_fixture(const std::filesystem::path& relative)
{
  auto text = util::read_file(conformance_dir() / relative);
  REQUIRE_MESSAGE(text.has_value(), relative.string());
  return *text;
}

inline util::Json read_fixture_json(const std::filesystem::path& relative)
{
  auto doc = util::parse_json(read_fixture(relative));
  REQUIRE_MESSAGE(doc.has_value(), relative.string());
  return *doc;
}

constexpr std::string_view k_production_root = "sigstore-python/store/production/trusted_root.json";
constexpr std::string_view k_staging_root = "sigstore-python/store/staging/trusted_root.json";

// The key of the log whose baseUrl is base_url in a trusted root (tlogs[].publicKey.rawBytes).
inline crypto::PublicKey log_key(const std::filesystem::path& trusted_root, std::string_view base_url)
{
  const util::Json root = read_fixture_json(trusted_root);
  for (const auto& tlog : root.at("tlogs")) {
    if (tlog.at("baseUrl").get<std::string>() == base_url) {
      auto der = util::base64_decode(tlog.at("publicKey").at("rawBytes").get<std::string>());
      REQUIRE(der.has_value());
      auto key = crypto::PublicKey::from_der(*der);
      REQUIRE(key.has_value());
      return *key;
    }
  }
  FAIL("no log " << base_url << " in " << trusted_root.string());
  throw std::logic_error("unreachable");
}

inline std::filesystem::path bundle_path(std::string_view case_name)
{
  return std::filesystem::path("sigstore-conformance/bundle-verify") / case_name / "bundle.sigstore.json";
}

// The first tlog entry of a conformance bundle, as JSON.
inline util::Json bundle_entry_json(std::string_view case_name)
{
  const util::Json bundle = read_fixture_json(bundle_path(case_name));
  return bundle.at("verificationMaterial").at("tlogEntries").at(0);
}

inline tlog::Entry bundle_entry(std::string_view case_name)
{
  auto entry = tlog::parse_bundle_entry(bundle_entry_json(case_name));
  REQUIRE_MESSAGE(entry.has_value(), case_name << ": " << entry.error().message);
  return *entry;
}

} // namespace sigil::test
