// Tests for oci::sha256_digest: the digest of content bytes as an oci::Digest.
#include "sigil/oci/reference.hpp"
#include "sigil/util/bytes.hpp"

#include <doctest/doctest.h>

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
