// Fuzz target: checkpoints (sigil::tlog::parse_checkpoint, verify_checkpoint, has_rekor_v1_origin).
//
// Invariants:
//   * bounds: at most k_max_checkpoint_bytes of input, 1..k_max_note_signatures signatures,
//     each with a 4-byte key hint and a non-empty signature; a 32-byte root hash;
//   * the parts are the input's: signed_text is a prefix of the input ending in "\n" and
//     followed by the blank line, it starts with the origin line and the size line, and every
//     extension line is in it; signature names are non-empty without spaces or '+';
//   * nothing in the input is signed by the fuzz test key, so verify_checkpoint fails, under
//     either rule, with a "no checkpoint signature from" or "checkpoint signature invalid" error;
//   * errors are bad_input and start with "malformed checkpoint: ".
#include "fuzz.hpp"

#include "sigil/tlog/checkpoint.hpp"
#include "sigil/tlog/merkle.hpp"
#include "sigil/util/number.hpp"

namespace {

void check_parts(std::string_view text, const sigil::tlog::Checkpoint& cp)
{
  SIGIL_FUZZ_CHECK(text.size() <= sigil::tlog::k_max_checkpoint_bytes);
  SIGIL_FUZZ_CHECK(!cp.signatures.empty() && cp.signatures.size() <= sigil::tlog::k_max_note_signatures);
  for (const auto& sig : cp.signatures) {
    SIGIL_FUZZ_CHECK(sig.key_hint.size() == sigil::tlog::k_key_hint_size && !sig.signature.empty());
    SIGIL_FUZZ_CHECK(!sig.name.empty() && sig.name.find_first_of(" +\n") == std::string::npos);
  }
  SIGIL_FUZZ_CHECK(cp.root_hash.size() == sigil::tlog::k_hash_size);
  SIGIL_FUZZ_CHECK(!cp.origin.empty());
  SIGIL_FUZZ_CHECK(text.starts_with(cp.signed_text) && cp.signed_text.ends_with('\n'));
  SIGIL_FUZZ_CHECK(text.substr(cp.signed_text.size()).starts_with('\n'));
  SIGIL_FUZZ_CHECK(cp.signed_text.starts_with(cp.origin + "\n"));
  const std::size_t size_begin = cp.origin.size() + 1;
  const std::size_t size_end = cp.signed_text.find('\n', size_begin);
  SIGIL_FUZZ_CHECK(sigil::util::parse_uint(
                       std::string_view(cp.signed_text).substr(size_begin, size_end - size_begin)) == cp.tree_size);
  for (const auto& ext : cp.extensions) {
    SIGIL_FUZZ_CHECK(!ext.empty() && cp.signed_text.find(ext + "\n") != std::string::npos);
  }
}

void check_unverified(const sigil::tlog::Checkpoint& cp)
{
  const auto& key = sigil::fuzz::test_public_key();
  for (const std::string_view origin : {std::string_view(), std::string_view(cp.origin)}) {
    auto r = sigil::tlog::verify_checkpoint(cp, key, origin);
    SIGIL_FUZZ_CHECK(!r.has_value());
    SIGIL_FUZZ_CHECK(r.error().message.starts_with("no checkpoint signature from") ||
                     r.error().message.starts_with("checkpoint signature invalid"));
  }
  (void)sigil::tlog::has_rekor_v1_origin(cp.origin);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = sigil::fuzz::as_text(data, size);
  auto cp = sigil::tlog::parse_checkpoint(text);
  if (!cp) {
    SIGIL_FUZZ_CHECK(cp.error().code == sigil::ErrorCode::bad_input);
    SIGIL_FUZZ_CHECK(cp.error().message.starts_with("malformed checkpoint: "));
    return 0;
  }
  check_parts(text, *cp);
  check_unverified(*cp);
  return 0;
}
