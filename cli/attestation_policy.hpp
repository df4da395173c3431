// What verify-attestation and verify-blob-attestation share: the trusted keys and policy
// flags, the request parts they make, and the report of a decision.
#pragma once

#include "keyless_flags.hpp"

#include "sigil/core/result.hpp"
#include "sigil/verify/attestation.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace sigil::cli {

struct PolicyFlags {
  std::vector<std::string> keys;
  std::string type = "custom";
  std::string source_uri;
  std::string source_ref;
  std::string builder_id;
  std::vector<std::string> match;
  std::vector<std::string> match_regexp;
  std::string output = "json";
  bool explain = false;
  bool check_claims = true;
  KeylessFlags keyless;
};

void add_policy_flags(CLI::App* app, PolicyFlags& flags);

// The request parts the flags make: trusted keys loaded, the type as a URI, the conditions.
struct PolicyRequest {
  std::vector<verify::TrustedKey> keys;
  KeylessSetup keyless; // trusted root (owned) and the Sigstore policy
  std::string predicate_type;
  verify::AttestationPolicy policy;
};

[[nodiscard]] Result<PolicyRequest> policy_request(const PolicyFlags& flags);

// Prints the reasons, checks and verified statements; the decision's failure is the error
// (its code gives the exit status), else 0.
[[nodiscard]] Result<int> render_decision(const PolicyFlags& flags, const std::string& subject,
                                          const std::vector<verify::SignatureReport>& reports,
                                          const verify::AttestationDecision& decision,
                                          const std::string& predicate_type);

} // namespace sigil::cli
