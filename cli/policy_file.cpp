#include "policy_file.hpp"

#include "exit_status.hpp"
#include "output.hpp"
#include "parallel.hpp"
#include "tuf_flags.hpp"

#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::cli {

namespace {

// A keyless rule's trusted root when its trust names no file: the rule's TUF settings, else
// (nothing set) what keyless verify uses: SIGSTORE_* variables, else TUF's defaults.
Result<std::shared_ptr<const trust::TrustedRoot>> rule_root(const std::filesystem::path& base,
                                                          const policy::TrustSettings& settings)
{
  if (settings.empty()) {
    SIGIL_TRY_ASSIGN(auto from_env, trust::trusted_root_from_cosign_env(std::nullopt));
    if (from_env) {
      return std::make_shared<const trust::TrustedRoot>(std::move(*from_env));
    }
  }
  TufFlags tuf;
  tuf.mirror = settings.tuf_mirror.value_or("");
  if (settings.tuf_root) {
    const std::filesystem::path p{*settings.tuf_root};
    tuf.root = p.is_absolute() ? p.string() : (base / p).string();
  }
  SIGIL_TRY_ASSIGN(auto root, trusted_root_from_tuf(tuf));
  if (!root) {
    return fail(ErrorCode::usage, "TUF is turned off (mirror none): set trust.trustedRoot");
  }
  return std::shared_ptr<const trust::TrustedRoot>{std::move(root)};
}

} // namespace

Result<std::shared_ptr<const verify::PreparedPolicy>> load_policy_file(const std::string& path, bool load_roots)
{
  auto text = util::read_file(path, policy::k_max_policy_bytes + 1);
  if (!text) {
    return fail(ErrorCode::bad_input, fmt::format("reading the policy {}: {}", path, text.error().message));
  }
  SIGIL_TRY_ASSIGN(auto parsed, policy::parse_trust_policy(*text, path));
  const auto base = std::filesystem::path{path}.parent_path();
  return verify::prepare_policy(std::move(parsed),
                                {.base_dir = base,
                                 .load_root = [base](const policy::TrustSettings& s) { return rule_root(base, s); },
                                 .load_roots = load_roots});
}

int verdict_status(const verify::PolicyVerdict& v)
{
  return v.outcome == verify::PolicyOutcome::fail ? exit_status(v.code) : 0;
}

std::string verdict_json(const verify::PolicyVerdict& v)
{
  util::OrderedJson j;
  j["image"] = v.image;
  j["digest"] = v.digest;
  j["rule"] = v.rule;
  j["pattern"] = v.pattern;
  j["mode"] = std::string{policy::mode_name(v.mode)};
  j["outcome"] = std::string{verify::outcome_name(v.outcome)};
  j["reason"] = v.reason;
  auto authorities = [](const std::vector<verify::AuthorityVerdict>& list) {
    auto arr = util::OrderedJson::array();
    for (const auto& a : list) {
      arr.push_back({{"name", a.name}, {"satisfied", a.satisfied}, {"reason", a.reason}});
    }
    return arr;
  };
  j["signatures"] = authorities(v.signatures);
  j["attestations"] = util::OrderedJson::array();
  for (const auto& a : v.attestations) {
    j["attestations"].push_back({{"name", a.name}, {"predicateType", a.predicate_type}, {"satisfied", a.satisfied},
                                 {"reason", a.reason}, {"authorities", authorities(a.authorities)}});
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void print_verdict(const verify::PolicyVerdict& v, bool explain)
{
  const auto rule = v.rule.empty() ? std::string{"(no rule)"} : fmt::format("rule \"{}\"", v.rule);
  print_info("{}: {} ({}, mode {}): {}", v.image, verify::outcome_name(v.outcome), rule, policy::mode_name(v.mode),
             v.reason);
  for (const auto& a : v.signatures) {
    print_info("  signature authority \"{}\": {}", a.name, a.satisfied ? a.reason : "not satisfied: " + a.reason);
  }
  for (const auto& att : v.attestations) {
    print_info("  attestation \"{}\" ({}): {}", att.name, att.predicate_type, att.reason);
    for (const auto& a : att.authorities) {
      print_info("    authority \"{}\": {}", a.name, a.satisfied ? a.reason : "not satisfied: " + a.reason);
    }
  }
  if (explain) {
    for (const auto& r : v.signature_reports) {
      print_info("  {} signature {}: {}", r.verified ? "accepted" : "rejected", r.source, r.reason);
    }
    for (const auto& r : v.attestation_reports) {
      print_info("  {} attestation {}: {}", r.verified ? "accepted" : "rejected", r.source, r.reason);
    }
  }
}

Result<void> refuse_flags_under_policy(std::initializer_list<std::pair<bool, const char*>> flags,
                                       std::string_view policy_names)
{
  std::string given;
  for (const auto& [set, flag] : flags) {
    if (set) {
      given += given.empty() ? flag : std::string{", "} + flag;
    }
  }
  if (!given.empty()) {
    return fail(ErrorCode::usage, fmt::format("--policy replaces the trust flags: drop {} (the policy file names the "
                                              "{})",
                                              given, policy_names));
  }
  return {};
}

Result<void> refuse_trust_flags(const std::vector<std::string>& keys, const KeylessFlags& keyless,
                                const std::vector<std::string>& annotations)
{
  return refuse_flags_under_policy({{!keys.empty(), "--key"},
                                    {keyless.wants_keyless(), "the keyless identity flags"},
                                    {!keyless.trusted_root.empty(), "--trusted-root"},
                                    {!annotations.empty(), "-a"}},
                                   "keys, identities and trusted roots");
}

Result<void> refuse_policy_fixed_flags(const std::vector<std::string>& given)
{
  if (given.empty()) {
    return {};
  }
  std::string names;
  for (const auto& flag : given) {
    names += names.empty() ? flag : ", " + flag;
  }
  return fail(ErrorCode::usage,
              fmt::format("--policy verifies with the policy's checks and limits: drop {} (a policy always checks the "
                          "signed claims; see sigil-policy(5))",
                          names));
}

std::vector<std::string> given_options(const CLI::App& app, std::span<const char* const> names)
{
  std::vector<std::string> out;
  for (const char* name : names) {
    if (app.count(name) > 0) {
      out.emplace_back(name);
    }
  }
  return out;
}

Result<int> run_policy(const PolicyRun& run, const RegistryFlags& registry, const GlobalOptions& global)
{
  SIGIL_TRY_ASSIGN(const auto prepared, load_policy_file(run.policy));
  std::vector<oci::Reference> refs;
  for (const auto& image : run.images) {
    SIGIL_TRY_ASSIGN(auto ref, parse_image(image));
    refs.push_back(std::move(ref));
  }
  auto session = open_session(registry, global);
  auto verdicts = map_parallel(refs.size(), run.max_workers, [&](std::size_t i) -> Result<verify::PolicyVerdict> {
    return verify::evaluate_image(session->client(), *prepared, refs[i], run.what);
  });
  int worst = 0;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (!verdicts[i]) {
      print_error("{}: {}", run.images[i], verdicts[i].error().message);
      worst = std::max(worst, exit_status(verdicts[i].error().code));
      continue;
    }
    const auto& v = *verdicts[i];
    print_verdict(v, run.explain);
    if (run.output == "json") {
      print_result(verdict_json(v) + "\n");
    } else {
      print_text("{} {} {}\n", verify::outcome_name(v.outcome), v.image, v.digest);
    }
    worst = std::max(worst, verdict_status(v));
  }
  return worst;
}

} // namespace sigil::cli
