// Tests for oci::sha256_digest: the digest of content bytes as an oci::Digest.
#include "sigil/oci/reference.hpp"
#include "sigil/util/bytes.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <string_view>

TEST_CASE("sha256_digest of known content")
{
  struct Case {
    std::string_view content;
    std::string_view hex;
  };
  const Case cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.content);
    const sigil::oci::Digest from_text = sigil::oci::sha256_digest(c.content);
    CHECK(from_text.algorithm == sigil::oci::DigestAlgorithm::sha256);
    CHECK(from_text.hex == c.hex);
    CHECK(from_text.is_valid());
    CHECK(sigil::oci::sha256_digest(sigil::util::as_bytes(c.content)) == from_text);
    CHECK(from_text.str() == "sha256:" + std::string(c.hex));
  }
}

// oci::DigestCheck: the one content check (registry::Client, image layouts); and a layout's
// BlobReader checks a blob as it is read: the read that delivers the last byte of a file that
// does not hash to its name fails, naming the file's digest.
#include "sigil/oci/digest.hpp"
#include "sigil/oci/layout.hpp"
#include "sigil/util/file.hpp"
#include "support.hpp"

#include <filesystem>
#include <vector>

TEST_CASE("DigestCheck: nothing when the bytes match, the digest they have when not")
{
  const auto abc = sigil::oci::sha256_digest(std::string_view{"abc"});
  CHECK_FALSE(sigil::oci::digest_mismatch(abc, sigil::util::as_bytes(std::string_view{"abc"})));
  sigil::oci::DigestCheck check(abc);
  check.update(sigil::util::as_bytes(std::string_view{"ab"}));
  check.update(sigil::util::as_bytes(std::string_view{"d"}));
  CHECK(check.mismatch() == sigil::oci::sha256_digest(std::string_view{"abd"}).str());
}

TEST_CASE("BlobReader: a layout file that does not hash to its name fails at its last byte")
{
  namespace fs = std::filesystem;
  const sigil::test::TempDir tmp;
  const fs::path dir = tmp.path() / "layout";
  auto layout = sigil::oci::Layout::open_or_create(dir);
  REQUIRE(layout);
  const auto named = sigil::oci::sha256_digest(std::string_view{"good bytes"});
  REQUIRE(layout->write_blob(named, "good bytes"));
  const sigil::oci::Descriptor d{.media_type = {}, .digest = named, .size = 10};
  const auto read_all = [&]() -> sigil::Result<std::string> {
    SIGIL_TRY_ASSIGN(auto reader, sigil::oci::BlobReader::open(*layout, d));
    std::vector<std::uint8_t> buffer(4);
    std::string out;
    for (int i = 0; i < 10; ++i) {
      SIGIL_TRY_ASSIGN(const auto n, reader.read(buffer));
      out.append(reinterpret_cast<const char*>(buffer.data()), n);
      if (out.size() == 10) {
        return out; // a reader that knows the size never asks for the end
      }
    }
    return out;
  };
  CHECK(read_all().value_or("") == "good bytes");
  fs::permissions(layout->blob_path(named), fs::perms::owner_write, fs::perm_options::add);
  REQUIRE(sigil::util::write_file_atomic({.path = layout->blob_path(named),
                                          .data = sigil::util::as_bytes(std::string_view{"evil bytes"}),
                                          .mode = 0644}));
  const auto tampered = read_all();
  REQUIRE_FALSE(tampered);
  CHECK(tampered.error().code == sigil::ErrorCode::bad_input);
  CHECK(tampered.error().message ==
        fmt::format("blob {} of the layout {} does not match its digest (the file hashes to {})", named.str(),
                    dir.string(), sigil::oci::sha256_digest(std::string_view{"evil bytes"}).str()));
}
