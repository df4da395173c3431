// Fuzz target: Sigstore bundles and cosign's legacy blob bundles (sigil::bundle::parse_bundle,
// parse_legacy_bundle, detect_bundle_kind, write_bundle).
//
// Invariants:
//   * detect_bundle_kind agrees with the parsers: a parsed Sigstore bundle is detected as
//     one; a parsed legacy bundle is detected as some bundle;
//   * write_bundle(parse_bundle(x)) parses to the same bundle (mediaType, key hint, content;
//     certificates and tlog entries are not written) and writing it again is stable;
//   * limits: a DSSE envelope has 1..k_max_signatures signatures; a message digest has the
//     size of its algorithm;
//   * the corpus holds bundles signed with the fuzz test key; a bundle that verifies must
//     stop verifying when the signed digest, payload or payloadType changes;
//   * errors are bad_input.
#include "fuzz.hpp"

#include "sigil/bundle/bundle.hpp"

#include <algorithm>

namespace {

using sigil::bundle::Bundle;
using sigil::bundle::BundleKind;
using sigil::bundle::DsseEnvelope;
using sigil::bundle::MessageSignature;

bool same_content(const Bundle& a, const Bundle& b)
{
  if (a.content.index() != b.content.index()) {
    return false;
  }
  if (const auto* ms = std::get_if<MessageSignature>(&a.content)) {
    const auto& other = std::get<MessageSignature>(b.content);
    return ms->digest_algorithm == other.digest_algorithm && ms->digest == other.digest &&
           ms->signature == other.signature;
  }
  const auto& env = std::get<DsseEnvelope>(a.content);
  const auto& other = std::get<DsseEnvelope>(b.content);
  return env.payload_type == other.payload_type && env.payload == other.payload &&
         std::ranges::equal(env.signatures, other.signatures,
                            [](const auto& x, const auto& y) { return x.sig == y.sig && x.keyid == y.keyid; });
}

void check_verify(const Bundle& bundle)
{
  const auto& key = sigil::fuzz::test_public_key();
  if (const auto* ms = std::get_if<MessageSignature>(&bundle.content)) {
    // messageDigest is optional (protobuf-specs): absent, the digest is empty; present, it is whole.
    SIGIL_FUZZ_CHECK(ms->digest.empty() || ms->digest.size() == sigil::crypto::digest_size(ms->digest_algorithm));
    if (ms->digest.empty()) {
      return;
    }
    if (sigil::crypto::verify_digest(key, ms->digest_algorithm, ms->digest, ms->signature)) {
      SIGIL_FUZZ_CHECK(
          !sigil::crypto::verify_digest(key, ms->digest_algorithm, sigil::fuzz::altered(ms->digest), ms->signature));
    }
    return;
  }
  const auto& env = std::get<DsseEnvelope>(bundle.content);
  SIGIL_FUZZ_CHECK(!env.signatures.empty() && env.signatures.size() <= sigil::dsse::k_max_signatures);
  if (sigil::dsse::any_verified(sigil::dsse::verify(env, key))) {
    DsseEnvelope other = env;
    other.payload = sigil::fuzz::altered(env.payload);
    SIGIL_FUZZ_CHECK(!sigil::dsse::any_verified(sigil::dsse::verify(other, key)));
    other = env;
    other.payload_type += "x";
    SIGIL_FUZZ_CHECK(!sigil::dsse::any_verified(sigil::dsse::verify(other, key)));
  }
}

void check_bundle(const Bundle& bundle)
{
  const std::string written = sigil::bundle::write_bundle(bundle);
  auto again = sigil::bundle::parse_bundle(written);
  SIGIL_FUZZ_CHECK(again.has_value());
  SIGIL_FUZZ_CHECK(again->media_type == bundle.media_type && again->public_key_hint == bundle.public_key_hint);
  SIGIL_FUZZ_CHECK(same_content(*again, bundle));
  SIGIL_FUZZ_CHECK(sigil::bundle::write_bundle(*again) == written);
  check_verify(bundle);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view json = sigil::fuzz::as_text(data, size);
  const auto kind = sigil::bundle::detect_bundle_kind(json);
  if (!kind) {
    SIGIL_FUZZ_CHECK(kind.error().code == sigil::ErrorCode::bad_input);
  }
  if (auto bundle = sigil::bundle::parse_bundle(json)) {
    SIGIL_FUZZ_CHECK(kind.has_value() && *kind == BundleKind::sigstore);
    check_bundle(*bundle);
  } else {
    SIGIL_FUZZ_CHECK(bundle.error().code == sigil::ErrorCode::bad_input);
  }
  if (auto legacy = sigil::bundle::parse_legacy_bundle(json)) {
    SIGIL_FUZZ_CHECK(kind.has_value());
  } else {
    SIGIL_FUZZ_CHECK(legacy.error().code == sigil::ErrorCode::bad_input);
  }
  return 0;
}
