// Registry flags shared by every command that talks to a registry, and the Session they make.
#pragma once

#include "command.hpp"

#include "sigil/oci/reference.hpp"
#include "sigil/registry/session.hpp"

#include <memory>
#include <string>

namespace sigil::cli {

struct RegistryFlags {
  std::string username;
  std::string password;
  std::string token;
  std::string source; // how auth errors name username/password; empty: the flags' names
  std::string ca_file;
  bool allow_insecure = false;
  bool allow_http = false;
  int max_attempts = 5;
  double timeout_seconds = 120;
  std::string local_layout; // --local DIR: an OCI layout served in process instead of registries
};

void add_registry_flags(CLI::App* app, RegistryFlags& flags);
// --local DIR, for the commands that read images only (verify, verify-attestation, tree).
void add_local_flag(CLI::App* app, RegistryFlags& flags);

// Builds the session; prints the insecure-TLS warning every time it applies.
[[nodiscard]] std::unique_ptr<registry::Session> open_session(const RegistryFlags& flags, const GlobalOptions& global);

// Parses an image reference, with the exit status and message for a usage error.
[[nodiscard]] Result<oci::Reference> parse_image(const std::string& text);

// An image reference parsed and resolved to its digest (a tag is looked up).
[[nodiscard]] Result<oci::Reference> resolve_image(registry::Session& session, const std::string& text);
// The same over a session of its own, for a command that needs the registry for nothing else
// (resolve, triangulate).
[[nodiscard]] Result<oci::Reference> resolve_image(const RegistryFlags& flags, const GlobalOptions& global,
                                                   const std::string& text);

// An image resolved to its digest, and the repository its signatures live in.
struct ImageTarget {
  oci::Reference image;
  registry::Repository repo;
};

[[nodiscard]] Result<ImageTarget> resolve_target(registry::Session& session, const std::string& text);

} // namespace sigil::cli
