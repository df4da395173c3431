#include "sigil/tlog/checkpoint.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/tlog/merkle.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/number.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace sigil::tlog {

namespace {

// "— " : U+2014 EM DASH in UTF-8, then a space.
constexpr std::string_view k_signature_prefix = "\xE2\x80\x94 ";
constexpr std::uint8_t k_alg_ed25519 = 0x01;
constexpr std::uint8_t k_alg_undefined = 0xff;
constexpr std::string_view k_rsa_id = "PKIX-RSA-PKCS#1v1.5";
constexpr std::size_t k_ed25519_raw_size = 32;

std::unexpected<Error> malformed(std::string_view what)
{
  return fail(ErrorCode::bad_input, fmt::format("malformed checkpoint: {}", what));
}

// Splits text that ends with '\n' into its lines (without the newlines).
std::vector<std::string_view> split_lines(std::string_view text)
{
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

// C2SP signed-note names: non-empty, no spaces, no '+' (control characters are refused for
// the whole envelope before).
bool valid_name(std::string_view name)
{
  return !name.empty() && name.find_first_of(" +") == std::string_view::npos;
}

Result<NoteSignature> parse_signature_line(std::string_view line)
{
  if (!line.starts_with(k_signature_prefix)) {
    return malformed("a signature line does not start with \"\\u2014 \"");
  }
  line.remove_prefix(k_signature_prefix.size());
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return malformed("a signature line has no signature after the name");
  }
  const std::string_view name = line.substr(0, space);
  if (!valid_name(name)) {
    return malformed("a signature line has an invalid name");
  }
  auto decoded = util::base64_decode(line.substr(space + 1));
  if (!decoded) {
    return malformed(fmt::format("signature of \"{}\": {}", name, decoded.error().message));
  }
  if (decoded->size() <= k_key_hint_size) {
    return malformed(fmt::format("signature of \"{}\" is too short ({} bytes)", name, decoded->size()));
  }
  NoteSignature sig;
  sig.name = std::string(name);
  sig.key_hint.assign(decoded->begin(), decoded->begin() + k_key_hint_size);
  sig.signature.assign(decoded->begin() + k_key_hint_size, decoded->end());
  return sig;
}

Result<std::vector<NoteSignature>> parse_signature_block(std::string_view block)
{
  if (block.empty()) {
    return malformed("no signatures");
  }
  if (!block.ends_with('\n')) {
    return malformed("the last signature line does not end with a newline");
  }
  std::vector<NoteSignature> out;
  for (const std::string_view line : split_lines(block)) {
    if (out.size() == k_max_note_signatures) {
      return malformed(fmt::format("more than {} signatures", k_max_note_signatures));
    }
    SIGIL_TRY_ASSIGN(auto sig, parse_signature_line(line));
    out.push_back(std::move(sig));
  }
  return out;
}

// origin, tree size and root hash, then the extension lines.
Result<void> parse_note_text(std::string_view text, Checkpoint& out)
{
  const std::vector<std::string_view> lines = split_lines(text);
  if (lines.size() < 3) {
    return malformed(fmt::format("the note has {} lines, not at least 3 (origin, tree size, root hash)", lines.size()));
  }
  if (lines[0].empty()) {
    return malformed("empty origin");
  }
  const auto size = util::parse_uint(lines[1]);
  if (!size) {
    return malformed("the tree size is not a decimal number");
  }
  auto root = util::base64_decode(lines[2]);
  if (!root || root->size() != k_hash_size) {
    return malformed("the root hash is not 32 bytes of base64");
  }
  out.origin = std::string(lines[0]);
  out.tree_size = *size;
  out.root_hash = std::move(*root);
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return malformed("empty line in the note text");
    }
    out.extensions.emplace_back(lines[i]);
  }
  return {};
}

bool has_control_characters(std::string_view text)
{
  return std::ranges::any_of(text, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n') || u == 0x7f;
  });
}

util::Bytes first_four(const util::Bytes& digest)
{
  return {digest.begin(), digest.begin() + k_key_hint_size};
}

util::Bytes c2sp_hint(std::string_view name, std::uint8_t alg, util::ByteView key)
{
  crypto::Hasher hasher(crypto::HashAlgorithm::sha256);
  hasher.update(util::as_bytes(name));
  hasher.update(util::as_bytes("\n"));
  hasher.update(util::ByteView(&alg, 1));
  hasher.update(key);
  return first_four(hasher.finish());
}

// The lines of checkpoint that claim to be the log's.
std::vector<const NoteSignature*> log_lines(const Checkpoint& checkpoint, const crypto::PublicKey& key,
                                            std::string_view expected_origin, HintRule rule)
{
  std::vector<const NoteSignature*> out;
  for (const NoteSignature& sig : checkpoint.signatures) {
    if (!expected_origin.empty() && sig.name != expected_origin) {
      continue;
    }
    if (sig.key_hint == key_hint(key, sig.name, rule)) {
      out.push_back(&sig);
    }
  }
  return out;
}

} // namespace

Result<Checkpoint> parse_checkpoint(std::string_view envelope)
{
  if (envelope.size() > k_max_checkpoint_bytes) {
    return malformed(fmt::format("{} bytes, more than the limit of {}", envelope.size(), k_max_checkpoint_bytes));
  }
  if (has_control_characters(envelope)) {
    return malformed("control characters");
  }
  const std::size_t split = envelope.rfind("\n\n");
  if (split == std::string_view::npos) {
    return malformed("no blank line between the note text and the signatures");
  }
  Checkpoint out;
  out.signed_text = std::string(envelope.substr(0, split + 1));
  SIGIL_TRY(parse_note_text(out.signed_text, out));
  SIGIL_TRY_ASSIGN(out.signatures, parse_signature_block(envelope.substr(split + 2)));
  return out;
}

util::Bytes key_hint(const crypto::PublicKey& key, std::string_view name, HintRule rule)
{
  const util::Bytes der = key.der();
  if (rule == HintRule::c2sp) {
    switch (key.algorithm()) {
    case crypto::KeyAlgorithm::ed25519:
      if (der.size() >= k_ed25519_raw_size) {
        return c2sp_hint(name, k_alg_ed25519, util::ByteView(der).last(k_ed25519_raw_size));
      }
      break;
    case crypto::KeyAlgorithm::rsa: {
      util::Bytes id = util::to_bytes(k_rsa_id);
      id.insert(id.end(), der.begin(), der.end());
      return c2sp_hint(name, k_alg_undefined, id);
    }
    case crypto::KeyAlgorithm::ecdsa_p256:
    case crypto::KeyAlgorithm::ecdsa_p384:
    case crypto::KeyAlgorithm::ecdsa_p521: break;
    }
  }
  return first_four(crypto::sha256(der));
}

bool has_rekor_v1_origin(std::string_view origin)
{
  const std::size_t dash = origin.rfind(" - ");
  if (dash == std::string_view::npos) {
    return false;
  }
  const std::string_view tree_id = origin.substr(dash + 3);
  return !tree_id.empty() && std::ranges::all_of(tree_id, [](char c) { return c >= '0' && c <= '9'; });
}

Result<void> verify_checkpoint(const Checkpoint& checkpoint, const crypto::PublicKey& log_key,
                               std::string_view expected_origin)
{
  if (!expected_origin.empty() && checkpoint.origin != expected_origin) {
    return fail(ErrorCode::bad_input, fmt::format("no checkpoint signature from {}: the checkpoint's origin is {}",
                                                  expected_origin, checkpoint.origin));
  }
  const HintRule rule = expected_origin.empty() ? HintRule::rekor_v1 : HintRule::c2sp;
  const std::vector<const NoteSignature*> lines = log_lines(checkpoint, log_key, expected_origin, rule);
  if (lines.empty()) {
    const std::string_view from = expected_origin.empty() ? std::string_view(checkpoint.origin) : expected_origin;
    return fail(ErrorCode::bad_input, fmt::format("no checkpoint signature from {} with the log key's hint {}", from,
                                                  util::hex_encode(key_hint(log_key, expected_origin, rule))));
  }
  const util::ByteView text = util::as_bytes(checkpoint.signed_text);
  for (const NoteSignature* sig : lines) {
    if (!crypto::verify_message(log_key, text, sig->signature)) {
      return fail(ErrorCode::bad_input, fmt::format("checkpoint signature invalid (signature line \"{}\")", sig->name));
    }
  }
  return {};
}

Result<void> verify_inclusion_with_checkpoint(const Entry& entry, const crypto::PublicKey& log_key,
                                              std::string_view origin_or_empty)
{
  if (!entry.inclusion_proof) {
    return fail(ErrorCode::bad_input, "the log entry has no inclusion proof");
  }
  const InclusionProof& proof = *entry.inclusion_proof;
  if (!proof.checkpoint) {
    return fail(ErrorCode::bad_input, "the inclusion proof has no checkpoint");
  }
  SIGIL_TRY(verify_inclusion(leaf_hash(entry.canonicalized_body), proof.log_index, proof.tree_size, proof.hashes,
                             proof.root_hash));
  SIGIL_TRY_ASSIGN(auto checkpoint, parse_checkpoint(*proof.checkpoint));
  std::string_view origin = origin_or_empty.empty() ? std::string_view(checkpoint.origin) : origin_or_empty;
  if (has_rekor_v1_origin(checkpoint.origin)) {
    origin = {};
  }
  SIGIL_TRY(verify_checkpoint(checkpoint, log_key, origin));
  if (checkpoint.tree_size != proof.tree_size || checkpoint.root_hash != proof.root_hash) {
    return fail(ErrorCode::bad_input,
                fmt::format("the checkpoint (tree size {}, root hash {}) is not the inclusion proof's (tree size {}, "
                            "root hash {})",
                            checkpoint.tree_size, util::hex_encode(checkpoint.root_hash), proof.tree_size,
                            util::hex_encode(proof.root_hash)));
  }
  return {};
}

} // namespace sigil::tlog
