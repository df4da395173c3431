// Stands in for lib/sigil/registry/credential_helper.cpp in the fuzz build: a fuzz target
// must not start `docker-credential-<name>` processes for names taken from its input.
//
// It answers deterministically from the helper's name, so the config.json reader's handling
// of each kind of answer is exercised:
//   ""  or a name with '/'   error, as the real helper refuses such names
//   "error..."               error (helper failed)
//   "none..."                no credential (helper said "credentials not found")
//   anything else            Basic credential "helper-<name>" / "secret-of-<server_url>"
#include "sigil/registry/credential_helper.hpp"

#include <fmt/format.h>

namespace sigil::registry {

Result<std::shared_ptr<const Credential>> credential_helper_get(std::string_view helper, std::string_view server_url)
{
  const std::string program = fmt::format("docker-credential-{}", helper);
  if (helper.empty() || helper.find('/') != std::string_view::npos || helper.starts_with("error")) {
    return fail(ErrorCode::auth, fmt::format("credential helper {}: invalid helper name in the docker config", program));
  }
  if (helper.starts_with("none")) {
    return std::shared_ptr<const Credential>{};
  }
  auto credential = std::make_shared<Credential>();
  credential->username = fmt::format("helper-{}", helper);
  credential->secret = util::SecureBytes(util::as_bytes(fmt::format("secret-of-{}", server_url)));
  credential->kind = Credential::Kind::basic;
  return credential;
}

} // namespace sigil::registry
