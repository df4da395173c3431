// The trust policy file on the command line (sigil-policy(5)): `verify --policy`,
// `verify-attestation --policy` and `sigil policy test` load it here, evaluate each image with
// verify::evaluate_image and render the verdicts.
//
// Exit status of a policy run: 0 when every image passes (pass, skipped, or audit-fail in
// mode audit); 15 (ErrorCode::policy_failed, "a policy condition failed") when an image fails
// its rule in mode enforce, or no rule matches it; the registry's status (11 not found, 20
// registry, 21 auth) when an image could not be read and that is the worst; 30 for a policy
// file that is not valid (its one-line FILE:LINE: PATH error).
#pragma once

#include "command.hpp"
#include "keyless_flags.hpp"
#include "registry_flags.hpp"

#include "sigil/verify/policy_eval.hpp"

#include <array>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigil::cli {

// Reads, parses and prepares the policy file. load_roots false: keys and identities only
// (sigil policy check reads no trusted root and asks no TUF mirror).
[[nodiscard]] Result<std::shared_ptr<const verify::PreparedPolicy>> load_policy_file(const std::string& path,
                                                                                   bool load_roots = true);

// The exit status of one verdict (0 unless it failed).
[[nodiscard]] int verdict_status(const verify::PolicyVerdict& verdict);

struct PolicyRun {
  std::string policy;
  std::vector<std::string> images;
  std::string output = "json"; // json: one verdict object per line on stdout; text: one line per image
  bool explain = false;
  int max_workers = 8;
  verify::EvaluateOptions what;
};

// Evaluates every image (concurrently, up to max_workers) and prints the verdicts; the worst status.
// --policy says whom to trust per image; the trust flags would say it twice: a usage error
// naming the ones given (verify, verify-attestation and gate).
// A usage error naming each flag of `flags` that is set (the pair's bool): "--policy replaces the
// trust flags: drop … (the policy file names the <policy_names>)".
[[nodiscard]] Result<void> refuse_flags_under_policy(std::initializer_list<std::pair<bool, const char*>> flags,
                                                     std::string_view policy_names);
[[nodiscard]] Result<void> refuse_trust_flags(const std::vector<std::string>& keys, const KeylessFlags& keyless,
                                              const std::vector<std::string>& annotations);

// The verification limits and payload checks verify and gate take (--check-claims,
// --check-docker-reference, --max-signatures, --max-payload-size) are the policy's under --policy:
// a usage error naming those given on the command line, rather than ignoring them.
inline constexpr std::array<const char*, 4> k_policy_fixed_flags{"--check-claims", "--check-docker-reference",
                                                                 "--max-signatures", "--max-payload-size"};
[[nodiscard]] Result<void> refuse_policy_fixed_flags(const std::vector<std::string>& given);
// The options of `names` that were given on app's command line.
[[nodiscard]] std::vector<std::string> given_options(const CLI::App& app, std::span<const char* const> names);

[[nodiscard]] Result<int> run_policy(const PolicyRun& run, const RegistryFlags& registry, const GlobalOptions& global);

// One verdict as JSON (one line, no newline).
[[nodiscard]] std::string verdict_json(const verify::PolicyVerdict& verdict);

// The verdict in words on stderr: a headline, then one line per authority and attestation.
void print_verdict(const verify::PolicyVerdict& verdict, bool explain);

} // namespace sigil::cli
