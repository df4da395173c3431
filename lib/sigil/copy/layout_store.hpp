// sigil::copy the OCI image-layout store: what `sigil save` writes and `sigil load` and
// `--local` read.
//
// Tags are index.json entries named by org.opencontainers.image.ref.name: the image's tag
// ("v1"), and cosign's attachment tags ("sha256-<hex>.sig"/".att"/".sbom"), which also carry
// cosign's `kind` annotation (dev.cosignproject.cosign/image, imageIndex, sigs, atts, sboms)
// so that `cosign load` and `cosign verify --local-image` find them. Referrers are index.json
// entries without a name, found by their manifest's subject (image-layout 1.1). A layout
// written by `cosign save` (entries named only by `kind`) is read too: its sigs/atts entry
// belongs to its one image.
#pragma once

#include "sigil/copy/store.hpp"
#include "sigil/oci/layout.hpp"

#include <filesystem>
#include <memory>

namespace sigil::copy {

inline constexpr std::string_view k_cosign_kind_annotation = "kind";

// An existing layout (for load and --local). Every manifest its index.json names is checked
// against its digest first (a tampered layout is refused, bad_input, the file named); every
// blob read through the store or --local is checked as it is read (oci::BlobReader).
[[nodiscard]] Result<std::unique_ptr<Store>> open_layout_store(const std::filesystem::path& dir);
// A layout to write into (for save): created when absent.
[[nodiscard]] Result<std::unique_ptr<Store>> create_layout_store(const std::filesystem::path& dir);

// What a layout names: its images (tag, or the digest for cosign's unnamed entries) in
// index.json order, leaving out attachment tags and referrers.
struct LayoutImage {
  std::string name; // a tag, or "sha256:<hex>"
  oci::Digest digest;
};
[[nodiscard]] Result<std::vector<LayoutImage>> layout_images(const std::filesystem::path& dir);

} // namespace sigil::copy
