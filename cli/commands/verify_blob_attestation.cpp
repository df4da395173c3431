// sigil verify-blob-attestation
#include "attestation_policy.hpp"
#include "command.hpp"
#include "output.hpp"

#include "sigil/util/file.hpp"
#include "sigil/verify/attestation.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

constexpr std::uint64_t k_max_bundle_size = std::uint64_t{32} << 20;

struct Options {
  std::string file;
  std::string bundle;
  PolicyFlags policy;
};

Result<int> run(const Options& o)
{
  SIGIL_TRY_ASSIGN(auto p, policy_request(o.policy));
  SIGIL_TRY_ASSIGN(auto json, util::read_file(o.bundle, k_max_bundle_size));
  auto result = verify::verify_blob_attestation({.input = o.file,
                                                 .keys = std::move(p.keys),
                                                 .bundle_json = std::move(json),
                                                 .predicate_type = p.predicate_type,
                                                 .policy = std::move(p.policy),
                                                 .check_claims = o.policy.check_claims,
                                                 .sigstore = p.keyless.policy});
  SIGIL_TRY_CONTEXT(result, fmt::format("verifying {}", o.file));
  auto status = render_decision(o.policy, o.file, result->attestations, result->decision, p.predicate_type);
  if (status && *status == 0) {
    print_info("Verified OK");
  }
  return status;
}

} // namespace

void register_verify_blob_attestation(Commands& commands)
{
  auto* app = commands.add(
      "verify-blob-attestation",
      "Verify a file's attestation bundle (Sigstore bundle with a DSSE envelope, as attest-blob and cosign write).",
      "  sigil verify-blob-attestation app.tar.gz --key sigil.pub --bundle app.intoto.json --type slsaprovenance1\n");
  auto o = std::make_shared<Options>();
  app->add_option("file", o->file, "File the attestation is about, or - for stdin")->required();
  app->add_option("--bundle", o->bundle, "The attestation bundle")->required();
  add_policy_flags(app, o->policy);
  commands.set_run(app, [o] { return run(*o); });
}

} // namespace sigil::cli
