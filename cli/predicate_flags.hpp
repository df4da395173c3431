// What attest and attest-blob share: the signing key and predicate flags, and the predicate
// they read.
#pragma once

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
};

void add_predicate_flags(CLI::App* app, PredicateFlags& flags);

// The --predicate file (or stdin) with its type and statement version.
[[nodiscard]] Result<sign::PredicateInput> read_predicate(const PredicateFlags& flags);

} // namespace sigil::cli
