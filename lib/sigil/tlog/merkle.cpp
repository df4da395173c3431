#include "sigil/tlog/merkle.hpp"

#include "sigil/crypto/digest.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::tlog {

namespace {

constexpr std::uint8_t k_leaf_prefix = 0x00;
constexpr std::uint8_t k_node_prefix = 0x01;

// RFC 9162 §2.1.3.2 step 4.b.ii: when the node is a right border node without a sibling at
// this level, climb until it is a right child (or the root of the subtree).
void climb_border(std::uint64_t& fn, std::uint64_t& sn)
{
  while ((fn & 1U) == 0 && fn != 0) {
    fn >>= 1U;
    sn >>= 1U;
  }
}

} // namespace

util::Bytes leaf_hash(util::ByteView entry)
{
  crypto::Hasher hasher(crypto::HashAlgorithm::sha256);
  const std::uint8_t prefix = k_leaf_prefix;
  hasher.update(util::ByteView(&prefix, 1));
  hasher.update(entry);
  return hasher.finish();
}

util::Bytes node_hash(util::ByteView left, util::ByteView right)
{
  crypto::Hasher hasher(crypto::HashAlgorithm::sha256);
  const std::uint8_t prefix = k_node_prefix;
  hasher.update(util::ByteView(&prefix, 1));
  hasher.update(left);
  hasher.update(right);
  return hasher.finish();
}

std::size_t audit_path_length(std::uint64_t index, std::uint64_t tree_size)
{
  // The verification loop below without the hashing: one hash per level until sn reaches 0.
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  std::size_t length = 0;
  while (sn != 0) {
    if ((fn & 1U) != 0 || fn == sn) {
      climb_border(fn, sn);
    }
    fn >>= 1U;
    sn >>= 1U;
    ++length;
  }
  return length;
}

Result<void> verify_inclusion(util::ByteView leaf, std::uint64_t index, std::uint64_t tree_size,
                              std::span<const util::Bytes> proof, util::ByteView root_hash)
{
  if (index >= tree_size) {
    return fail(ErrorCode::bad_input,
                fmt::format("inclusion proof: leaf index {} is not below the tree size {}", index, tree_size));
  }
  if (leaf.size() != k_hash_size || root_hash.size() != k_hash_size) {
    return fail(ErrorCode::bad_input, "inclusion proof: leaf and root hashes must be 32 bytes (SHA-256)");
  }
  const std::size_t expected = audit_path_length(index, tree_size);
  if (proof.size() != expected) {
    return fail(
        ErrorCode::bad_input,
        fmt::format("inclusion proof: wrong number of hashes: {} given, {} expected for leaf {} of a tree of {}",
                    proof.size(), expected, index, tree_size));
  }
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != k_hash_size) {
      return fail(ErrorCode::bad_input,
                  fmt::format("inclusion proof: hash {} has {} bytes, not 32", i, proof[i].size()));
    }
  }
  std::uint64_t fn = index;
  std::uint64_t sn = tree_size - 1;
  util::Bytes r(leaf.begin(), leaf.end());
  for (const util::Bytes& p : proof) {
    // sn cannot reach 0 early: the proof has exactly audit_path_length(index, tree_size) hashes.
    if ((fn & 1U) != 0 || fn == sn) {
      r = node_hash(p, r);
      climb_border(fn, sn);
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1U;
    sn >>= 1U;
  }
  if (sn != 0 || !std::ranges::equal(r, root_hash)) {
    return fail(ErrorCode::bad_input, "inclusion proof does not lead to the root hash");
  }
  return {};
}

} // namespace sigil::tlog
