// What attest and attest-blob share: the signing key (or keyless) and predicate flags, and the
// predicate they read.
#pragma once

#include "cosign_flags.hpp"
#include "keyless_sign_flags.hpp"

#include "sigil/core/result.hpp"
#include "sigil/sign/attest.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace sigil::cli {

struct PredicateFlags {
  std::string key;
  std::string predicate;
  std::string type = "custom";
  std::string statement_version = "v1";
  std::string password_file;
  bool allow_insecure_key_permissions = false;
  KeylessSignFlags keyless; // without --key: keyless (an OIDC identity token)
  TlogUploadFlag tlog_upload;
};

void add_predicate_flags(CLI::App* app, PredicateFlags& flags);

// --type's value in --help, "TYPE:{custom,slsaprovenance,...}": the predicate type names sigil
// accepts (intoto::predicate_type_names), which shell completion offers as the choices.
[[nodiscard]] std::string predicate_type_choices();

// --key or keyless; `what` names the subject in the keyless notice; `legacy_output`: cosign's
// legacy .att layer was asked for (refused with a Rekor v2 log).
[[nodiscard]] Result<OpenedSigner> open_predicate_signer(const PredicateFlags& flags, const GlobalOptions& global,
                                                         std::string_view what, bool legacy_output = false);

// The --predicate file (or stdin) with its type and statement version.
[[nodiscard]] Result<sign::PredicateInput> read_predicate(const PredicateFlags& flags);

} // namespace sigil::cli
