// sigil::copy a read-only registry served from an OCI image layout, in process: an
// http::Transport that answers the distribution API's reads (manifests and blobs by tag or
// digest, tags/list, the referrers API) from a layout's files and refuses every write. With it,
// `verify`, `verify-attestation` and `tree --local DIR` run their usual registry code fully
// offline: no request leaves the process, whatever host the image reference names.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/http/transport.hpp"

#include <filesystem>
#include <memory>

namespace sigil::copy {

// Never null, and never anything but the layout: when dir cannot be served (no layout there, or
// a manifest its index.json names does not hash to its digest: copy::open_layout_store), every
// request fails with that error, so a command meant to run offline never falls back to the
// network. Check first that dir is a layout (oci::Layout::open) to tell a usage error apart.
[[nodiscard]] std::unique_ptr<http::Transport> layout_transport(const std::filesystem::path& dir);

} // namespace sigil::copy
