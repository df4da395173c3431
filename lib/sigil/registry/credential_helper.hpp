// sigil::registry docker credential helpers (used by credentials.cpp).
//
// credential_helper_get runs `docker-credential-<helper> get` (found through PATH, as docker
// does) with the server URL on standard input and reads its JSON answer
// {"ServerURL", "Username", "Secret"}; Username "<token>" means Secret is an identity token.
// The helper gets k_credential_helper_timeout and is then killed; its output is capped at
// k_max_credential_helper_output bytes. An answer of "credentials not found" is no credential
// (nullptr), not an error. Errors are ErrorCode::auth, name the helper and never hold a secret.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/registry/credentials.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

namespace sigil::registry {

constexpr std::chrono::seconds k_credential_helper_timeout{10};
constexpr std::size_t k_max_credential_helper_output = 64 * 1024;

[[nodiscard]] Result<std::shared_ptr<const Credential>> credential_helper_get(std::string_view helper,
                                                                              std::string_view server_url);

} // namespace sigil::registry
