// RFC 6962 inclusion proofs: trees of 1..70 leaves built here from the RFC's definitions (MTH
// and PATH, §2.1 and §2.1.1), every leaf of every size verified, and each proof rejected once
// any part of it is changed.
#include "sigil/tlog/merkle.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/util/encoding.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <string>
#include <vector>

namespace {

using sigil::tlog::leaf_hash;
using sigil::tlog::node_hash;
using sigil::tlog::verify_inclusion;
using sigil::util::Bytes;

constexpr std::size_t k_max_leaves = 70;

// The largest power of two smaller than n (n > 1).
std::size_t split_point(std::size_t n)
{
  return std::bit_floor(n - 1);
}

std::vector<Bytes> make_leaves(std::size_t n)
{
  std::vector<Bytes> leaves;
  for (std::size_t i = 0; i < n; ++i) {
    leaves.push_back(sigil::util::to_bytes("leaf " + std::to_string(i)));
  }
  return leaves;
}

// MTH(D[begin:end]) by the RFC's recursive definition.
Bytes mth(const std::vector<Bytes>& d, std::size_t begin, std::size_t end)
{
  const std::size_t n = end - begin;
  if (n == 0) {
    return sigil::crypto::sha256({});
  }
  if (n == 1) {
    return leaf_hash(d[begin]);
  }
  const std::size_t k = split_point(n);
  return node_hash(mth(d, begin, begin + k), mth(d, begin + k, end));
}

// PATH(m, D[begin:end]).
std::vector<Bytes> path(std::size_t m, const std::vector<Bytes>& d, std::size_t begin, std::size_t end)
{
  const std::size_t n = end - begin;
  if (n <= 1) {
    return {};
  }
  const std::size_t k = split_point(n);
  std::vector<Bytes> out;
  if (m < k) {
    out = path(m, d, begin, begin + k);
    out.push_back(mth(d, begin + k, end));
  } else {
    out = path(m - k, d, begin + k, end);
    out.push_back(mth(d, begin, begin + k));
  }
  return out;
}

bool verifies(const Bytes& leaf, std::uint64_t index, std::uint64_t size, const std::vector<Bytes>& proof,
              const Bytes& root)
{
  return verify_inclusion(leaf, index, size, proof, root).has_value();
}

} // namespace

TEST_CASE("tlog merkle: hashes follow RFC 6962 (0x00 leaf prefix, 0x01 node prefix)")
{
  // The RFC 6962 test vector: the hash of the empty leaf.
  CHECK(sigil::util::hex_encode(leaf_hash({})) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  const Bytes a = leaf_hash(sigil::util::as_bytes("a"));
  const Bytes b = leaf_hash(sigil::util::as_bytes("b"));
  Bytes joined{0x01};
  joined.insert(joined.end(), a.begin(), a.end());
  joined.insert(joined.end(), b.begin(), b.end());
  CHECK(node_hash(a, b) == sigil::crypto::sha256(joined));
  CHECK(node_hash(a, b) != node_hash(b, a));
}

TEST_CASE("tlog merkle: every leaf of every tree of 1..70 leaves verifies with its audit path")
{
  const std::vector<Bytes> all = make_leaves(k_max_leaves);
  std::size_t checked = 0;
  for (std::size_t n = 1; n <= k_max_leaves; ++n) {
    const Bytes root = mth(all, 0, n);
    for (std::size_t m = 0; m < n; ++m) {
      const std::vector<Bytes> proof = path(m, all, 0, n);
      CHECK(sigil::tlog::audit_path_length(m, n) == proof.size());
      INFO("leaf ", m, " of ", n);
      CHECK(verifies(leaf_hash(all[m]), m, n, proof, root));
      ++checked;
    }
  }
  CHECK(checked == k_max_leaves * (k_max_leaves + 1) / 2);
}

TEST_CASE("tlog merkle: a proof with any part changed is rejected")
{
  const std::vector<Bytes> all = make_leaves(k_max_leaves + 1);
  for (std::size_t n = 1; n <= k_max_leaves; ++n) {
    const Bytes root = mth(all, 0, n);
    const Bytes bigger_root = mth(all, 0, n + 1);
    for (std::size_t m = 0; m < n; ++m) {
      INFO("leaf ", m, " of ", n);
      const Bytes leaf = leaf_hash(all[m]);
      const std::vector<Bytes> proof = path(m, all, 0, n);
      for (std::size_t i = 0; i < proof.size(); ++i) {
        std::vector<Bytes> changed = proof;
        changed[i][i % 32] ^= 0x01;
        CHECK_FALSE(verifies(leaf, m, n, changed, root));
      }
      CHECK_FALSE(verifies(leaf_hash(all[n]), m, n, proof, root)); // another leaf
      Bytes other_root = root;
      other_root[31] ^= 0x80;
      CHECK_FALSE(verifies(leaf, m, n, proof, other_root));
      CHECK_FALSE(verifies(leaf, m + 1, n, proof, root));
      if (m > 0) {
        CHECK_FALSE(verifies(leaf, m - 1, n, proof, root));
      }
      // Another size comes with its own root (a checkpoint signs both).
      CHECK_FALSE(verifies(leaf, m, n + 1, proof, bigger_root));
      if (n > 1 && m < n - 1) {
        CHECK_FALSE(verifies(leaf, m, n - 1, proof, mth(all, 0, n - 1)));
      }
      std::vector<Bytes> extra = proof;
      extra.push_back(root);
      CHECK_FALSE(verifies(leaf, m, n, extra, root));
      if (!proof.empty()) {
        std::vector<Bytes> missing(proof.begin(), proof.end() - 1);
        CHECK_FALSE(verifies(leaf, m, n, missing, root));
      }
    }
  }
}

TEST_CASE("tlog merkle: errors name the problem")
{
  const std::vector<Bytes> all = make_leaves(5);
  const Bytes root = mth(all, 0, 5);
  const std::vector<Bytes> proof = path(2, all, 0, 5);
  const Bytes leaf = leaf_hash(all[2]);

  auto r = verify_inclusion(leaf, 5, 5, proof, root);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "inclusion proof: leaf index 5 is not below the tree size 5");
  CHECK(r.error().code == sigil::ErrorCode::bad_input);

  r = verify_inclusion(leaf, 2, 0, proof, root);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("is not below the tree size 0") != std::string::npos);

  std::vector<Bytes> longer = proof;
  longer.push_back(root);
  r = verify_inclusion(leaf, 2, 5, longer, root);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.starts_with("inclusion proof: wrong number of hashes: 4 given, 3 expected"));

  std::vector<Bytes> short_hash = proof;
  short_hash[1].pop_back();
  r = verify_inclusion(leaf, 2, 5, short_hash, root);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "inclusion proof: hash 1 has 31 bytes, not 32");

  Bytes other = root;
  other[0] ^= 1;
  r = verify_inclusion(leaf, 2, 5, proof, other);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "inclusion proof does not lead to the root hash");

  r = verify_inclusion(Bytes(31, 0), 2, 5, proof, root);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("32 bytes") != std::string::npos);
}

TEST_CASE("tlog merkle: a tree of one leaf has an empty proof, and huge trees do not overflow")
{
  const Bytes leaf = leaf_hash(sigil::util::as_bytes("only"));
  CHECK(verify_inclusion(leaf, 0, 1, {}, leaf).has_value());
  // The last leaf of 2^64 - 1 leaves is the right border: 63 levels, one hash each.
  CHECK(sigil::tlog::audit_path_length(UINT64_MAX - 1, UINT64_MAX) == 63);
  CHECK(sigil::tlog::audit_path_length(0, UINT64_MAX) == 64);
  CHECK(sigil::tlog::audit_path_length(0, std::uint64_t{1} << 63) == 63);
  const std::vector<Bytes> junk(64, Bytes(32, 7));
  auto r = verify_inclusion(leaf, 0, UINT64_MAX, junk, leaf);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "inclusion proof does not lead to the root hash");
}
