#include "sigil/verify/bundle_referrer.hpp"

#include "sigil/bundle/bundle.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/verify/envelope.hpp"

#include <fmt/format.h>

namespace sigil::verify {

namespace {

constexpr std::string_view k_bundle_prefix = "application/vnd.dev.sigstore.bundle";

struct BundleLayer {
  oci::Descriptor layer;
  bool annotated_as_requested = false; // the referrer's unsigned annotation names our type
};

// The one bundle layer of a referrer manifest, or nullopt when it is not a bundle referrer.
Result<std::optional<BundleLayer>> bundle_layer(const BundleReferrersRequest& r, const oci::Descriptor& referrer)
{
  auto found = r.client.find_manifest(r.target, referrer.digest.str());
  if (!found) {
    return fail(found.error());
  }
  if (!*found || (*found)->kind != oci::ManifestKind::image) {
    return std::optional<BundleLayer>{};
  }
  auto manifest = oci::parse_manifest((*found)->bytes);
  if (!manifest || manifest->layers.size() != 1 || !manifest->layers[0].media_type.starts_with(k_bundle_prefix)) {
    return std::optional<BundleLayer>{};
  }
  // The unsigned annotation may only narrow what `verify` reads (an attestation is not a
  // signature, whatever it says); it never decides what an attestation is.
  const auto it = manifest->annotations.find(std::string(oci::annotation::bundle_predicate_type));
  const bool annotated = it != manifest->annotations.end();
  if (r.skip_other_types && annotated && it->second != r.predicate_type) {
    return std::optional<BundleLayer>{};
  }
  return std::optional(BundleLayer{manifest->layers[0], annotated && it->second == r.predicate_type});
}

SignatureReport check_bundle(const BundleReferrersRequest& r, const std::string& json, std::string source)
{
  SignatureReport report{std::move(source), SignatureFormat::bundle, false, {}, std::nullopt, {}, {}};
  auto parsed = bundle::parse_bundle(json);
  if (!parsed) {
    report.reason = parsed.error().message;
    return report;
  }
  const auto* envelope = std::get_if<dsse::Envelope>(&parsed->content);
  if (envelope == nullptr) {
    report.reason = "the bundle holds a message signature, not a DSSE envelope";
    return report;
  }
  report.payload = std::string(util::as_chars(envelope->payload));
  auto check = check_envelope({.envelope = *envelope,
                               .keys = r.keys,
                               .subject_algorithm = std::string(oci::algorithm_name(r.image.digest()->algorithm)),
                               .subject_hex = r.image.digest()->hex,
                               .predicate_type = r.predicate_type,
                               .annotations = &r.annotations,
                               .check_claims = r.check_claims});
  report.verified = check.verified;
  report.key_index = check.key_index;
  report.reason = check.reason;
  if (check.statement) {
    report.signed_predicate_type = check.statement->predicate_type;
    report.statement = std::move(check.statement);
  }
  return report;
}

} // namespace

Result<void> collect_bundle_referrers(const BundleReferrersRequest& r, std::vector<SignatureReport>& out)
{
  auto refs = r.client.referrers(r.target, *r.image.digest());
  if (!refs) {
    return fail(refs.error());
  }
  std::size_t considered = 0;
  for (const auto& referrer : refs->index.manifests) {
    auto layer = bundle_layer(r, referrer);
    if (!layer) {
      return fail(layer.error());
    }
    if (!*layer) {
      continue;
    }
    const std::string source = fmt::format("referrer {}", referrer.digest.str());
    if (++considered > r.max_entries) {
      out.push_back(SignatureReport{source, SignatureFormat::bundle, false,
                                    fmt::format("more than {} bundles; the rest were not considered (--max-signatures)",
                                                r.max_entries),
                                    std::nullopt, {}, {}});
      return {};
    }
    auto blob = r.client.get_blob(r.target, (*layer)->layer, r.max_blob_bytes);
    if (!blob) {
      if (blob.error().code != ErrorCode::bad_input) {
        return fail(blob.error());
      }
      out.push_back(SignatureReport{source, SignatureFormat::bundle, false, blob.error().message, std::nullopt, {}, {}});
      continue;
    }
    auto report = check_bundle(r, *blob, source);
    // An unannotated bundle of another signed type is an attestation: not ours to report.
    // One whose annotation claimed our type is reported (rejected): it is mislabelled.
    if (r.skip_other_types && !(*layer)->annotated_as_requested && !report.signed_predicate_type.empty() &&
        report.signed_predicate_type != r.predicate_type) {
      continue;
    }
    out.push_back(std::move(report));
  }
  return {};
}

} // namespace sigil::verify
