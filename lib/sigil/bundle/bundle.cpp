#include "sigil/bundle/bundle.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

#include <array>
#include <fmt/format.h>

namespace sigil::bundle {

namespace {

constexpr std::array k_known_media_types{
  std::string_view{"application/vnd.dev.sigstore.bundle.v0.3+json"},
  std::string_view{"application/vnd.dev.sigstore.bundle+json;version=0.3"},
  std::string_view{"application/vnd.dev.sigstore.bundle+json;version=0.2"},
  std::string_view{"application/vnd.dev.sigstore.bundle+json;version=0.1"},
};

constexpr std::size_t k_max_tlog_entries = 32;

Result<util::Bytes> b64_member(const util::Json& object, std::string_view key)
{
  return util::json_base64(object, key, util::Base64Alphabet::any);
}

Result<MessageSignature> parse_message_signature(const util::Json& node)
{
  SIGIL_TRY_ASSIGN(auto md, util::json_object(node, "messageDigest"));
  SIGIL_TRY_ASSIGN(auto alg_name, util::json_string(*md, "algorithm"));
  const auto alg = crypto::parse_sigstore_hash_name(alg_name);
  if (!alg) {
    return fail(ErrorCode::bad_input, fmt::format("unsupported message digest algorithm {}", alg_name));
  }
  auto digest = b64_member(*md, "digest");
  auto sig = b64_member(node, "signature");
  if (!digest || !sig) {
    return fail(!digest ? digest.error() : sig.error());
  }
  if (digest->size() != crypto::digest_size(*alg)) {
    return fail(ErrorCode::bad_input, fmt::format("message digest has {} bytes, {} wants {}", digest->size(), alg_name,
                                                  crypto::digest_size(*alg)));
  }
  return MessageSignature{*alg, std::move(*digest), std::move(*sig)};
}

Result<void> parse_verification_material(const util::Json& vm, Bundle& out)
{
  if (auto pk = util::json_optional_object(vm, "publicKey"); !pk) {
    return fail(pk.error());
  } else if (*pk != nullptr) {
    auto hint = util::json_string(**pk, "hint");
    if (hint) {
      out.public_key_hint = std::move(*hint);
    }
  }
  out.has_certificate = vm.contains("certificate") || vm.contains("x509CertificateChain");
  if (vm.contains("tlogEntries")) {
    auto entries = util::json_array(vm, "tlogEntries");
    if (!entries) {
      return fail(entries.error());
    }
    if ((*entries)->size() > k_max_tlog_entries) {
      return fail(ErrorCode::bad_input, fmt::format("bundle has {} transparency log entries (at most {})",
                                                    (*entries)->size(), k_max_tlog_entries));
    }
    out.tlog_entries = (*entries)->size();
  }
  return {};
}

// A member of `from`, when present, copied to `to` (nested objects in the order of `order`).
void copy_member(const util::Json& from, util::OrderedJson& to, const char* name)
{
  if (const auto it = from.find(name); it != from.end()) {
    to[name] = util::OrderedJson::parse(it->dump(), nullptr, false);
  }
}

// A TransparencyLogEntry in protobuf field order (rekor/v1 TransparencyLogEntry, InclusionProof).
util::OrderedJson ordered_tlog_entry(const util::Json& entry)
{
  util::OrderedJson out = util::OrderedJson::object();
  if (!entry.is_object()) {
    return out;
  }
  for (const char* name : {"logIndex", "logId", "kindVersion", "integratedTime", "inclusionPromise"}) {
    copy_member(entry, out, name);
  }
  if (const auto it = entry.find("inclusionProof"); it != entry.end() && it->is_object()) {
    util::OrderedJson proof = util::OrderedJson::object();
    for (const char* name : {"logIndex", "rootHash", "treeSize", "hashes", "checkpoint"}) {
      copy_member(*it, proof, name);
    }
    out["inclusionProof"] = proof;
  }
  copy_member(entry, out, "canonicalizedBody");
  return out;
}

util::OrderedJson verification_material(const Bundle& bundle)
{
  util::OrderedJson vm = util::OrderedJson::object();
  if (!bundle.certificates.empty()) {
    vm["certificate"] = {{"rawBytes", util::base64_encode(bundle.certificates.front())}};
  } else if (bundle.public_key_hint) {
    vm["publicKey"] = {{"hint", *bundle.public_key_hint}};
  }
  if (!bundle.tlog_entry_json.empty()) {
    util::OrderedJson entries = util::OrderedJson::array();
    for (const auto& e : bundle.tlog_entry_json) {
      entries.push_back(ordered_tlog_entry(e));
    }
    vm["tlogEntries"] = entries;
  }
  if (!bundle.rfc3161_timestamps.empty()) {
    util::OrderedJson list = util::OrderedJson::array();
    for (const auto& t : bundle.rfc3161_timestamps) {
      list.push_back({{"signedTimestamp", util::base64_encode(t)}});
    }
    vm["timestampVerificationData"] = {{"rfc3161Timestamps", list}};
  }
  return vm;
}

} // namespace

std::string write_bundle(const Bundle& bundle)
{
  util::OrderedJson doc;
  doc["mediaType"] = bundle.media_type;
  doc["verificationMaterial"] = verification_material(bundle);
  if (const auto* ms = std::get_if<MessageSignature>(&bundle.content)) {
    util::OrderedJson md;
    md["algorithm"] = crypto::sigstore_hash_name(ms->digest_algorithm);
    md["digest"] = util::base64_encode(ms->digest);
    util::OrderedJson node;
    node["messageDigest"] = md;
    node["signature"] = util::base64_encode(ms->signature);
    doc["messageSignature"] = node;
  } else {
    doc["dsseEnvelope"] = dsse::envelope_to_json(std::get<DsseEnvelope>(bundle.content));
  }
  return util::dump_json(doc);
}

Result<Bundle> parse_bundle(std::string_view json)
{
  auto doc = util::parse_json(json);
  if (!doc) {
    return fail(doc.error().context("malformed bundle"));
  }
  auto media_type = util::json_string(*doc, "mediaType");
  if (!media_type) {
    return fail(media_type.error().context("malformed bundle"));
  }
  bool known = false;
  for (const auto mt : k_known_media_types) {
    known = known || mt == *media_type;
  }
  if (!known) {
    return fail(ErrorCode::bad_input, fmt::format("malformed bundle: unsupported mediaType {}", *media_type));
  }
  Bundle out;
  out.media_type = std::move(*media_type);
  auto vm = util::json_object(*doc, "verificationMaterial");
  if (!vm) {
    return fail(vm.error().context("malformed bundle"));
  }
  if (auto ok = parse_verification_material(**vm, out); !ok) {
    return fail(ok.error().context("malformed bundle"));
  }
  const bool has_ms = doc->contains("messageSignature");
  const bool has_dsse = doc->contains("dsseEnvelope");
  if (has_ms == has_dsse) {
    return fail(ErrorCode::bad_input, "malformed bundle: want exactly one of messageSignature and dsseEnvelope");
  }
  if (has_ms) {
    auto ms = parse_message_signature((*doc)["messageSignature"]);
    if (!ms) {
      return fail(ms.error().context("malformed bundle: messageSignature"));
    }
    out.content = std::move(*ms);
  } else {
    // The bundle file is already in memory in full: no separate cap on the payload.
    auto env = dsse::envelope_from_json((*doc)["dsseEnvelope"], dsse::k_unbounded_payload);
    if (!env) {
      return fail(env.error().context("malformed bundle: dsseEnvelope"));
    }
    out.content = std::move(*env);
  }
  return out;
}

Result<LegacyBundle> parse_legacy_bundle(std::string_view json)
{
  auto doc = util::parse_json(json);
  if (!doc) {
    return fail(doc.error().context("malformed bundle"));
  }
  auto sig = b64_member(*doc, "base64Signature");
  if (!sig) {
    return fail(sig.error().context("malformed bundle"));
  }
  LegacyBundle out{std::move(*sig), std::nullopt, doc->contains("rekorBundle")};
  if (doc->contains("cert")) {
    auto cert = util::json_string(*doc, "cert");
    if (!cert) {
      return fail(cert.error().context("malformed bundle"));
    }
    out.cert = std::move(*cert);
  }
  return out;
}

Result<BundleKind> detect_bundle_kind(std::string_view json)
{
  auto doc = util::parse_json(json);
  if (!doc) {
    return fail(doc.error().context("malformed bundle"));
  }
  if (!doc->is_object()) {
    return fail(ErrorCode::bad_input, "malformed bundle: not a JSON object");
  }
  if (doc->contains("mediaType")) {
    return BundleKind::sigstore;
  }
  if (doc->contains("base64Signature")) {
    return BundleKind::cosign_legacy;
  }
  return fail(ErrorCode::bad_input, "malformed bundle: neither a Sigstore bundle (mediaType) nor a cosign bundle (base64Signature)");
}

} // namespace sigil::bundle
