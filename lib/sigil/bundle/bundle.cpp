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
constexpr std::size_t k_max_timestamps = 32;
constexpr std::size_t k_max_certificates = 10;

Result<util::Bytes> b64_member(const util::Json& object, std::string_view key)
{
  return util::json_base64(object, key, util::Base64Alphabet::any);
}

Result<MessageSignature> parse_message_signature(const util::Json& node)
{
  if (node.is_object() && !node.contains("messageDigest")) { // optional in protobuf-specs
    SIGIL_TRY_ASSIGN(auto sig, b64_member(node, "signature"));
    return MessageSignature{crypto::HashAlgorithm::sha256, {}, std::move(sig)};
  }
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

int minor_version_of(std::string_view media_type)
{
  if (media_type.ends_with("version=0.1")) {
    return 1;
  }
  if (media_type.ends_with("version=0.2")) {
    return 2;
  }
  return 3;
}

Result<util::Bytes> raw_bytes(const util::Json& node)
{
  if (!node.is_object()) {
    return fail(ErrorCode::bad_input, "a certificate is not an object with rawBytes");
  }
  return b64_member(node, "rawBytes");
}

// `certificate` (v0.3) or `x509CertificateChain.certificates[]` (v0.1/v0.2); never both.
Result<void> parse_certificates(const util::Json& vm, Bundle& out)
{
  const bool single = vm.contains("certificate");
  const bool chain = vm.contains("x509CertificateChain");
  if (single && chain) {
    return fail(ErrorCode::bad_input, "both certificate and x509CertificateChain are present");
  }
  out.has_certificate = single || chain;
  out.certificate_chain_form = chain;
  if (single) {
    SIGIL_TRY_ASSIGN(auto der, raw_bytes(vm["certificate"]));
    out.certificates.push_back(std::move(der));
    return {};
  }
  if (!chain) {
    return {};
  }
  SIGIL_TRY_ASSIGN(auto list, util::json_array(vm["x509CertificateChain"], "certificates"));
  if (list->empty()) {
    return fail(ErrorCode::bad_input, "x509CertificateChain has no certificates (expected a non-empty chain)");
  }
  if (list->size() > k_max_certificates) {
    return fail(ErrorCode::bad_input, fmt::format("x509CertificateChain has {} certificates (at most {})",
                                                  list->size(), k_max_certificates));
  }
  for (const auto& c : *list) {
    SIGIL_TRY_ASSIGN(auto der, raw_bytes(c));
    out.certificates.push_back(std::move(der));
  }
  return {};
}

Result<void> parse_timestamps(const util::Json& vm, Bundle& out)
{
  if (!vm.contains("timestampVerificationData") || vm["timestampVerificationData"].is_null()) {
    return {}; // protobuf JSON writes an unset message as null or leaves it out
  }
  SIGIL_TRY_ASSIGN(auto tvd, util::json_optional_object(vm, "timestampVerificationData"));
  if (tvd == nullptr || !tvd->contains("rfc3161Timestamps")) {
    return {};
  }
  SIGIL_TRY_ASSIGN(auto list, util::json_array(*tvd, "rfc3161Timestamps"));
  if (list->size() > k_max_timestamps) {
    return fail(ErrorCode::bad_input, fmt::format("the bundle has {} RFC 3161 timestamps: too many (at most {})",
                                                  list->size(), k_max_timestamps));
  }
  for (const auto& t : *list) {
    if (!t.is_object()) {
      return fail(ErrorCode::bad_input, "an RFC 3161 timestamp is not an object");
    }
    SIGIL_TRY_ASSIGN(auto der, b64_member(t, "signedTimestamp"));
    out.rfc3161_timestamps.push_back(std::move(der));
  }
  return {};
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
  SIGIL_TRY(parse_certificates(vm, out));
  if (out.has_certificate && out.public_key_hint) {
    return fail(ErrorCode::bad_input, "both a public key hint and a certificate are present (a bundle has one)");
  }
  SIGIL_TRY(parse_timestamps(vm, out));
  if (vm.contains("tlogEntries")) {
    SIGIL_TRY_ASSIGN(auto entries, util::json_array(vm, "tlogEntries"));
    if (entries->size() > k_max_tlog_entries) {
      return fail(ErrorCode::bad_input, fmt::format("bundle has {} transparency log entries (at most {})",
                                                    entries->size(), k_max_tlog_entries));
    }
    out.tlog_entries = entries->size();
    out.tlog_entry_json.assign(entries->begin(), entries->end());
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
    util::OrderedJson node;
    if (!ms->digest.empty()) { // absent in the bundle that was read: stays absent
      util::OrderedJson md;
      md["algorithm"] = crypto::sigstore_hash_name(ms->digest_algorithm);
      md["digest"] = util::base64_encode(ms->digest);
      node["messageDigest"] = md;
    }
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
  return parse_bundle_doc(*doc);
}

Result<Bundle> parse_bundle_doc(const util::Json& json)
{
  const util::Json* doc = &json;
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
  out.minor_version = minor_version_of(*media_type);
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
  LegacyBundle out{std::move(*sig), std::nullopt, doc->contains("rekorBundle"), std::nullopt};
  if (out.has_rekor_bundle) {
    out.rekor_bundle = (*doc)["rekorBundle"].dump();
  }
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
  return detect_bundle_kind_doc(*doc);
}

Result<BundleKind> detect_bundle_kind_doc(const util::Json& json)
{
  const util::Json* doc = &json;
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
