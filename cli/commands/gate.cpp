// sigil gate
#include "annotations.hpp"
#include "command.hpp"
#include "gate_files.hpp"
#include "gate_policy.hpp"
#include "keyless_flags.hpp"
#include "output.hpp"
#include "policy_file.hpp"
#include "registry_flags.hpp"

#include "sigil/gate/gate.hpp"
#include "sigil/gate/pin.hpp"
#include "sigil/gate/report.hpp"
#include "sigil/gate/verify_decider.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/redact.hpp"
#include "sigil/verify/trust.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>

namespace sigil::cli {

namespace {

constexpr std::uint64_t k_max_payload_size = std::uint64_t{256} << 20; // as verify's

struct Options {
  std::vector<std::string> paths;
  std::string policy;
  std::vector<std::string> keys;
  std::vector<std::string> annotations;
  bool check_claims = true;
  bool check_docker_reference = false;
  std::string output = "text";
  std::string junit;
  bool list = false;
  bool pin = false;
  std::string pin_dir;
  bool pin_in_place = false;
  std::size_t max_signatures = 100;
  std::uint64_t max_payload_bytes = std::uint64_t{1} << 20;
  int max_workers = 16;
  bool allow_unknown_kinds = false;
  RegistryFlags registry;
  KeylessFlags keyless;
  std::vector<std::string> policy_fixed_given; // k_policy_fixed_flags given on the command line
};

Result<void> check_pin_flags(const Options& o)
{
  if (!o.pin && (!o.pin_dir.empty() || o.pin_in_place)) {
    return fail(ErrorCode::usage, "--pin-dir and --pin-in-place say where --pin writes: add --pin");
  }
  if (o.pin && o.pin_dir.empty() == !o.pin_in_place) {
    return fail(ErrorCode::usage, "--pin needs one destination: --pin-dir DIR (a pinned copy of each file) or "
                                  "--pin-in-place (rewrite the files given)");
  }
  if (o.pin_in_place && std::ranges::find(o.paths, std::string("-")) != o.paths.end()) {
    return fail(ErrorCode::usage, "--pin-in-place cannot rewrite standard input; use --pin-dir DIR");
  }
  return {};
}

// --policy says whom to trust per image; the trust flags would say it twice (as verify --policy).
Result<void> check_policy_flags(const Options& o)
{
  if (o.policy.empty()) {
    return {};
  }
  SIGIL_TRY(refuse_trust_flags(o.keys, o.keyless, o.annotations));
  return refuse_policy_fixed_flags(o.policy_fixed_given);
}

std::string rule_label(const Options& o)
{
  std::vector<std::string> parts;
  for (const auto& k : o.keys) {
    parts.push_back(fmt::format("key {}", k));
  }
  if (!o.keyless.gitlab_project.empty()) {
    parts.push_back(fmt::format("gitlab project {}", o.keyless.gitlab_project));
  } else if (o.keyless.wants_keyless()) {
    const auto& id = o.keyless.identity.empty() ? o.keyless.identity_regexp : o.keyless.identity;
    const auto& iss = o.keyless.issuer.empty() ? o.keyless.issuer_regexp : o.keyless.issuer;
    parts.push_back(fmt::format("identity {} from {}", id, iss));
  }
  return fmt::format("verify: signed by {}", fmt::join(parts, " or "));
}

Result<gate::VerifyTrust> make_trust(const Options& o, const KeylessSetup& keyless)
{
  if (o.keys.empty() && !o.keyless.wants_keyless()) {
    return fail(ErrorCode::usage, "say who you trust: --key PUBLIC_KEY, or --certificate-identity and "
                                  "--certificate-oidc-issuer (keyless), or --gitlab-project GROUP/PROJECT, or "
                                  "--policy FILE");
  }
  if (o.keyless.wants_keyless() && !keyless.policy.identity.complete()) {
    return fail(ErrorCode::usage, "keyless verification needs --certificate-identity (or -regexp) and "
                                  "--certificate-oidc-issuer (or -regexp), or --gitlab-project");
  }
  SIGIL_TRY_ASSIGN(auto annotations, parse_annotations(o.annotations));
  SIGIL_TRY_ASSIGN(auto keys, verify::load_trusted_keys(o.keys));
  return gate::VerifyTrust{.keys = std::move(keys), .annotations = std::move(annotations),
                           .check_claims = o.check_claims, .check_docker_reference = o.check_docker_reference,
                           .max_signatures = o.max_signatures, .max_payload_bytes = o.max_payload_bytes,
                           .sigstore = keyless.policy};
}

void render_text(const gate::GateReport& report)
{
  std::size_t counts[4] = {0, 0, 0, 0}; // pass, fail, audit, error
  for (const auto& image : report.images) {
    const auto name = gate::outcome_name(image);
    const auto digest = image.by_digest ? image.by_digest->digest()->str() : std::string("(unresolved)");
    print_text("{:<5} {} {}\n", name, image.image.str(), digest);
    if (image.outcome) {
      ++counts[image.outcome->verdict == gate::Verdict::pass ? 0 : image.outcome->verdict == gate::Verdict::fail ? 1 : 2];
      print_text("      rule: {}\n", image.rule);
      for (const auto& r : image.outcome->reasons) {
        print_text("      {}\n", r);
      }
    } else {
      ++counts[3];
      print_text("      {}\n", image.outcome.error().message);
    }
    for (const auto i : image.occurrences) {
      print_text("      from {}\n", report.occurrences[i].where());
    }
  }
  print_text("gate: {} images ({} references), {} passed, {} failed, {} audited, {} undecided: exit {}\n",
             report.images.size(), report.occurrences.size(), counts[0], counts[1], counts[2], counts[3],
             report.exit_status());
}

// Occurrences, and the file each came from (an index into files).
struct Found {
  std::vector<gate::ImageOccurrence> occurrences;
  std::vector<std::size_t> file_of;
  std::vector<std::string> unchecked; // objects of unknown kinds (--allow-unknown-kinds)
};

Result<Found> find_all(const Options& o, const std::vector<ManifestFile>& files)
{
  Found found;
  for (std::size_t f = 0; f < files.size(); ++f) {
    SIGIL_TRY_ASSIGN(auto occ, gate::find_images(files[f].text, files[f].name,
                                                 {.allow_unknown_kinds = o.allow_unknown_kinds}, &found.unchecked));
    for (auto& occurrence : occ) {
      found.occurrences.push_back(std::move(occurrence));
      found.file_of.push_back(f);
    }
  }
  return found;
}

Result<void> write_one(const Options& o, const ManifestFile& file, const std::string& text, bool changed)
{
  if (o.pin_in_place) {
    if (!changed) {
      return {};
    }
    SIGIL_TRY_ASSIGN(const auto mode, util::file_mode(*file.path));
    return util::write_file_atomic({.path = *file.path, .data = util::as_bytes(text), .mode = mode});
  }
  const auto dest = std::filesystem::path(o.pin_dir) / file.pin_name;
  std::error_code ec;
  std::filesystem::create_directories(dest.parent_path(), ec);
  if (ec) {
    return fail(ErrorCode::other, fmt::format("creating {}: {}", dest.parent_path().string(), ec.message()));
  }
  return util::write_file_atomic({.path = dest, .data = util::as_bytes(text), .mode = 0644});
}

// Every file with each allowed image's tag replaced by its digest; each file written whole
// (temp + rename) or not at all.
Result<std::size_t> write_pins(const Options& o, const std::vector<ManifestFile>& files, const Found& found,
                               const gate::GateReport& report)
{
  std::vector<std::vector<gate::PinEdit>> edits(files.size());
  for (const auto& image : report.images) {
    for (const auto i : image.occurrences) {
      const auto& occ = report.occurrences[i];
      if (!report.allowed(image) || occ.image.digest() || image.outcome->verdict != gate::Verdict::pass) {
        continue; // refused (nothing is written then), by digest already, or allowed unverified (audit)
      }
      edits[found.file_of[i]].push_back({.offset = occ.offset, .quoting = occ.quoting, .old_text = occ.text,
                                         .new_text = gate::pinned_text(occ, *image.by_digest->digest())});
    }
  }
  std::size_t pinned = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    SIGIL_TRY_ASSIGN(const auto text, gate::apply_pins(files[f].text, edits[f]));
    SIGIL_TRY_CONTEXT(write_one(o, files[f], text, !edits[f].empty()), fmt::format("pinning {}", files[f].name));
    std::set<std::size_t> places; // an alias names one place many times: counted once
    for (const auto& e : edits[f]) {
      places.insert(e.offset);
    }
    pinned += places.size();
  }
  return pinned;
}

Result<void> write_junit(const std::string& path, const gate::GateReport& report)
{
  // A JUnit file becomes a CI artifact: registry text in it (which may echo a credential) is
  // redacted as everything this process prints is.
  const auto xml = util::redact_secrets(gate::report_junit(report));
  SIGIL_TRY_CONTEXT(util::write_file_atomic({.path = path, .data = util::as_bytes(xml), .mode = 0644}),
                    fmt::format("writing --junit {}", path));
  return {};
}

// --allow-unknown-kinds: what was not checked, in the text report (with -o json: on stderr, and
// in the report's notChecked list; in the JUnit file as skipped test cases).
void render_unchecked(const Options& o, const Found& found)
{
  for (const auto& u : found.unchecked) {
    if (o.output == "json") {
      print_warning("not checked: {}: kind unknown to the gate (--allow-unknown-kinds)", u);
    } else {
      print_text("not checked {}: kind unknown to the gate (--allow-unknown-kinds)\n", u);
    }
  }
}

Result<int> finish(const Options& o, const std::vector<ManifestFile>& files, const Found& found,
                   const gate::GateReport& report)
{
  if (o.output == "json") {
    print_result(util::redact_secrets(gate::report_json(report)));
  } else {
    render_text(report);
  }
  render_unchecked(o, found);
  if (!o.junit.empty()) {
    SIGIL_TRY(write_junit(o.junit, report));
  }
  const int status = report.exit_status();
  if (o.pin && status != 0) {
    print_note("not pinning: the gate refused or could not decide an image (exit {}); nothing was written", status);
  } else if (o.pin) {
    SIGIL_TRY_ASSIGN(const auto pinned, write_pins(o, files, found, report));
    print_info("pinned {} image references in {} files{}", pinned, files.size(),
               o.pin_in_place ? std::string(" (in place)") : fmt::format(" under {}", o.pin_dir));
    const auto audited = std::ranges::count_if(report.images, [](const gate::GateImage& i) {
      return i.outcome && i.outcome->verdict == gate::Verdict::audit;
    });
    if (audited > 0) {
      print_note("{} audited images were not verified: their references are left as written", audited);
    }
  }
  return status;
}

// --list: the images found, without the registry or any trust.
int list_images(const Options& o, const Found& found)
{
  if (o.output == "json") {
    gate::GateReport report{.occurrences = found.occurrences, .images = {}, .decisions = 0};
    print_result(gate::report_json_occurrences(report));
    render_unchecked(o, found);
    return 0;
  }
  for (const auto& occ : found.occurrences) {
    print_text("{} {}\n      from {}\n", occ.image.str(), occ.text, occ.where());
  }
  render_unchecked(o, found);
  return 0;
}

Result<int> run(const Options& o, const GlobalOptions& global)
{
  SIGIL_TRY(check_pin_flags(o));
  if (o.list) {
    SIGIL_TRY_ASSIGN(const auto files, read_manifest_files(o.paths));
    SIGIL_TRY_ASSIGN(const auto found, find_all(o, files));
    return list_images(o, found);
  }
  SIGIL_TRY(check_policy_flags(o));
  std::shared_ptr<const verify::PreparedPolicy> policy;
  std::optional<KeylessSetup> keyless; // lives as long as the trust that refers into it
  std::optional<gate::VerifyTrust> trust;
  if (!o.policy.empty()) {
    SIGIL_TRY_ASSIGN(policy, load_policy_file(o.policy));
  } else {
    SIGIL_TRY_ASSIGN(keyless, make_keyless_setup(o.keyless));
    SIGIL_TRY_ASSIGN(trust, make_trust(o, *keyless));
  }
  SIGIL_TRY_ASSIGN(const auto files, read_manifest_files(o.paths));
  SIGIL_TRY_ASSIGN(auto found, find_all(o, files));
  if (found.occurrences.empty()) {
    print_warning("no container images in {} manifest files (workload kinds: Pod, Deployment, StatefulSet, "
                  "DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate)",
                  files.size());
  }
  auto session = open_session(o.registry, global);
  const auto decider = policy ? decider_from_policy(session->client(), policy)
                              : gate::decider_from_verify(session->client(), std::move(*trust), rule_label(o));
  auto report =
      gate::run_gate(session->client(), {.occurrences = found.occurrences, .max_workers = o.max_workers}, decider);
  report.not_checked = found.unchecked;
  return finish(o, files, found, report);
}

void add_gate_options(CLI::App* app, Options& o)
{
  app->add_option("path", o.paths, "Manifest files, directories of *.yaml/*.yml/*.json, or - for standard input")->required();
  app->add_option("--policy", o.policy,
                  "Trust policy file (sigil-policy(5)): its rule for each image decides; replaces --key, the keyless "
                  "identity flags, -a and --trusted-root");
  app->add_option("--key", o.keys, "Trusted public key (path or env://VAR); repeat for key rotation");
  app->add_option("-a,--annotations", o.annotations, "key=value that must be in the signed payload");
  app->add_option("--check-claims", o.check_claims, "Check that the signed payload names the image digest")
    ->capture_default_str();
  app->add_flag("--check-docker-reference", o.check_docker_reference,
                "Also require the payload's docker-reference to name the image's repository");
  app->add_option("-o,--output", o.output, "Report on stdout")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  app->add_flag("--list", o.list, "Only list the images found, where from (no registry, no trust flags needed)");
  app->add_option("--junit", o.junit, "Also write a JUnit XML report here (one test case per image)");
  app->add_flag("--pin", o.pin, "Write the manifests with each verified tag replaced by its digest (only when all pass)");
  app->add_option("--pin-dir", o.pin_dir, "With --pin: write pinned copies under this directory");
  app->add_flag("--pin-in-place", o.pin_in_place, "With --pin: rewrite the files given (atomically, each whole)");
  app->add_option("--max-signatures", o.max_signatures, "Refuse to consider more signatures than this (at most 100000)")
    ->check(CLI::Range(1, 100000))
    ->capture_default_str();
  app->add_option("--max-payload-size", o.max_payload_bytes,
                  fmt::format("Largest signature payload blob read, in bytes (at most {})", k_max_payload_size))
    ->check(CLI::Range(std::uint64_t{1}, k_max_payload_size))
    ->capture_default_str();
  app->add_flag("--allow-unknown-kinds", o.allow_unknown_kinds,
                "List objects of kinds the gate does not read (Argo Rollout, Knative Service, any CRD) that have "
                "image keys as not checked, instead of refusing them");
  app->add_option("--max-workers", o.max_workers, "Images verified concurrently")->check(CLI::Range(1, 64))->capture_default_str();
}

} // namespace

void register_gate(Commands& commands)
{
  auto* app = commands.add(
    "gate",
    "Verify every container image in rendered Kubernetes manifests before they are applied.\n"
    "Reads Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and\n"
    "PodTemplate objects (also inside List kinds) from multi-document YAML, as helm template and kustomize\n"
    "build print it; each unique image is resolved to its digest once and verified once, with the trust of\n"
    "sigil verify (--key, keyless identities, -a) as one rule for every image, or with --policy FILE\n"
    "(sigil-policy(5)) the policy's rule for each image (mode audit: allowed, reported).\n"
    "Exit: 0 every image passed, 15 an image was refused, 11 an image is missing, 20 registry, 21 auth,\n"
    "30 a manifest could not be read.",
    "  helm template app ./chart | sigil gate - --key sigil.pub\n"
    "  kustomize build overlays/prod > prod.yaml && sigil gate prod.yaml --key sigil.pub --junit gate.xml\n"
    "  sigil gate rendered/ --gitlab-project grp/app --pin --pin-dir pinned/\n"
    "  sigil gate --policy trust-policy.yaml rendered/ --junit gate.xml\n"
    "  sigil gate --list -o json rendered/\n");
  auto o = std::make_shared<Options>();
  add_gate_options(app, *o);
  add_registry_flags(app, o->registry);
  add_keyless_flags(app, o->keyless);
  commands.set_run(app, [o, app, &global = commands.global()] {
    o->policy_fixed_given = given_options(*app, k_policy_fixed_flags);
    return run(*o, global);
  });
}

} // namespace sigil::cli
