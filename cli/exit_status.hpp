// The exit status of `sigil verify` for one image, from the library's typed outcome
// (DESIGN.md §5). Header-only and pure, so the unit tests check the CLI's own mapping.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/verify/image.hpp"
#include "sigil/verify/image_report.hpp"

namespace sigil::cli {

// An error's status (11 image not found, 20 registry, 21 auth, ...), else the verdict's: 0 a
// signature verified, 10 no signatures, 12 none verified.
[[nodiscard]] inline int status_of(const Result<verify::VerifyImageResult>& result)
{
  if (!result) {
    return exit_status(result.error().code);
  }
  const auto decision = verify::decide(*result);
  return decision.ok ? 0 : exit_status(decision.code);
}

} // namespace sigil::cli
