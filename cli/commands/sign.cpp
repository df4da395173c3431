// sigil sign
#include "annotations.hpp"
#include "command.hpp"
#include "cosign_flags.hpp"
#include "keyless_sign_flags.hpp"
#include "output.hpp"
#include "parallel.hpp"
#include "progress.hpp"
#include "registry_flags.hpp"
#include "secrets.hpp"

#include "sigil/sign/image.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"

#include <algorithm>
#include <optional>

namespace sigil::cli {

namespace {

struct Options {
  std::vector<std::string> images;
  std::string key;
  std::vector<std::string> annotations;
  std::string format; // legacy (default), bundle (the default with Rekor v2) or both
  bool recursive = false;
  bool upload = true;
  std::string output_signature;
  std::string output_payload;
  std::string password_file;
  bool allow_insecure_key_permissions = false;
  int max_workers = 4;
  RegistryFlags registry;
  KeylessSignFlags keyless;
  TlogUploadFlag tlog_upload;
};

// Not given: legacy, or bundle with a Rekor v2 log (which gives no SET for the legacy
// annotations; cosign 3 writes bundles by default).
sign::Format format_of(const std::string& name, const OpenedSigner& signer)
{
  if (name.empty()) {
    return signer.keyless && signer.keyless->rekor_v2 ? sign::Format::bundle : sign::Format::legacy;
  }
  return name == "bundle" ? sign::Format::bundle : name == "both" ? sign::Format::both : sign::Format::legacy;
}

Result<void> write_outputs(const Options& o, const sign::SignedDigest& s)
{
  if (!o.output_signature.empty()) {
    const std::string b64 = util::base64_encode(s.signature);
    SIGIL_TRY(util::write_file_atomic({o.output_signature, util::as_bytes(b64), 0644, util::Overwrite::yes}));
  }
  if (!o.output_payload.empty()) {
    SIGIL_TRY(util::write_file_atomic({o.output_payload, util::as_bytes(s.payload), 0644, util::Overwrite::yes}));
  }
  return {};
}

Result<void> check_outputs(const Options& o)
{
  if (!o.upload && o.output_signature.empty() && o.output_payload.empty()) {
    return fail(ErrorCode::usage, "--upload=false writes nothing: add --output-signature FILE and/or --output-payload FILE");
  }
  if (o.images.size() > 1 && (!o.output_signature.empty() || !o.output_payload.empty())) {
    return fail(ErrorCode::usage, "--output-signature and --output-payload take one image");
  }
  return {};
}

// The same reference twice would be two concurrent signers of one tag, each adding its own
// layer (one at a time, the second found the first and added nothing): signed once.
Result<std::vector<oci::Reference>> parse_images(const std::vector<std::string>& images)
{
  std::vector<oci::Reference> refs;
  for (const auto& image : images) {
    SIGIL_TRY_ASSIGN(auto ref, parse_image(image));
    if (std::none_of(refs.begin(), refs.end(), [&](const oci::Reference& r) { return r.str() == ref.str(); })) {
      refs.push_back(std::move(ref));
    }
  }
  return refs;
}

// Every image is reported; the exit status is the first failure's (printed last).
Result<int> report(const Options& o, const std::vector<oci::Reference>& refs,
                   std::vector<Result<sign::SignImageResult>>& outcomes)
{
  std::optional<Error> first_failure;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    auto& result = outcomes[i];
    if (!result) {
      if (!first_failure) {
        first_failure = result.error();
      } else {
        print_error("{}", result.error().message);
      }
      continue;
    }
    if (result->tag_given) {
      print_warning("{} is a tag: signing the digest it points to now; tags are mutable, sign by digest",
                    refs[i].str());
    }
    for (const auto& s : result->signed_digests) {
      if (s.already_signed) {
        print_info("{} is already signed with this key; nothing added", s.image.str());
      } else {
        print_info("Signed {}{}", s.image.str(), o.upload ? "" : " (not uploaded)");
        if (s.keyless) {
          print_info("Logged in the transparency log at index {}", s.keyless->tlog_entry.log_index);
        }
      }
      SIGIL_TRY(write_outputs(o, s));
    }
  }
  if (first_failure) {
    return fail(*first_failure);
  }
  return 0;
}

Result<int> run(const Options& o, const GlobalOptions& global)
{
  SIGIL_TRY(check_tlog_upload(o.tlog_upload, !o.key.empty()));
  SIGIL_TRY_ASSIGN(const auto annotations, parse_annotations(o.annotations));
  SIGIL_TRY(check_outputs(o));
  SIGIL_TRY_ASSIGN(const auto refs, parse_images(o.images));
  std::string what;
  for (const auto& image : o.images) {
    what += (what.empty() ? "" : ", ") + image;
  }
  const bool legacy_output = o.format == "legacy" || o.format == "both";
  SIGIL_TRY_ASSIGN(const auto opened, open_any_signer({o.key, o.password_file, o.allow_insecure_key_permissions,
                                                       o.keyless, legacy_output},
                                                      global, what));
  const sign::Format format = format_of(o.format, opened);
  const sign::Signer* signer = &opened.get();
  auto session = open_session(o.registry, global);
  // Images are signed concurrently (each image's .sig tag is its own read-merge-write), on one
  // connection pool; the results are reported in the order given.
  Progress progress("sign", progress_wanted(false));
  progress.start_items(refs.size());
  auto outcomes = map_parallel(refs.size(), o.max_workers, [&](std::size_t i) {
    auto outcome = sign::sign_image(session->client(), {.image = refs[i],
                                                        .signature_repo = std::nullopt,
                                                        .signer = *signer,
                                                        .annotations = annotations,
                                                        .format = format,
                                                        .recursive = o.recursive,
                                                        .upload = o.upload});
    progress.item_done();
    return outcome;
  });
  progress.finish();
  // A key that failed to load is the error to report, even when the registry work running
  // meanwhile failed too.
  SIGIL_TRY(signer->key());
  return report(o, refs, outcomes);
}

} // namespace

void register_sign(Commands& commands)
{
  auto* app = commands.add(
    "sign",
    "Sign container images by digest and push the signatures to the registry in cosign's format.\n"
    "A tag is resolved once to its digest, which is what gets signed. --format legacy (default) writes the\n"
    "simple-signing .sig tag that cosign, Kyverno, podman, skopeo and CRI-O verify; bundle writes a Sigstore\n"
    "bundle referrer as cosign 3 does; both writes both. Concurrent signers never lose each other's signatures.\n"
    "Without --key, signs keyless: an OIDC identity token buys a Fulcio certificate for an ephemeral key; each\n"
    "signature is logged in Rekor and verified before the .sig layer (with cosign's certificate, chain and bundle\n"
    "annotations) or the bundle referrer (certificate, dsse log entry, timestamp) is written. A --signing-config\n"
    "whose rekorTlogUrls name a Rekor v2 log (majorApiVersion 2) logs there: bundles only, with a timestamp.",
    "  sigil sign registry.example.com/app@sha256:... --key sigil.key\n"
    "  sigil sign registry.example.com/app:1.2 --key env://SIGNING_KEY -a git-sha=$CI_COMMIT_SHA\n"
    "  sigil sign registry.example.com/app@sha256:... --key sigil.key --recursive --format both\n"
    "  SIGIL_REPOSITORY=registry.example.com/signatures sigil sign registry.example.com/app@sha256:... --key sigil.key\n"
    "  SIGSTORE_ID_TOKEN=$TOKEN sigil sign registry.example.com/app@sha256:... -y   # keyless (GitLab CI id_tokens)\n");
  auto o = std::make_shared<Options>();
  app->add_option("image", o->images, "Images to sign (by digest; a tag is resolved)")->required();
  app->add_option("--key", o->key, "Private key (path or env://VAR); without it, keyless signing");
  app->add_option("-a,--annotations", o->annotations, "Extra key=value pairs signed into the payload");
  app->add_option("--format", o->format,
                  "Signature format: legacy, bundle or both (default: legacy; bundle when the signing config selects "
                  "a Rekor v2 log)")
    ->check(CLI::IsMember({"legacy", "bundle", "both"}));
  app->add_flag("-r,--recursive", o->recursive, "For an index, also sign every platform manifest");
  app->add_option("--upload", o->upload, "Push the signature to the registry (--upload=false: only write files)")
    ->capture_default_str();
  app->add_option("--output-signature", o->output_signature, "Write the base64 signature to FILE");
  app->add_option("--output-payload", o->output_payload, "Write the signed payload to FILE");
  app->add_option("--password-file", o->password_file, "Read the key's password from FILE");
  app->add_option("--max-workers", o->max_workers, "Images signed concurrently")->check(CLI::Range(1, 64))->capture_default_str();
  add_key_permissions_flag(app, o->allow_insecure_key_permissions);
  add_registry_flags(app, o->registry);
  o->keyless.registry = &o->registry;
  add_keyless_sign_flags(app, o->keyless);
  add_tlog_upload_flag(app, o->tlog_upload);
  commands.set_run(app, [o, &global = commands.global()] { return run(*o, global); });
}

} // namespace sigil::cli
