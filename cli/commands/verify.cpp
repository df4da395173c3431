// sigil verify
#include "annotations.hpp"
#include "command.hpp"
#include "exit_status.hpp"
#include "keyless_flags.hpp"
#include "output.hpp"
#include "parallel.hpp"
#include "policy_file.hpp"
#include "progress.hpp"
#include "registry_flags.hpp"

#include "sigil/verify/image.hpp"
#include "sigil/verify/image_report.hpp"
#include "sigil/verify/trust.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

// Upper bound of --max-payload-size: a payload is held in memory whole (DESIGN.md §3.5).
constexpr std::uint64_t k_max_payload_size = std::uint64_t{256} << 20;

struct Options {
  std::vector<std::string> images;
  std::vector<std::string> keys;
  std::vector<std::string> annotations;
  bool check_claims = true;
  bool check_docker_reference = false;
  std::string output = "json";
  bool json_asked = false; // -o json given: no progress line either
  std::size_t max_signatures = 100;
  std::uint64_t max_payload_bytes = std::uint64_t{1} << 20;
  bool explain = false;
  int max_workers = 8;
  std::string policy;
  RegistryFlags registry;
  KeylessFlags keyless;
  std::vector<std::string> policy_fixed_given; // k_policy_fixed_flags given on the command line
};

// What one image's verification produced, rendered after all have finished.
struct Outcome {
  Result<verify::VerifyImageResult> result = fail(ErrorCode::internal, "not run");
  int status = 0;
};

void print_checks(const Options& o, const verify::VerifyImageResult& r)
{
  print_info("\nVerification for {} --\nThe following checks were performed on each of these signatures:",
             r.image.str());
  if (o.check_claims) {
    print_info("  - The signed payload names this digest (cosign claims validated)");
  }
  if (!o.annotations.empty()) {
    print_info("  - The specified annotations were verified");
  }
  if (!o.keys.empty()) {
    print_info("  - The signatures were verified against the specified public key(s)");
  }
  if (o.keyless.wants_keyless()) {
    print_info("  - Keyless: the certificate chains to a trusted Fulcio CA at the verified signing time, its SCT and "
               "transparency log entry verify, and its identity matches");
  }
}

void render(const Options& o, const std::string& arg, const Outcome& out, const std::vector<verify::TrustedKey>& keys)
{
  if (!out.result) {
    print_error("{}: {}", arg, out.result.error().message);
    return;
  }
  const auto& r = *out.result;
  if (r.tag_given) {
    print_warning("{} is a tag: verified the digest it points to now, {}", arg, r.image.digest()->str());
  }
  if (o.explain || out.status != 0) {
    for (const auto& s : r.signatures) {
      print_info("  {} {}: {}", s.verified ? "accepted" : "rejected", s.source, s.reason);
    }
  }
  if (out.status == exit_status(ErrorCode::no_signatures)) {
    print_error("no signatures found for {}", r.image.str());
    return;
  }
  if (out.status != 0) {
    print_error("no matching signatures for {}: {} considered, none verified", r.image.str(), r.signatures.size());
    return;
  }
  print_checks(o, r);
  if (o.output == "json") {
    print_result(verify::cosign_json(r, keys));
    return;
  }
  // -o text: one line per verified signature: the image, where the signature was, who signed.
  for (const auto& s : r.signatures) {
    if (!s.verified) {
      continue;
    }
    if (s.keyless && s.keyless->identity) {
      print_text("verified {} {} by {} ({})\n", r.image.str(), s.source, s.keyless->identity->subject,
                 s.keyless->identity->issuer);
    } else if (s.key_index && *s.key_index < keys.size()) {
      print_text("verified {} {} by key {}\n", r.image.str(), s.source, keys[*s.key_index].name);
    } else {
      print_text("verified {} {}\n", r.image.str(), s.source);
    }
  }
}

// verify --policy: the policy file says who must have signed (and which attestations each
// image needs); the trust flags would say it twice.
Result<int> run_with_policy(const Options& o, const GlobalOptions& global)
{
  SIGIL_TRY(refuse_trust_flags(o.keys, o.keyless, o.annotations));
  SIGIL_TRY(refuse_policy_fixed_flags(o.policy_fixed_given));
  return run_policy({.policy = o.policy, .images = o.images, .output = o.output, .explain = o.explain,
                     .max_workers = o.max_workers, .what = {}},
                    o.registry, global);
}

Result<int> run(const Options& o, const GlobalOptions& global)
{
  if (!o.policy.empty()) {
    return run_with_policy(o, global);
  }
  SIGIL_TRY_ASSIGN(const auto annotations, parse_annotations(o.annotations));
  if (o.keys.empty() && !o.keyless.wants_keyless()) {
    return fail(ErrorCode::usage, "say who you trust: --key PUBLIC_KEY, or --certificate-identity and "
                                  "--certificate-oidc-issuer (keyless), or --gitlab-project GROUP/PROJECT, or "
                                  "--policy FILE");
  }
  SIGIL_TRY_ASSIGN(const auto keys, verify::load_trusted_keys(o.keys));
  verify::prewarm(keys); // while libcurl loads on the preload thread (main.cpp)
  SIGIL_TRY_ASSIGN(const auto keyless, make_keyless_setup(o.keyless));
  if (!o.check_claims) {
    print_warning("--check-claims=false: a signature made for another image is accepted (the signed digest is not "
                  "compared)");
  }
  if (o.keyless.wants_keyless() && !keyless.policy.identity.complete()) {
    return fail(ErrorCode::usage, "keyless verification needs --certificate-identity (or -regexp) and "
                                  "--certificate-oidc-issuer (or -regexp), or --gitlab-project");
  }
  std::vector<oci::Reference> refs;
  for (const auto& image : o.images) {
    SIGIL_TRY_ASSIGN(auto ref, parse_image(image));
    refs.push_back(std::move(ref));
  }
  auto session = open_session(o.registry, global);
  Progress progress("verify", progress_wanted(o.json_asked));
  progress.start_items(refs.size());
  auto results = map_parallel(refs.size(), o.max_workers, [&](std::size_t i) {
    auto result = verify::verify_image(session->client(),
                                       {.image = refs[i], .signature_repo = std::nullopt, .keys = keys,
                                        .annotations = annotations, .check_claims = o.check_claims,
                                        .check_docker_reference = o.check_docker_reference,
                                        .max_signatures = o.max_signatures, .max_payload_bytes = o.max_payload_bytes,
                                        .sigstore = keyless.policy, .every_format = o.explain});
    progress.item_done();
    return result;
  });
  progress.finish();
  int worst = 0;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const int status = status_of(results[i]);
    const Outcome out{.result = std::move(results[i]), .status = status};
    render(o, o.images[i], out, keys);
    worst = std::max(worst, out.status);
  }
  return worst;
}

} // namespace

void register_verify(Commands& commands)
{
  auto* app = commands.add(
    "verify",
    "Verify the signatures of container images against trusted public keys, or keyless by identity.\n"
    "Reads the cosign .sig tag and Sigstore bundle referrers. A signature counts when it verifies over the exact\n"
    "payload bytes with a trusted key, names the image's digest, and carries every -a annotation.\n"
    "With --policy FILE (sigil-policy(5)) the policy's rule for each image decides instead of the trust flags:\n"
    "its signatures (N of M authorities) and required attestations; one JSON verdict per image on stdout.\n"
    "Exit: 0 verified, 10 no signatures, 11 image not found, 12 none verified, 15 the policy rejected an image,\n"
    "20 registry, 21 auth, 30 invalid policy file.",
    "  sigil verify registry.example.com/app@sha256:... --key sigil.pub\n"
    "  sigil verify registry.example.com/app:1.2 --key old.pub --key new.pub -a git-sha=abc123 --explain\n"
    "  sigil verify img1@sha256:... img2@sha256:... --key sigil.pub -o text --max-workers 16\n"
    "  sigil verify registry.gitlab.com/grp/app@sha256:... --trusted-root trusted_root.json \\\n"
    "      --gitlab-project grp/app --gitlab-ref 'refs/tags/v*'\n"
    "  sigil verify --policy trust-policy.yaml registry.example.com/app:1.2 registry.example.com/db@sha256:...\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->images, "Images to verify")->required();
  app->add_option("--key", o->keys, "Trusted public key (path or env://VAR); repeat for key rotation");
  app->add_option("-a,--annotations", o->annotations, "key=value that must be in the signed payload");
  app->add_option("--check-claims", o->check_claims, "Check that the signed payload names the image digest")
    ->capture_default_str();
  app->add_flag("--check-docker-reference", o->check_docker_reference,
                "Also require the payload's docker-reference to name the image's repository");
  auto* output = app->add_option("-o,--output", o->output, "Output on stdout")
                     ->check(CLI::IsMember({"json", "text"}))
                     ->capture_default_str();
  app->add_option("--max-signatures", o->max_signatures, "Refuse to consider more signatures than this (at most 100000)")
    ->check(CLI::Range(1, 100000))
    ->capture_default_str();
  app->add_option("--max-payload-size", o->max_payload_bytes,
                  fmt::format("Largest signature payload blob read, in bytes (at most {})", k_max_payload_size))
    ->check(CLI::Range(std::uint64_t{1}, k_max_payload_size))
    ->capture_default_str();
  app->add_flag("--explain", o->explain,
                "One line per signature considered, from the .sig tag and the bundle referrers, with where it was "
                "and why it was accepted or rejected");
  app->add_option("--max-workers", o->max_workers, "Images verified concurrently")->check(CLI::Range(1, 64))->capture_default_str();
  app->add_option("--policy", o->policy,
                  "Trust policy file (sigil-policy(5)): its rule for each image says who must have signed; replaces "
                  "--key, the keyless flags, --trusted-root and -a");
  add_registry_flags(app, o->registry);
  add_local_flag(app, o->registry);
  add_keyless_flags(app, o->keyless);
  commands.set_run(app, [o, app, output, &global = commands.global()] {
    o->policy_fixed_given = given_options(*app, k_policy_fixed_flags);
    o->json_asked = output->count() > 0 && o->output == "json";
    return run(*o, global);
  });
}

} // namespace sigil::cli
