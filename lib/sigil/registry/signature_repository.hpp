// sigil::registry where an image's signatures and attestations live: cosign's
// COSIGN_REPOSITORY. Decided here, once, for every use case that reads or writes them.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/registry/client.hpp"

#include <optional>
#include <string_view>

namespace sigil::registry {

// `override_text` when given and not empty (it must name a repository: no tag, no digest;
// otherwise ErrorCode::usage), else the image's own repository.
[[nodiscard]] Result<Repository> signature_repository(const oci::Reference& image,
                                                      std::optional<std::string_view> override_text);

// The same with the override from SIGIL_REPOSITORY, else COSIGN_REPOSITORY (empty = unset).
[[nodiscard]] Result<Repository> signature_repository(const oci::Reference& image);

// A use case's target: the request's explicit repository when it has one, else
// signature_repository(image).
[[nodiscard]] Result<Repository> target_repository(const oci::Reference& image,
                                                   const std::optional<Repository>& explicit_repository);

} // namespace sigil::registry
