// sigil::sign attestations: an in-toto statement about an image or a file, signed in a DSSE
// envelope, and stored as cosign does — a layer of the `sha256-<hex>.att` manifest (legacy)
// or a Sigstore bundle referrer (bundle) — or, for files, written as a Sigstore bundle.
// Keyless (a KeylessSigner), each envelope is logged in Rekor as a dsse 0.0.1 entry and
// timestamped before anything is uploaded: the .att layer then carries cosign's keyless
// annotations, a bundle the certificate, the entry and the timestamp.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/sign/image.hpp"

#include <optional>
#include <string>

namespace sigil::sign {

struct PredicateInput {
  std::string type;         // --type: a cosign name (slsaprovenance1, custom, ...) or a URI
  std::string content;      // the --predicate file's bytes
  std::string statement_type; // in-toto Statement v1 (default) or v0.1
};

// The statement for these subjects: the predicate type resolved to its URI, the predicate a
// JSON object (custom wraps the file as cosign does: {"Data","Timestamp"}).
[[nodiscard]] Result<std::string> build_attestation_statement(const PredicateInput& predicate,
                                                              const std::vector<intoto::Subject>& subjects);

struct AttestImageRequest {
  oci::Reference image;
  std::optional<registry::Repository> signature_repo; // default: registry::signature_repository
  const Signer& signer;
  PredicateInput predicate;
  Format format = Format::legacy;
};

struct AttestImageResult {
  oci::Reference image; // by digest
  bool tag_given = false;
  std::string statement;
  std::optional<oci::Digest> referrer;
  std::optional<KeylessMaterial> keyless; // keyless: the (first) logged entry, certificate, timestamp
};

[[nodiscard]] Result<AttestImageResult> attest_image(registry::Client& client, const AttestImageRequest& request);

struct AttestBlobRequest {
  std::string input; // path or "-"
  std::string subject_name; // default: the file's base name
  const Signer& signer;
  PredicateInput predicate;
};

struct AttestBlobResult {
  std::string statement;
  std::string bundle_json; // Sigstore bundle v0.3 with the DSSE envelope
  std::optional<KeylessMaterial> keyless; // keyless: certificate, dsse log entry, timestamp (in the bundle too)
};

[[nodiscard]] Result<AttestBlobResult> attest_blob(const AttestBlobRequest& request);

} // namespace sigil::sign
