// sigil::sign Sigstore bundles pushed as OCI 1.1 referrers, as cosign 3 writes them:
// config = the empty descriptor ({}), one layer = the bundle JSON, subject = the image,
// annotations created / dev.sigstore.bundle.content / dev.sigstore.bundle.predicateType,
// artifactType = the bundle media type; PUT by digest. Without a referrers API the
// fallback index tag sha256-<hex> is updated with the same no-lost-update loop as .sig
// tags, and its descriptors carry the artifactType and annotations (cosign#4641 fixed).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/sign/signer.hpp"

#include <map>
#include <optional>
#include <string>

namespace sigil::sign {

struct ReferrerPush {
  oci::Reference image; // by digest
  std::optional<registry::ResolvedDescriptor> subject; // resolved when absent
  registry::Repository target;
  std::string bundle_json;
  std::string predicate_type;
};

// Returns the referrer manifest's digest.
[[nodiscard]] Result<oci::Digest> push_bundle_referrer(registry::Client& client, const ReferrerPush& push);

struct SignatureBundleRequest {
  oci::Reference image; // by digest
  std::optional<registry::ResolvedDescriptor> subject;
  registry::Repository target;
  const Signer& signer;
  std::map<std::string, std::string> annotations;
  bool upload = true;
};

struct SignatureBundle {
  std::string statement; // the signed in-toto statement
  util::Bytes signature;
  std::string bundle_json;
  std::optional<oci::Digest> manifest_digest;
  std::optional<KeylessMaterial> keyless; // keyless: certificate, log entry (dsse), timestamp
};

// The cosign-3 image signature: DSSE over an in-toto statement whose subject is the digest
// (with the -a pairs as subject annotations), predicateType https://sigstore.dev/cosign/sign/v1.
[[nodiscard]] Result<SignatureBundle> push_signature_bundle(registry::Client& client, const SignatureBundleRequest& r);

struct DsseBundle {
  std::string bundle_json;
  util::Bytes signature; // the envelope's signature
  std::optional<KeylessMaterial> keyless;
};

// A DSSE envelope (in-toto payload) wrapped in a Sigstore bundle v0.3: with a key, its hint;
// keyless, the envelope is logged (dsse entry) and timestamped first (witness(): nothing is
// returned unless the entry verified), and the bundle holds certificate, entry and timestamp.
[[nodiscard]] Result<DsseBundle> dsse_bundle(const Signer& signer, std::string_view statement);

} // namespace sigil::sign
