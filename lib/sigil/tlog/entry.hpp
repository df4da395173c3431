// sigil::tlog transparency-log entries as bundles and cosign carry them (a format layer: no
// I/O, no trust decisions; the verifier picks the log key by log_id).
//
//   parse_bundle_entry          the protobuf-JSON TransparencyLogEntry of a Sigstore bundle
//                               (protobuf-specs rekor/v1): logIndex, logId.keyId,
//                               kindVersion{kind,version}, integratedTime,
//                               inclusionPromise.signedEntryTimestamp,
//                               inclusionProof{logIndex,rootHash,treeSize,hashes[],checkpoint.envelope},
//                               canonicalizedBody
//   parse_cosign_rekor_bundle   cosign's `dev.sigstore.cosign/bundle` annotation and the legacy blob
//                               bundle's rekorBundle: {"SignedEntryTimestamp":b64,
//                               "Payload":{"body":b64,"integratedTime":n,"logIndex":n,"logID":hex}}
//
// protojson rules: int64 fields are JSON strings or numbers; bytes fields are base64 (standard,
// or URL-safe as protojson also reads). A negative index, size or time is an error ("negative
// log index"). integratedTime 0 or absent (Rekor v2) gives no integrated_time. The kind and
// version named beside the body must be those inside the body ("kind" and "apiVersion"), as
// sigstore-go checks; for cosign's bundle, which names none, they are read from the body.
// Bounds: body ≤ k_max_body_bytes, ≤ 64 proof hashes. Errors are bad_input.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"
#include "sigil/util/json.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::tlog {

constexpr std::size_t k_max_body_bytes = std::size_t{4} << 20;
constexpr std::size_t k_max_proof_hashes = 64;

struct InclusionProof {
  std::uint64_t log_index = 0; // index in the tree the proof is for (a Rekor v1 shard's own index)
  util::Bytes root_hash;
  std::uint64_t tree_size = 0;
  std::vector<util::Bytes> hashes;
  std::optional<std::string> checkpoint; // the signed note's text (checkpoint.envelope)
};

struct Entry {
  std::uint64_t log_index = 0;
  util::Bytes log_id; // logId.keyId: for Rekor v1 SHA-256 of the log key's PKIX DER
  std::string kind;
  std::string version;                               // kindVersion.version
  std::optional<std::int64_t> integrated_time;       // Rekor v1 only (0 or absent in v2)
  util::Bytes canonicalized_body;                    // decoded bytes, as logged
  std::optional<util::Bytes> signed_entry_timestamp; // inclusionPromise.signedEntryTimestamp
  std::optional<InclusionProof> inclusion_proof;
};

[[nodiscard]] Result<Entry> parse_bundle_entry(const nlohmann::json& j);
[[nodiscard]] Result<Entry> parse_cosign_rekor_bundle(std::string_view json);

} // namespace sigil::tlog
