// sigil::tlog Merkle trees of transparency logs (RFC 6962 §2.1, RFC 9162 §2.1).
//
//   leaf_hash(entry)   SHA-256(0x00 || entry): the hash of one log entry (Rekor hashes the
//                      canonicalized body exactly as it was logged)
//   node_hash(l, r)    SHA-256(0x01 || l || r)
//   verify_inclusion   RFC 9162 §2.1.3.2: that the leaf at `index` of a tree of `tree_size`
//                      leaves leads, through the audit path `proof`, to `root_hash`
//
// Every hash is 32 bytes (SHA-256). verify_inclusion checks the shape of the proof before any
// hashing: index < tree_size, exactly as many hashes as the path from that leaf to the root
// has (never more than 64), each 32 bytes. Errors are bad_input and name the problem.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace sigil::tlog {

constexpr std::size_t k_hash_size = 32;

[[nodiscard]] util::Bytes leaf_hash(util::ByteView entry);
[[nodiscard]] util::Bytes node_hash(util::ByteView left, util::ByteView right);

// The number of hashes the audit path of leaf `index` in a tree of `tree_size` leaves has
// (requires index < tree_size).
[[nodiscard]] std::size_t audit_path_length(std::uint64_t index, std::uint64_t tree_size);

[[nodiscard]] Result<void> verify_inclusion(util::ByteView leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                                            std::span<const util::Bytes> proof, util::ByteView root_hash);

} // namespace sigil::tlog
