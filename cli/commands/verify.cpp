// sigil verify
#include "command.hpp"
#include "output.hpp"
#include "parallel.hpp"
#include "registry_flags.hpp"

#include "sigil/crypto/key_file.hpp"
#include "sigil/util/json.hpp"
#include "sigil/verify/image.hpp"

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
  std::size_t max_signatures = 100;
  std::uint64_t max_payload_bytes = std::uint64_t{1} << 20;
  bool explain = false;
  int max_workers = 8;
  RegistryFlags registry;
};

// What one image's verification produced, rendered after all have finished.
struct Outcome {
  Result<verify::VerifyImageResult> result = fail(ErrorCode::internal, "not run");
  int status = 0;
};

util::Json entry_json(const verify::VerifyImageResult& r, const verify::SignatureReport& s,
                      const std::vector<verify::TrustedKey>& keys)
{
  util::Json entry = util::Json::object();
  auto doc = util::parse_json(s.payload);
  if (s.format == verify::SignatureFormat::legacy && doc && doc->is_object()) {
    entry = *doc; // the simple-signing payload, as cosign prints it
  } else if (doc && doc->is_object()) {
    // cosign's synthesised form for bundle signatures
    util::Json optional = nullptr;
    if (doc->contains("subject") && (*doc)["subject"].is_array() && !(*doc)["subject"].empty() &&
        (*doc)["subject"][0].contains("annotations")) {
      optional = (*doc)["subject"][0]["annotations"];
    }
    entry["critical"] = {{"identity", {{"docker-reference", r.image.name()}}},
                         {"image", {{"docker-manifest-digest", r.image.digest()->str()}}},
                         {"type", doc->value("predicateType", "")}};
    entry["optional"] = optional;
  }
  const auto& key = keys[*s.key_index];
  entry["sigil"] = {{"format", s.format == verify::SignatureFormat::legacy ? "legacy" : "bundle"},
                    {"key", key.name},
                    {"keyFingerprint", key.key.fingerprint()},
                    {"source", s.source}};
  return entry;
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
  print_info("\nVerification for {} --\nThe following checks were performed on each of these signatures:",
             r.image.str());
  if (o.check_claims) {
    print_info("  - The signed payload names this digest (cosign claims validated)");
  }
  if (!o.annotations.empty()) {
    print_info("  - The specified annotations were verified");
  }
  print_info("  - The signatures were verified against the specified public key(s)");
  util::Json array = util::Json::array();
  for (const auto& s : r.signatures) {
    if (!s.verified) {
      continue;
    }
    if (o.output == "text") {
      print_text("{}\n", s.payload);
    } else {
      array.push_back(entry_json(r, s, keys));
    }
  }
  if (o.output == "json") {
    print_result(util::dump_json(array) + "\n");
  }
}

Result<int> run(const Options& o, const GlobalOptions& global)
{
  std::map<std::string, std::string> annotations;
  for (const auto& p : o.annotations) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fail(ErrorCode::usage, fmt::format("annotation \"{}\" is not key=value", p));
    }
    annotations[p.substr(0, eq)] = p.substr(eq + 1);
  }
  std::vector<verify::TrustedKey> keys;
  for (const auto& ref : o.keys) {
    auto key = crypto::load_public_key(ref);
    if (!key) {
      return fail(key.error());
    }
    keys.push_back({ref, std::move(*key)});
  }
  std::vector<oci::Reference> refs;
  for (const auto& image : o.images) {
    auto ref = parse_image(image);
    if (!ref) {
      return fail(ref.error());
    }
    refs.push_back(std::move(*ref));
  }
  auto session = open_session(o.registry, global);
  auto results = map_parallel(refs.size(), o.max_workers, [&](std::size_t i) -> Result<verify::VerifyImageResult> {
    auto repo = signature_repository(refs[i]);
    if (!repo) {
      return fail(repo.error());
    }
    const bool custom = !(repo->registry == refs[i].registry() && repo->path == refs[i].repository());
    return verify::verify_image(
      session->client(), {.image = refs[i], .signature_repo = custom ? std::optional(*repo) : std::nullopt,
                          .keys = keys, .annotations = annotations, .check_claims = o.check_claims,
                          .check_docker_reference = o.check_docker_reference, .max_signatures = o.max_signatures,
                          .max_payload_bytes = o.max_payload_bytes});
  });
  std::vector<Outcome> outcomes;
  outcomes.reserve(results.size());
  for (auto& r : results) {
    outcomes.push_back(Outcome{.result = std::move(r)});
  }
  int worst = 0;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    auto& out = outcomes[i];
    if (!out.result) {
      out.status = exit_status(out.result.error().code);
    } else if (out.result->signatures.empty()) {
      out.status = exit_status(ErrorCode::no_signatures);
    } else if (out.result->verified_count() == 0) {
      out.status = exit_status(ErrorCode::none_verified);
    }
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
    "Verify the signatures of container images against trusted public keys.\n"
    "Reads the cosign .sig tag and Sigstore bundle referrers. A signature counts when it verifies over the exact\n"
    "payload bytes with a trusted key, names the image's digest, and carries every -a annotation.\n"
    "Exit: 0 verified, 10 no signatures, 11 image not found, 12 none verified, 20 registry, 21 auth.",
    "  sigil verify registry.example.com/app@sha256:... --key sigil.pub\n"
    "  sigil verify registry.example.com/app:1.2 --key old.pub --key new.pub -a git-sha=abc123 --explain\n"
    "  sigil verify img1@sha256:... img2@sha256:... --key sigil.pub -o text --max-workers 16\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->images, "Images to verify")->required();
  app->add_option("--key", o->keys, "Trusted public key (path or env://VAR); repeat for key rotation")->required();
  app->add_option("-a,--annotations", o->annotations, "key=value that must be in the signed payload");
  app->add_option("--check-claims", o->check_claims, "Check that the signed payload names the image digest")
    ->capture_default_str();
  app->add_flag("--check-docker-reference", o->check_docker_reference,
                "Also require the payload's docker-reference to name the image's repository");
  app->add_option("-o,--output", o->output, "Output on stdout")->check(CLI::IsMember({"json", "text"}))->capture_default_str();
  app->add_option("--max-signatures", o->max_signatures, "Refuse to consider more signatures than this (at most 100000)")
    ->check(CLI::Range(1, 100000))
    ->capture_default_str();
  app->add_option("--max-payload-size", o->max_payload_bytes,
                  fmt::format("Largest signature payload blob read, in bytes (at most {})", k_max_payload_size))
    ->check(CLI::Range(std::uint64_t{1}, k_max_payload_size))
    ->capture_default_str();
  app->add_flag("--explain", o->explain, "One line per signature considered, with why it was accepted or rejected");
  app->add_option("--max-workers", o->max_workers, "Images verified concurrently")->check(CLI::Range(1, 64))->capture_default_str();
  add_registry_flags(app, o->registry);
  commands.set_run(app, [o, &global = commands.global()] { return run(*o, global); });
}

} // namespace sigil::cli
