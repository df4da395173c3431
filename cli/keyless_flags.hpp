// Keyless verification flags shared by verify, verify-attestation, verify-blob and
// verify-blob-attestation (cosign's names where the meaning matches), and the trust material
// and identity policy they make.
#pragma once

#include "command.hpp"
#include "tuf_flags.hpp"

#include "sigil/keyless/identity.hpp"
#include "sigil/trust/trusted_root.hpp"
#include "sigil/verify/sigstore.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sigil::cli {

struct KeylessFlags {
  std::string identity;
  std::string identity_regexp;
  std::string issuer;
  std::string issuer_regexp;
  std::map<int, std::string> extensions; // Fulcio extension n -> exact value
  std::string gitlab_project;
  std::string gitlab_ref;
  std::string gitlab_url{"https://gitlab.com"};
  std::string gitlab_ci_config{".gitlab-ci.yml"};
  std::string trusted_root;
  std::string timestamp_chain;
  bool ignore_tlog = false;
  bool ignore_sct = false;
  TufFlags tuf; // the trusted root when neither --trusted-root nor SIGSTORE_* is given

  // True when any identity flag was given (the user asks for keyless verification).
  [[nodiscard]] bool wants_keyless() const;
};

void add_keyless_flags(CLI::App* app, KeylessFlags& flags);

// The trusted root, the identity policy and the switches, ready for verify::verify_sigstore.
// The root is loaded from --trusted-root, else SIGSTORE_* variables, else (for a keyless
// verification) from TUF, else left empty (the verifier says which flag to pass when it needs one).
struct KeylessSetup {
  std::shared_ptr<trust::TrustedRoot> root;
  verify::SigstorePolicy policy;
};

[[nodiscard]] Result<KeylessSetup> make_keyless_setup(const KeylessFlags& flags);

// Prints what a keyless verification established (identity, issuer, log indexes, time sources).
void print_keyless_summary(const verify::SigstoreVerified& verified);

} // namespace sigil::cli
