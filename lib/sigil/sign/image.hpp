// sigil::sign image signing: a digest (never a tag) signed and attached in cosign's formats.
//
// legacy: simple-signing payload in the `sha256-<hex>.sig` manifest (what cosign 2, Kyverno,
//         podman, skopeo and CRI-O read);
// bundle: Sigstore bundle v0.3 (DSSE over an in-toto statement, predicateType
//         https://sigstore.dev/cosign/sign/v1) pushed as an OCI 1.1 referrer, with the
//         referrers fallback tag updated when the registry has no referrers API (cosign 3);
// both:   the two.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/sign/signer.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::sign {

enum class Format { legacy, bundle, both };

// The refusal of legacy (and both) with a signer whose log gives no SET (Rekor v2).
constexpr std::string_view k_legacy_needs_set =
  "cosign's legacy .sig/.att layers carry Rekor v1's signed entry timestamp (dev.sigstore.cosign/bundle), which "
  "Rekor v2 does not give: use --format bundle (the default with a Rekor v2 log)";

struct SignImageRequest {
  oci::Reference image;
  std::optional<registry::Repository> signature_repo; // default: registry::signature_repository
  const Signer& signer; // asked for the key only once the registry work that needs none is done
  std::map<std::string, std::string> annotations;
  Format format = Format::legacy;
  bool recursive = false; // an index: sign it and every platform manifest
  bool upload = true;     // false: only produce payload and signature
};

struct SignedDigest {
  oci::Reference image; // by digest
  std::string payload;  // the exact signed bytes (simple-signing)
  util::Bytes signature;
  bool already_signed = false; // legacy: an equivalent signature by this key was there
  std::optional<oci::Digest> referrer; // bundle format: the referrer manifest's digest
  std::optional<KeylessMaterial> keyless; // keyless legacy signature: certificate, log entry, timestamp
};

struct SignImageResult {
  bool tag_given = false;
  std::vector<SignedDigest> signed_digests;
};

[[nodiscard]] Result<SignImageResult> sign_image(registry::Client& client, const SignImageRequest& request);

} // namespace sigil::sign
