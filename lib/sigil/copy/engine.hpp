// sigil::copy the copy engine: an image (manifest or index and every platform child), its
// blobs, and everything attached to it (cosign .sig/.att/.sbom tags, OCI referrers) from one
// store to another, byte for byte, so that every digest and signature stays valid.
//
// Order: blobs, then image manifests (children before their index, by digest, the tag last),
// then attachments (their blobs, then their manifests). An interrupted copy never leaves a
// signature without its image, and a re-run completes it and copies nothing twice (every
// blob and manifest is looked up at the destination before it is written). The destination's
// own signatures are merged with ours, never overwritten (the read-merge-write of signing).
#pragma once

#include "sigil/copy/store.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace sigil::copy {

struct Only {
  bool signatures = true;   // .sig
  bool attestations = true; // .att
  bool sboms = true;        // .sbom
  bool referrers = true;    // OCI referrers (API or fallback tag)
};

// "sig,att,sbom,referrers" (any subset); a usage error names the unknown word.
[[nodiscard]] Result<Only> parse_only(std::string_view text);

// Progress of one blob: called as bytes move (at most a few times a second by the caller's
// choice), and once with done == true.
struct Progress {
  std::string image;    // what is being copied (the source's name and reference)
  std::uint64_t bytes = 0;  // moved so far, all blobs of this image
  std::uint64_t total = 0;  // bytes to move (blobs not at the destination)
};

struct CopyRequest {
  Store& source;
  Store& destination;
  std::string source_ref;              // tag or digest in the source
  std::optional<std::string> dest_tag; // tag to set at the destination (none: by digest only)
  bool recursive = false;              // also the attachments of every platform child
  Only only;
  std::optional<std::string> platform; // "os/arch[/variant]": copy just that child
  bool force = false;                  // replace a destination tag that names another digest
  std::function<void(const Progress&)> progress;
};

struct CopyReport {
  oci::Digest digest; // of what was copied (the child with --platform)
  std::string media_type;
  std::size_t blobs_uploaded = 0;
  std::size_t blobs_mounted = 0;
  std::size_t blobs_present = 0;
  std::uint64_t bytes_uploaded = 0;
  std::size_t manifests_written = 0;
  std::size_t manifests_present = 0;
  std::size_t signature_tags = 0;  // .sig/.att/.sbom tags found at the source
  std::size_t layers_added = 0;    // signature/attestation layers new at the destination
  std::size_t referrers = 0;       // referrers found at the source
  std::size_t referrers_written = 0;
};

[[nodiscard]] Result<CopyReport> copy_image(const CopyRequest& request);

} // namespace sigil::copy
