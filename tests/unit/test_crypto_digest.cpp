// Tests for sigil::crypto digests: FIPS 180-4 example vectors, incremental hashing, names.
#include "sigil/crypto/digest.hpp"

#include "sigil/util/encoding.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using sigil::crypto::HashAlgorithm;
using sigil::util::as_bytes;
using sigil::util::hex_encode;

struct Vector {
  std::string message;
  std::string_view sha256;
  std::string_view sha384;
  std::string_view sha512;
};

const Vector k_vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a"
     "5"
     "38327af927da3e"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2"
     "a"
     "9ac94fa54ca49f"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
     "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b",
     "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd703"
     "54ec631238ca3445"},
    {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
     "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985",
     "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e"
     "4eadb217ad8cc09b"},
};

} // namespace

TEST_CASE("digests: FIPS 180-4 vectors, one-shot and incremental")
{
  for (const auto& v : k_vectors) {
    CAPTURE(v.message.size());
    const struct {
      HashAlgorithm alg;
      std::string_view hex;
    } expected[] = {
        {HashAlgorithm::sha256, v.sha256}, {HashAlgorithm::sha384, v.sha384}, {HashAlgorithm::sha512, v.sha512}};
    for (const auto& e : expected) {
      CAPTURE(sigil::crypto::hash_name(e.alg));
      const auto one_shot = sigil::crypto::hash(e.alg, as_bytes(v.message));
      CHECK(one_shot.size() == sigil::crypto::digest_size(e.alg));
      CHECK(hex_encode(one_shot) == e.hex);
      // Fed in uneven pieces (including empty updates).
      sigil::crypto::Hasher hasher(e.alg);
      CHECK(hasher.algorithm() == e.alg);
      std::size_t pos = 0;
      std::size_t step = 1;
      while (pos < v.message.size()) {
        const std::size_t n = std::min(step, v.message.size() - pos);
        hasher.update(as_bytes(std::string_view(v.message).substr(pos, n)));
        hasher.update({});
        pos += n;
        step = step * 3 + 1;
      }
      CHECK(hex_encode(hasher.finish()) == e.hex);
    }
    CHECK(hex_encode(sigil::crypto::sha256(as_bytes(v.message))) == v.sha256);
    CHECK(sigil::crypto::sha256_digest_string(as_bytes(v.message)) == "sha256:" + std::string(v.sha256));
  }
}

TEST_CASE("digests: names and sizes")
{
  struct Case {
    HashAlgorithm alg;
    std::string_view sigstore;
    std::string_view oci;
    std::size_t size;
  };
  const Case cases[] = {
      {HashAlgorithm::sha256, "SHA2_256", "sha256", 32},
      {HashAlgorithm::sha384, "SHA2_384", "sha384", 48},
      {HashAlgorithm::sha512, "SHA2_512", "sha512", 64},
  };
  for (const auto& c : cases) {
    CAPTURE(c.oci);
    CHECK(sigil::crypto::sigstore_hash_name(c.alg) == c.sigstore);
    CHECK(sigil::crypto::hash_name(c.alg) == c.oci);
    CHECK(sigil::crypto::digest_size(c.alg) == c.size);
    CHECK(sigil::crypto::parse_sigstore_hash_name(c.sigstore) == c.alg);
    CHECK(static_cast<std::size_t>(EVP_MD_get_size(sigil::crypto::evp_md(c.alg))) == c.size);
  }
  for (const std::string_view bad : {"", "sha256", "SHA256", "SHA2_224", "SHA3_256", "sha2_256", "SHA2_256 "}) {
    CAPTURE(bad);
    CHECK_FALSE(sigil::crypto::parse_sigstore_hash_name(bad).has_value());
  }
}
