// sigil::attachments attaching a layer to a `.sig`/`.att` manifest without losing anyone
// else's: the registry has no compare-and-swap, so a read-modify-write of the tag races
// (cosign loses signatures this way, sigstore/cosign#2432).
//
// The loop: read the manifest, merge our layer, upload the config, re-read right before the
// PUT (and start over if it changed), PUT, then read again until our layer has been seen
// present twice, a randomised settle interval apart (three times our own re-read-to-PUT
// time, the window in which another writer could still clobber us, or six times our slowest
// read when that is longer: a loaded machine stalls everyone's requests alike), and a
// third time after a longer interval when other writers were seen. Every writer does the
// same, so a writer whose PUT dropped someone's layer is corrected by that writer's next
// round, and each re-merges the union of every entry it has seen (so an entry whose writer
// has already exited comes back too). A writer whose own re-read-to-PUT window was longer
// than any other writer waits to confirm (2 x settle_max + 1.5 x settle_max) may have
// dropped an entry nobody is left to restore: it fails (ErrorCode::registry) instead of
// reporting success. Bounded in
// rounds and time. Blobs are uploaded before the manifest that names them; a failure leaves
// the previous manifest as it was.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/manifest.hpp"
#include "sigil/registry/client.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sigil::attachments {

// What the tag holds: a cosign signature/attestation manifest (one layer per entry), or the
// OCI referrers fallback index (one manifest descriptor per referrer, sorted by digest).
enum class Container { signature_manifest, referrers_index };

struct AttachRequest {
  registry::Repository repo;
  std::string tag; // sha256-<hex>.sig, .att, or sha256-<hex> for the referrers fallback
  oci::Descriptor layer; // the entry to add: a layer, or a referrer manifest's descriptor
  // More entries to add with `layer`, confirmed together (sigil copy: every layer of the
  // source's tag). Signature manifests only.
  std::vector<oci::Descriptor> more_layers;
  // The document (bytes, media type) to PUT when the tag is absent at write time and nothing
  // but our entries is to be written: sigil copy's source manifest, byte for byte, so that
  // its digest is the source's. Its config blob must be at the destination already.
  std::optional<std::pair<std::string, std::string>> initial_document;
  Container container = Container::signature_manifest;
  // An existing layer that makes ours redundant (cosign's dedupe: same payload, and the
  // existing signature verifies with our key).
  std::function<bool(const oci::Descriptor&)> is_duplicate;
  // When set, `layer` is known only by its blob (digest, size, media type) until this returns
  // the complete descriptor (with its annotations). It is called once, after the first read
  // and the config's upload, before anything that needs the annotations (the dedupe check,
  // the manifest): sign waits here for its key, so that those requests overlap scrypt. An
  // error ends the attach with nothing written but blobs.
  std::function<Result<oci::Descriptor>()> complete_layer;
  int max_rounds = 40;
  int max_transient_errors = 12; // registry errors tolerated across rounds (see attach.cpp)
  std::chrono::milliseconds max_time{120'000};
  std::chrono::milliseconds settle_min{15};
  std::chrono::milliseconds settle_max{2'000};
  // Once other writers were seen (the tag moved under us, or it holds more than we wrote),
  // a third sighting after at least this long: a writer stalled between its last re-read
  // and its PUT (a loaded CI machine stalls processes for 100 ms and more) can otherwise
  // clobber us after our second sighting, when we have already reported success.
  std::chrono::milliseconds contended_settle_min{150};
};

struct AttachResult {
  bool already_present = false; // a duplicate was there before we wrote anything
  int rounds = 0;
  std::size_t layers = 0; // layers in the manifest when we last saw it
};

[[nodiscard]] Result<AttachResult> attach_layer(registry::Client& client, const AttachRequest& request);

} // namespace sigil::attachments
