// sigil::tuf metadata: the four top-level roles of The Update Framework (specification 1.0.x)
// and delegated targets, parsed from their JSON, and their signatures.
//
// Every document is {"signed": {...}, "signatures": [{"keyid", "sig"}]}; the signatures are over
// the canonical JSON of "signed" (canonical_json.hpp), computed once when parsing. Objects that
// repeat a key are refused (util::parse_json_strict). Keys:
//   ecdsa / ecdsa-sha2-nistp256, scheme ecdsa-sha2-nistp256: PEM public key in keyval.public
//       (Sigstore's root), signature hex of ASN.1 DER
//   ed25519, scheme ed25519: keyval.public the 32 bytes in hex
//   rsa, scheme rsassa-pss-sha256: PEM public key (PSS, MGF1-SHA-256, 32-byte salt)
// Any other key type or scheme, or key material that does not parse, is kept without a usable
// key: it never counts towards a threshold, and it is not an error (the spec's "ignore").
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/util/json.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::tuf {

struct Key {
  std::string keytype;
  std::string scheme;
  std::optional<crypto::PublicKey> key; // nullopt: unsupported, never counted
};
using KeyMap = std::map<std::string, Key>;

struct RoleKeys {
  std::vector<std::string> keyids;
  std::uint64_t threshold = 1;
};

struct Signature {
  std::string keyid;
  util::Bytes sig; // empty when the hex did not decode (then it verifies nothing)
};

// What every role's document has.
struct Envelope {
  std::string type; // signed._type
  std::uint64_t version = 0;
  std::int64_t expires = 0; // unix seconds
  std::string canonical;    // canonical JSON of "signed": what the signatures are over
  std::vector<Signature> signatures;
};

struct Root {
  Envelope meta;
  bool consistent_snapshot = false;
  KeyMap keys;
  std::map<std::string, RoleKeys> roles; // root, timestamp, snapshot, targets (all present)
};

// An entry of timestamp's or snapshot's "meta".
struct MetaFile {
  std::uint64_t version = 0;
  std::optional<std::uint64_t> length;
  std::map<std::string, std::string> hashes; // algorithm -> lowercase hex
};

struct Timestamp {
  Envelope meta;
  MetaFile snapshot; // meta["snapshot.json"]
};

struct Snapshot {
  Envelope meta;
  std::map<std::string, MetaFile> files; // "targets.json", "<role>.json"
};

struct TargetFile {
  std::uint64_t length = 0;
  std::map<std::string, std::string> hashes;
  std::string usage; // custom.sigstore.usage ("TrustedRoot", "SigningConfig"), or ""
};

struct DelegatedRole {
  std::string name;
  RoleKeys keys;
  bool terminating = false;
  std::vector<std::string> paths; // shell-style patterns ("*" within a path segment)
};

struct Targets {
  Envelope meta;
  std::map<std::string, TargetFile> targets;
  KeyMap delegated_keys;
  std::vector<DelegatedRole> delegations;
};

// One entry of a "keys" object ({keytype, scheme, keyval: {public}}); unsupported keys parse
// to a Key without `key`. Fails only when the entry is not such an object.
[[nodiscard]] Result<Key> parse_key(const util::Json& value, std::string_view what);

// Each fails with bad_input naming the role and the field. `type` must be the role's _type.
[[nodiscard]] Result<Root> parse_root(std::string_view bytes);
[[nodiscard]] Result<Timestamp> parse_timestamp(std::string_view bytes);
[[nodiscard]] Result<Snapshot> parse_snapshot(std::string_view bytes);
[[nodiscard]] Result<Targets> parse_targets(std::string_view bytes);

// The number of distinct keys of `role` with a valid signature on `meta`: a key id listed twice
// in the role, two signatures under one key id, and one public key under two key ids each count
// once; signatures by keys outside the role and by unsupported keys count zero.
// `enough` stops the count there (a threshold met needs no more signature checks).
[[nodiscard]] std::size_t count_signatures(const Envelope& meta, const KeyMap& keys, const RoleKeys& role,
                                           std::size_t enough = SIZE_MAX);

// count_signatures >= threshold, else bad_input "<what>: signed by N of the M keys of ..., need T".
[[nodiscard]] Result<void> check_threshold(const Envelope& meta, const KeyMap& keys, const RoleKeys& role,
                                           std::string_view what);

// bytes against length (when given) and every hash of a known algorithm (sha256, sha512); at
// least one known hash when any hash is listed. bad_input naming `what` otherwise.
[[nodiscard]] Result<void> check_file(std::string_view bytes, std::optional<std::uint64_t> length,
                                      const std::map<std::string, std::string>& hashes, std::string_view what);

// Whether a delegated role's path patterns cover a target name (fnmatch-style, '*' does not
// cross '/').
[[nodiscard]] bool role_covers(const DelegatedRole& role, std::string_view target);

} // namespace sigil::tuf
