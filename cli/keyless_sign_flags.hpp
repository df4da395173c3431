// Keyless signing on the CLI: cosign's flags, where the token and the services come from, the
// "about to publish" notice and its confirmation, and the KeylessSigner they make.
#pragma once

#include "command.hpp"
#include "registry_flags.hpp"
#include "secrets.hpp"
#include "tuf_flags.hpp"

#include "sigil/http/transport.hpp"
#include "sigil/sign/keyless_signer.hpp"

#include <memory>
#include <optional>
#include <string>

namespace sigil::cli {

struct KeylessSignFlags {
  std::string identity_token; // VALUE or @FILE
  std::string oidc_client_id = "sigstore";
  std::string fulcio_url;
  std::string rekor_url;
  std::string timestamp_server_url;
  std::string signing_config;
  std::string trusted_root;
  bool yes = false;
  // The services' budget per request (and for all retries of one): the registry's --timeout and
  // --max-attempts when the command has them (set `registry` before add_keyless_sign_flags),
  // else a --timeout of its own.
  const RegistryFlags* registry = nullptr;
  double timeout_seconds = 120;
  TufFlags tuf; // trusted root and signing config when none of the above (nor SIGSTORE_*) names them
};

// --identity-token --oidc-client-id --fulcio-url --rekor-url --timestamp-server-url
// --signing-config --trusted-root -y/--yes --tuf-mirror --tuf-root --tuf-refresh, and --timeout
// when `flags.registry` is not set
void add_keyless_sign_flags(CLI::App* app, KeylessSignFlags& flags);

// The signer and the transport it talks over (the Sigstore services get their own connection
// pool, with TLS always verified, whatever the registry flags say).
struct KeylessSession {
  bool rekor_v2 = false; // the signer logs in Rekor v2 (no SET: bundles only)
  std::unique_ptr<http::Transport> transport;
  std::unique_ptr<sign::KeylessSigner> signer; // declared last: goes first
};

// nullopt when no identity token is available (--identity-token, SIGSTORE_ID_TOKEN): the caller
// then needs --key. Otherwise: the token is checked (expiry, audience), the services chosen
// (a Rekor v2 log needs a TSA, and is refused when `legacy_output`: cosign's legacy
// annotations were asked for), the notice of what will be published (`what`, e.g. the digest)
// is printed, confirmed on a terminal unless --yes, and Fulcio is asked in the background.
[[nodiscard]] Result<std::optional<KeylessSession>> open_keyless(const KeylessSignFlags& flags, const GlobalOptions& global,
                                                                 std::string_view what, bool legacy_output = false);

// The signer of a signing command: --key, else keyless with an identity token (the session
// keeps the services' transport alive as long as the signer).
struct OpenedSigner {
  std::optional<KeylessSession> keyless;
  std::unique_ptr<sign::KeyRefSigner> key;
  [[nodiscard]] const sign::Signer& get() const
  {
    return keyless ? static_cast<const sign::Signer&>(*keyless->signer) : *key;
  }
};

struct SignerFlags {
  const std::string& key;
  const std::string& password_file;
  bool allow_insecure_key_permissions = false;
  const KeylessSignFlags& keyless;
  bool legacy_output = false; // --format legacy|both was given: needs Rekor v1 (keyless)
};

// `what` names what is about to be signed in the keyless notice. Neither --key nor a token is a
// usage error saying how to get one.
[[nodiscard]] Result<OpenedSigner> open_any_signer(const SignerFlags& flags, const GlobalOptions& global,
                                                   std::string_view what);

} // namespace sigil::cli
