// sigil::tlog checkpoints: C2SP signed notes carrying a tlog-checkpoint.
//
//   <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n ...]\n
//   — <name> <base64(4-byte key hint || signature)>\n   (one or more lines)
//
// parse_checkpoint reads the envelope text of an inclusion proof and checks only its shape:
// the note text ends at the last blank line; origin non-empty, tree size in decimal, root hash
// 32 bytes of standard base64, extension lines (Rekor v1's "Timestamp: ...") kept as written;
// every signature line starts with "— " (U+2014, space), has a name without spaces or '+',
// and a signature of more than the 4 hint bytes; the envelope ends with a newline. No control
// characters besides newline, at most k_max_checkpoint_bytes and k_max_note_signatures.
//
// verify_checkpoint: which lines count, and which must verify.
//  * expected_origin given (Rekor v2 and other C2SP logs; the origin is the host of the log's
//    baseUrl): the checkpoint's origin must be exactly expected_origin; the lines whose name is
//    expected_origin and whose key hint is the log key's are the log's. The witnesses'
//    cosignature lines (unknown names or keys) are ignored, wherever they stand.
//  * expected_origin empty (Rekor v1, whose origin line "rekor.sigstore.dev - <tree id>" is
//    not the signature name "rekor.sigstore.dev"): the lines whose key hint is the log key's
//    count, whatever their name. This is what sigstore-go does for checkpoints with an origin
//    ending in " - <digits>" (rekor pkg/util/signed_note.go: hint compared, name ignored).
// At least one line must count, and every line that counts must verify over signed_text (a
// line claiming to be the log's but not verifying is an attack or corruption, as in
// golang.org/x/mod/sumdb/note). ECDSA and RSA sign SHA-256 of the text, Ed25519 the text.
//
// Key hints (rekor-tiles pkg/note): ECDSA: the first 4 bytes of SHA-256(PKIX DER) (also what
// Rekor v1 uses for every key); Ed25519: of SHA-256(name || "\n" || 0x01 || raw 32-byte key);
// RSA (v2 only): of SHA-256(name || "\n" || 0xff || "PKIX-RSA-PKCS#1v1.5" || PKIX DER).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/tlog/entry.hpp"
#include "sigil/util/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::tlog {

constexpr std::size_t k_max_checkpoint_bytes = std::size_t{64} << 10;
constexpr std::size_t k_max_note_signatures = 100;
constexpr std::size_t k_key_hint_size = 4;

struct NoteSignature {
  std::string name;
  util::Bytes key_hint; // 4 bytes
  util::Bytes signature;
};

struct Checkpoint {
  std::string origin;
  std::uint64_t tree_size = 0;
  util::Bytes root_hash;
  std::vector<std::string> extensions; // the lines after the root hash, without their newline
  std::string signed_text;             // the note text, including its final newline
  std::vector<NoteSignature> signatures;
};

[[nodiscard]] Result<Checkpoint> parse_checkpoint(std::string_view envelope);

// The key hint of `key` on a signature line named `name` (see above); rekor_v1 selects the
// Rekor v1 rule (SHA-256 of the PKIX DER for every key type).
enum class HintRule { rekor_v1, c2sp };
[[nodiscard]] util::Bytes key_hint(const crypto::PublicKey& key, std::string_view name, HintRule rule);

// True for Rekor v1's origin lines: "<name> - <decimal tree id>".
[[nodiscard]] bool has_rekor_v1_origin(std::string_view origin);

[[nodiscard]] Result<void> verify_checkpoint(const Checkpoint& checkpoint, const crypto::PublicKey& log_key,
                                             std::string_view expected_origin);

// An entry's inclusion proof, end to end: the leaf hash of canonicalized_body leads through
// the proof's hashes to its root hash; the proof's checkpoint parses and verifies with the log
// key; the checkpoint's tree size and root hash are the proof's.
// Which signature rule applies (as sigstore-go's VerifyTlogEntry): a checkpoint whose origin
// has Rekor v1's form ("<name> - <tree id>") is verified by key hint (expected origin empty);
// any other is a C2SP checkpoint verified against origin_or_empty, which the caller sets to
// the host of the log's baseUrl ("log2025-1.rekor.sigstore.dev"); when empty, the
// checkpoint's own origin is used, so only the key binds the checkpoint to the log.
[[nodiscard]] Result<void> verify_inclusion_with_checkpoint(const Entry& entry, const crypto::PublicKey& log_key,
                                                            std::string_view origin_or_empty);

} // namespace sigil::tlog
