#include "sigil/registry/signature_repository.hpp"

#include "sigil/core/env.hpp"

#include <fmt/format.h>

namespace sigil::registry {

Result<Repository> signature_repository(const oci::Reference& image, std::optional<std::string_view> override_text)
{
  if (!override_text || override_text->empty()) {
    return Repository::of(image);
  }
  auto ref = oci::Reference::parse(*override_text);
  if (!ref || !ref->tag_implied() || ref->digest()) {
    return fail(ErrorCode::usage, fmt::format("SIGIL_REPOSITORY/COSIGN_REPOSITORY must name a repository without tag "
                                              "or digest, got \"{}\"",
                                              *override_text));
  }
  return Repository::of(*ref);
}

Result<Repository> signature_repository(const oci::Reference& image)
{
  auto target = core::env::get("SIGIL_REPOSITORY");
  if (!target || target->empty()) {
    target = core::env::get("COSIGN_REPOSITORY");
  }
  return signature_repository(image, target ? std::optional<std::string_view>(*target) : std::nullopt);
}

Result<Repository> target_repository(const oci::Reference& image, const std::optional<Repository>& explicit_repository)
{
  if (explicit_repository) {
    return *explicit_repository;
  }
  return signature_repository(image);
}

} // namespace sigil::registry
