#include "sigil/attachments/download.hpp"

#include "sigil/attachments/reader.hpp"
#include "sigil/dsse/envelope.hpp"
#include "sigil/intoto/statement.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/payload/simple_signing.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>

namespace sigil::attachments {

namespace {

constexpr std::uint64_t k_max_blob = std::uint64_t{1} << 20;
// Largest layer read to tell whose a .sig/.att manifest is (attestations hold SBOMs; one at a time).
constexpr std::uint64_t k_max_owner_blob = std::uint64_t{16} << 20;

std::string annotation_or_empty(const oci::Descriptor& d, std::string_view key)
{
  const auto it = d.annotations.find(std::string(key));
  return it == d.annotations.end() ? std::string{} : it->second;
}

Result<void> download_tag(registry::Client& client, const registry::Repository& target, const oci::Digest& image,
                          TagKind kind, std::size_t max_entries, std::vector<std::string>& out)
{
  SIGIL_TRY_ASSIGN(auto found, read_legacy_tag(client, target, image, kind));
  if (!found) {
    return {};
  }
  if (found->unreadable) {
    return fail(found->unreadable->context(found->tag));
  }
  for (const auto& candidate : found->candidates) {
    if (out.size() >= max_entries) {
      return fail(ErrorCode::registry, fmt::format("{} holds more than {} entries", found->tag, max_entries));
    }
    const auto& layer = candidate.layer;
    SIGIL_TRY_ASSIGN(auto blob, client.get_blob(target, layer, k_max_blob));
    util::OrderedJson j;
    j["Base64Signature"] = annotation_or_empty(layer, oci::annotation::cosign_signature);
    j["Payload"] = util::base64_encode(util::as_bytes(blob));
    j["Cert"] = annotation_or_empty(layer, oci::annotation::cosign_certificate);
    j["Chain"] = annotation_or_empty(layer, oci::annotation::cosign_chain);
    j["Bundle"] = nullptr;
    if (auto rekor = util::parse_json(annotation_or_empty(layer, oci::annotation::cosign_bundle)); rekor) {
      j["Bundle"] = *rekor;
    }
    j["RFC3161Timestamp"] = nullptr;
    out.push_back(util::dump_json(j));
  }
  return {};
}

// Why a manifest listed as a referrer of `image` is not the image's; empty when it is. A
// referrer is the image's when its `subject` names the image's digest: that is signed into
// the manifest's own digest, while the listing (a fallback tag anyone who can push may edit) is not.
std::string not_owned_reason(const registry::FetchedManifest& found, const oci::Digest& image)
{
  std::optional<oci::Descriptor> subject;
  if (found.kind == oci::ManifestKind::image) {
    auto m = registry::image_manifest(found);
    if (!m) {
      return fmt::format("unreadable manifest ({}), not known to be this image's", m.error().message);
    }
    subject = m->subject;
  } else {
    auto index = oci::parse_index(found.bytes);
    if (!index) {
      return fmt::format("unreadable index ({}), not known to be this image's", index.error().message);
    }
    subject = index->subject;
  }
  if (!subject) {
    return "it has no subject, not this image";
  }
  if (!(subject->digest == image)) {
    return fmt::format("its subject is {}, not this image", subject->digest.str());
  }
  return {};
}

// Checks each manifest a referrers listing names, once: fetched, its subject compared.
class OwnershipCheck {
public:
  OwnershipCheck(registry::Client& client, const registry::Repository& target, const oci::Digest& image)
    : m_client(client), m_target(target), m_image(image)
  {
  }

  struct Entry {
    bool present = false;
    std::string not_owned; // empty: the image's
    bool bundle = false;
  };

  Result<Entry> check(const oci::Digest& digest)
  {
    if (auto it = m_seen.find(digest.str()); it != m_seen.end()) {
      return it->second;
    }
    SIGIL_TRY_ASSIGN(auto found, m_client.find_manifest(m_target, digest.str()));
    Entry e;
    if (found) {
      e = {.present = true, .not_owned = not_owned_reason(*found, m_image), .bundle = bundle_layer(*found).has_value()};
    }
    m_seen.emplace(digest.str(), e);
    return e;
  }

private:
  registry::Client& m_client;
  const registry::Repository& m_target;
  oci::Digest m_image;
  std::map<std::string, Entry> m_seen;
};

// Why a layer of the image's .sig / .att manifest is not provably about the image; empty when
// it is: a simple-signing payload (.sig) that names the image's digest, or a DSSE envelope
// (.att) whose in-toto statement has the image's digest among its subjects.
std::string layer_not_owned_reason(std::string_view blob, const oci::Digest& image, TagKind kind)
{
  if (kind == TagKind::signatures) {
    auto ss = payload::parse_simple_signing(blob);
    if (!ss) {
      return fmt::format("it is not a simple-signing payload ({}), not known to be this image's", ss.error().message);
    }
    if (ss->manifest_digest == image.str()) {
      return {};
    }
    auto named = oci::parse_digest(ss->manifest_digest);
    return fmt::format("it signs {}, not this image", named ? named->str() : std::string("another image"));
  }
  auto envelope = dsse::parse(blob, k_max_owner_blob); // the blob itself is bounded by that
  if (!envelope) {
    return fmt::format("it is not a DSSE envelope ({}), not known to be this image's", envelope.error().message);
  }
  auto statement = intoto::parse_statement(util::as_chars(envelope->payload));
  if (!statement) {
    return fmt::format("it holds no in-toto statement ({}), not known to be this image's", statement.error().message);
  }
  if (!intoto::has_subject_digest(*statement, oci::algorithm_name(image.algorithm), image.hex)) {
    return "its statement's subjects do not include this image";
  }
  return {};
}

// A .sig / .att manifest is deleted by digest, and a delete by digest takes every tag of those
// bytes with it (another image, its index, its referrer, its .sig): it is the image's only when
// all of it provably is. An image manifest (not an index), no subject other than the image, at
// least one layer, and every layer of the kind's media type with a readable payload about the
// image. Anything else is kept, and the reason said.
Result<std::string> tag_not_owned_reason(registry::Client& client, const registry::Repository& target,
                                         const LegacyTag& found, const oci::Digest& image, TagKind kind)
{
  if (found.manifest.kind != oci::ManifestKind::image) {
    return std::string("it is an index, not a manifest of this image's");
  }
  auto manifest = registry::image_manifest(found.manifest);
  if (!manifest) {
    return fmt::format("unreadable manifest ({}), not known to be this image's", manifest.error().message);
  }
  if (manifest->subject && !(manifest->subject->digest == image)) {
    return fmt::format("its subject is {}, not this image", manifest->subject->digest.str());
  }
  const bool signatures = kind == TagKind::signatures;
  const std::string_view wanted = signatures ? oci::media_type::cosign_simple_signing : oci::media_type::dsse_envelope;
  const std::string_view what = signatures ? "signature" : "attestation";
  if (manifest->layers.empty()) {
    return fmt::format("it is not {} {} manifest: it has no layers", signatures ? "a" : "an", what);
  }
  for (std::size_t i = 0; i < manifest->layers.size(); ++i) {
    if (manifest->layers[i].media_type != wanted) {
      return fmt::format("it is not {} {} manifest: layer {} is {}", signatures ? "a" : "an", what, i + 1,
                         manifest->layers[i].media_type);
    }
  }
  for (std::size_t i = 0; i < manifest->layers.size(); ++i) {
    auto blob = client.get_blob(target, manifest->layers[i], k_max_owner_blob);
    if (!blob) {
      if (blob.error().code == ErrorCode::bad_input) { // oversized or not its digest
        return fmt::format("layer {}: unreadable ({}), not known to be this image's", i + 1, blob.error().message);
      }
      return fail(blob.error());
    }
    if (auto why = layer_not_owned_reason(*blob, image, kind); !why.empty()) {
      return fmt::format("layer {}: {}", i + 1, why);
    }
  }
  return std::string{};
}

// The image's bundle referrers go; the others listed are skipped, each said.
Result<void> plan_referrers(OwnershipCheck& owners, registry::Client& client, const oci::Digest& image,
                            const registry::Repository& target, CleanPlan& plan)
{
  SIGIL_TRY_ASSIGN(const auto listing, read_referrers(client, target, image));
  for (const auto& r : listing.manifests) {
    SIGIL_TRY_ASSIGN(const auto e, owners.check(r.digest));
    const auto name = fmt::format("{}@{}", target.name(), r.digest.str());
    if (e.present && !e.not_owned.empty()) {
      plan.skipped.push_back(fmt::format("skipped {}: {}", name, e.not_owned));
    } else if (e.present && e.bundle) {
      plan.to_delete.push_back({name, r.digest});
    }
  }
  return {};
}

// The fallback index (tag sha256-<hex>) goes only when all it lists is the image's: one that
// lists another image's referrer may be byte for byte that image's own index, and a delete by
// digest would take that image's tag with it.
Result<void> plan_fallback_index(OwnershipCheck& owners, registry::Client& client, const oci::Digest& image,
                                 const registry::Repository& target, CleanPlan& plan)
{
  const auto tag = oci::signature_tag(image, "");
  SIGIL_TRY_ASSIGN(auto found, client.find_manifest(target, tag));
  if (!found) {
    return {};
  }
  const auto name = fmt::format("{}:{}", target.name(), tag);
  auto index = oci::parse_index(found->bytes);
  if (!index) {
    plan.skipped.push_back(fmt::format("skipped {}: not a referrers index ({})", name, index.error().message));
    return {};
  }
  std::size_t foreign = 0;
  for (const auto& d : index->manifests) {
    SIGIL_TRY_ASSIGN(const auto e, owners.check(d.digest));
    foreign += e.present && !e.not_owned.empty() ? 1 : 0;
  }
  if (foreign > 0) {
    plan.skipped.push_back(fmt::format("skipped {}: it lists {} manifest(s) that are not this image's", name, foreign));
  } else {
    plan.to_delete.push_back({name, found->digest});
  }
  return {};
}

} // namespace

Result<std::vector<std::string>> download(registry::Client& client, const oci::Reference& image,
                                          const registry::Repository& target, AttachmentKind kind,
                                          std::size_t max_entries)
{
  std::vector<std::string> out;
  const auto tag_kind = kind == AttachmentKind::signature ? TagKind::signatures : TagKind::attestations;
  SIGIL_TRY(download_tag(client, target, *image.digest(), tag_kind, max_entries, out));
  SIGIL_TRY_ASSIGN(const auto bundles, read_bundle_referrers(client, target, *image.digest()));
  for (const auto& candidate : bundles) {
    if (out.size() >= max_entries) {
      return fail(ErrorCode::registry, fmt::format("more than {} attachments", max_entries));
    }
    SIGIL_TRY_ASSIGN(auto blob, client.get_blob(target, candidate.layer, k_max_blob));
    auto doc = util::parse_json(blob);
    out.push_back(doc ? util::dump_json(*doc) : blob);
  }
  return out;
}

Result<CleanPlan> plan_clean(registry::Client& client, const oci::Reference& image,
                             const registry::Repository& target, CleanScope scope)
{
  CleanPlan plan;
  const oci::Digest& digest = *image.digest();
  const bool referrers = scope == CleanScope::referrers || scope == CleanScope::all;
  OwnershipCheck owners(client, target, digest);
  if (referrers) {
    SIGIL_TRY(plan_referrers(owners, client, digest, target, plan));
  }
  std::vector<TagKind> kinds;
  if (scope == CleanScope::signatures || scope == CleanScope::all) {
    kinds.push_back(TagKind::signatures);
  }
  if (scope == CleanScope::attestations || scope == CleanScope::all) {
    kinds.push_back(TagKind::attestations);
  }
  for (const auto kind : kinds) {
    SIGIL_TRY_ASSIGN(const auto found, read_legacy_tag(client, target, digest, kind));
    if (!found) {
      continue;
    }
    const auto name = fmt::format("{}:{}", target.name(), found->tag);
    SIGIL_TRY_ASSIGN(const auto why, tag_not_owned_reason(client, target, *found, digest, kind));
    if (why.empty()) {
      plan.to_delete.push_back({name, found->manifest.digest});
    } else {
      plan.skipped.push_back(fmt::format("skipped {}: {}", name, why));
    }
  }
  if (referrers) {
    SIGIL_TRY(plan_fallback_index(owners, client, digest, target, plan));
  }
  return plan;
}

Result<CleanPlan> plan_clean_index(registry::Client& client, const oci::Reference& image,
                                   const registry::Repository& target, CleanScope scope, bool recursive)
{
  SIGIL_TRY_ASSIGN(auto plan, plan_clean(client, image, target, scope));
  SIGIL_TRY_ASSIGN(const auto manifest, client.get_manifest(image));
  if (manifest.kind != oci::ManifestKind::index) {
    return plan;
  }
  SIGIL_TRY_ASSIGN(const auto index, oci::parse_index(manifest.bytes));
  std::set<std::string> seen{image.digest()->str()};
  std::set<std::string> planned;
  for (const auto& item : plan.to_delete) {
    planned.insert(item.digest.str());
  }
  for (const auto& child : index.manifests) {
    if (!seen.insert(child.digest.str()).second) {
      continue; // listed twice, or the index itself
    }
    if (!recursive) {
      ++plan.platforms_kept;
      continue;
    }
    SIGIL_TRY_ASSIGN(auto part, plan_clean(client, image.with_digest(child.digest), target, scope));
    ++plan.platforms;
    for (auto& item : part.to_delete) {
      if (planned.insert(item.digest.str()).second) {
        plan.to_delete.push_back(std::move(item));
      }
    }
    std::ranges::move(part.skipped, std::back_inserter(plan.skipped));
  }
  return plan;
}

Result<CleanResult> clean(registry::Client& client, const registry::Repository& target, const CleanPlan& plan)
{
  CleanResult result;
  for (const auto& item : plan.to_delete) {
    if (auto ok = client.delete_manifest(target, item.digest); !ok && ok.error().code != ErrorCode::not_found) {
      return fail(ok.error().context(fmt::format("deleting {}", item.name)));
    }
    result.deleted.push_back(item.name);
  }
  return result;
}

} // namespace sigil::attachments
