// sigil::keyless Rekor v1: log a signature, get the entry back with its proofs.
//
// `POST /api/v1/log/entries` with the entries cosign 2.5 posts: hashedrekord 0.0.1 for a
// signature over a digest (image and blob signatures), dsse 0.0.1 for a DSSE envelope
// (attestations). The answer ({uuid: entry}) is parsed into a LogEntry: the canonicalized body,
// integrated time, log id and index, the SET and the inclusion proof with its checkpoint. A 409
// (the entry is already in the log: a retry of a request that had succeeded) is followed to
// the existing entry, on Rekor's own origin only. This module does not verify the entry: the
// caller checks the SET and the inclusion proof against the trusted root before it reports
// success or attaches anything.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/http/transport.hpp"
#include "sigil/http/url.hpp"
#include "sigil/keyless/service.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::keyless {

struct InclusionProof {
  std::uint64_t log_index = 0;
  std::uint64_t tree_size = 0;
  util::Bytes root_hash;
  std::vector<util::Bytes> hashes;
  std::string checkpoint; // the signed note, as received
};

struct LogEntry {
  std::string uuid;
  std::string kind;        // "hashedrekord", "dsse" (from the body)
  std::string api_version; // "0.0.1"
  util::Bytes body;        // the canonicalized entry, decoded from base64, as received
  std::int64_t integrated_time = 0;
  std::uint64_t log_index = 0;
  util::Bytes log_id;                // sha256 of the log's public key (decoded from hex); v2: the C2SP key id
  util::Bytes signed_entry_timestamp; // the SET (empty from Rekor v2)
  std::optional<InclusionProof> inclusion_proof;
};

// What is logged.
struct HashedRekord {
  util::ByteView signature;     // DER signature over the artifact's digest
  std::string_view certificate_pem; // the signing certificate (PEM)
  util::ByteView sha256;        // the artifact's SHA-256
};
struct DsseRekord {
  std::string_view envelope_json;   // the DSSE envelope as it will be stored
  std::string_view certificate_pem;
};

// The request bodies, byte for byte as cosign 2.5 posts them (Go's json.Encoder: fields in
// the order of rekor's generated models, "kind" last, a trailing newline).
[[nodiscard]] std::string hashedrekord_body(const HashedRekord& entry);
[[nodiscard]] std::string dsse_body(const DsseRekord& entry);

// The entry as a Sigstore bundle's TransparencyLogEntry (protobuf JSON: int64 as strings, bytes
// as base64, logId.keyId, kindVersion, inclusionPromise, inclusionProof with
// checkpoint.envelope, canonicalizedBody). A Rekor v2 entry (no SET) has neither
// integratedTime nor inclusionPromise.
[[nodiscard]] util::Json bundle_entry_json(const LogEntry& entry);

// cosign's `dev.sigstore.cosign/bundle` annotation (and a legacy blob bundle's rekorBundle):
// {"SignedEntryTimestamp":b64,"Payload":{"body":b64,"integratedTime":n,"logIndex":n,"logID":hex}}
[[nodiscard]] std::string cosign_rekor_bundle_json(const LogEntry& entry);

[[nodiscard]] Result<LogEntry> upload_entry(http::Transport& transport, const http::Url& rekor, std::string body,
                                            const ServiceRetry& retry = {});

// Rekor's answer {uuid: entry} (exposed for tests and fuzzing). Bounded: one entry, at most 64
// proof hashes, a checkpoint of at most 64 KiB.
[[nodiscard]] Result<LogEntry> parse_log_entry_answer(std::string_view json);

} // namespace sigil::keyless
