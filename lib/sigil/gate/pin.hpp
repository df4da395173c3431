// sigil::gate --pin: the manifests' text with each image tag replaced by the digest that was
// verified, and nothing else changed (comments, order, quoting, line ends kept byte for byte).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/gate/manifest.hpp"
#include "sigil/oci/reference.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sigil::gate {

// The image as written with its tag (if any) replaced by "@digest": "nginx:1.25" ->
// "nginx@sha256:...", "127.0.0.1:5000/app" -> "127.0.0.1:5000/app@sha256:...". An image
// already written with a digest is returned unchanged.
[[nodiscard]] std::string pinned_text(const ImageOccurrence& occurrence, const oci::Digest& digest);

struct PinEdit {
  std::size_t offset = 0; // ImageOccurrence::offset (the quote of a quoted scalar)
  Quoting quoting = Quoting::plain;
  std::string old_text; // ImageOccurrence::text
  std::string new_text;
};

// `text` with every edit applied. Each edit's old text must be at its offset (inside the
// quotes when quoted), else nothing is changed and the error is ErrorCode::internal (the file
// changed since it was read). The same offset twice (a YAML alias) is applied once.
[[nodiscard]] Result<std::string> apply_pins(std::string_view text, std::vector<PinEdit> edits);

} // namespace sigil::gate
