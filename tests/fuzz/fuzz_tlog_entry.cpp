// Fuzz target: transparency-log entries and bodies (sigil::tlog::parse_bundle_entry,
// parse_cosign_rekor_bundle, parse_body, and the checks over a parsed entry).
//
// The input goes to all three parsers: as the JSON of a bundle's tlog entry, as cosign's rekor
// bundle, and as a canonicalized body.
//
// Invariants:
//   * bounds: a body of at most k_max_body_bytes, at most k_max_proof_hashes proof hashes, at
//     most k_max_body_signatures logged signatures; no integrated time of 0 or below;
//   * a parsed entry's kind and version are the ones its body names, so parse_body of it
//     either succeeds with the same kind and version or fails;
//   * nothing is signed by the fuzz test key: verify_set and verify_inclusion_with_checkpoint
//     fail, with an error;
//   * body claims are consistent: a hashedrekord names a signature, a verifier and a digest of
//     its algorithm's size; dsse/intoto name a 32-byte payload hash and >= 1 signature;
//   * errors are bad_input and start with the parser's context.
#include "fuzz.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/tlog/body.hpp"
#include "sigil/tlog/checkpoint.hpp"
#include "sigil/tlog/entry.hpp"
#include "sigil/tlog/set.hpp"
#include "sigil/util/json.hpp"

namespace {

void check_claims(const sigil::tlog::BodyClaims& claims)
{
  if (claims.kind == "hashedrekord") {
    SIGIL_FUZZ_CHECK(claims.signature.has_value() && claims.verifier_der.has_value());
    SIGIL_FUZZ_CHECK(!claims.verifier_der->empty());
    SIGIL_FUZZ_CHECK(claims.artifact_digest.has_value());
    SIGIL_FUZZ_CHECK(claims.artifact_digest->second.size() ==
                     sigil::crypto::digest_size(claims.artifact_digest->first));
    return;
  }
  SIGIL_FUZZ_CHECK(claims.kind == "dsse" || claims.kind == "intoto");
  SIGIL_FUZZ_CHECK(claims.payload_hash.has_value() && claims.payload_hash->size() == 32);
  SIGIL_FUZZ_CHECK(!claims.dsse_signatures.empty() &&
                   claims.dsse_signatures.size() <= sigil::tlog::k_max_body_signatures);
}

void check_body(sigil::util::ByteView body)
{
  auto claims = sigil::tlog::parse_body(body);
  if (!claims) {
    SIGIL_FUZZ_CHECK(claims.error().code == sigil::ErrorCode::bad_input);
    SIGIL_FUZZ_CHECK(claims.error().message.starts_with("log entry body: "));
    return;
  }
  SIGIL_FUZZ_CHECK(body.size() <= sigil::tlog::k_max_body_bytes);
  check_claims(*claims);
}

void check_entry(const sigil::tlog::Entry& entry)
{
  SIGIL_FUZZ_CHECK(!entry.canonicalized_body.empty() &&
                   entry.canonicalized_body.size() <= sigil::tlog::k_max_body_bytes);
  SIGIL_FUZZ_CHECK(!entry.integrated_time || *entry.integrated_time > 0);
  if (entry.inclusion_proof) {
    SIGIL_FUZZ_CHECK(entry.inclusion_proof->hashes.size() <= sigil::tlog::k_max_proof_hashes);
    SIGIL_FUZZ_CHECK(!entry.inclusion_proof->checkpoint || !entry.inclusion_proof->checkpoint->empty());
  }
  auto claims = sigil::tlog::parse_body(entry.canonicalized_body);
  SIGIL_FUZZ_CHECK(!claims || (claims->kind == entry.kind && claims->version == entry.version));
  const auto& key = sigil::fuzz::test_public_key();
  auto set = sigil::tlog::verify_set(entry, key);
  SIGIL_FUZZ_CHECK(!set && !set.error().message.empty());
  auto proof = sigil::tlog::verify_inclusion_with_checkpoint(entry, key, "");
  SIGIL_FUZZ_CHECK(!proof && !proof.error().message.empty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = sigil::fuzz::as_text(data, size);
  check_body(sigil::util::ByteView(data, size));

  auto cosign = sigil::tlog::parse_cosign_rekor_bundle(text);
  if (cosign) {
    check_entry(*cosign);
  } else {
    SIGIL_FUZZ_CHECK(cosign.error().code == sigil::ErrorCode::bad_input);
    SIGIL_FUZZ_CHECK(cosign.error().message.starts_with("cosign rekor bundle: "));
  }

  auto doc = sigil::util::parse_json(text);
  if (!doc) {
    return 0;
  }
  auto entry = sigil::tlog::parse_bundle_entry(*doc);
  if (!entry) {
    SIGIL_FUZZ_CHECK(entry.error().code == sigil::ErrorCode::bad_input);
    SIGIL_FUZZ_CHECK(entry.error().message.starts_with("transparency log entry: "));
    return 0;
  }
  check_entry(*entry);
  return 0;
}
