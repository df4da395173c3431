#include "sigil/verify/image_report.hpp"

#include "sigil/util/json.hpp"

namespace sigil::verify {

namespace {

util::Json bundle_entry(const VerifyImageResult& r, const util::Json& doc)
{
  util::Json entry = util::Json::object();
  util::Json optional = nullptr;
  if (doc.contains("subject") && doc["subject"].is_array() && !doc["subject"].empty() &&
      doc["subject"][0].contains("annotations")) {
    optional = doc["subject"][0]["annotations"];
  }
  // The digest the statement names (its first subject's), not the one asked about: with
  // --check-claims=false they may differ, and the report says what was signed.
  std::string signed_digest = r.image.digest()->str();
  if (doc.contains("subject") && doc["subject"].is_array() && !doc["subject"].empty() &&
      doc["subject"][0].is_object() && doc["subject"][0].contains("digest") && doc["subject"][0]["digest"].is_object() &&
      doc["subject"][0]["digest"].contains("sha256") && doc["subject"][0]["digest"]["sha256"].is_string()) {
    signed_digest = "sha256:" + doc["subject"][0]["digest"]["sha256"].get<std::string>();
  }
  entry["critical"] = {{"identity", {{"docker-reference", r.image.name()}}},
                       {"image", {{"docker-manifest-digest", signed_digest}}},
                       {"type", doc.value("predicateType", "")}};
  entry["optional"] = optional;
  return entry;
}

// What a keyless signature established: cosign's optional Issuer/Subject, and sigil's details
// (every Fulcio extension by its sigstore-go name, log indexes, the time sources used).
util::Json keyless_entry(util::Json entry, const SignatureReport& s, const char* format)
{
  const auto& k = *s.keyless;
  if (!entry.contains("optional") || !entry["optional"].is_object()) {
    entry["optional"] = util::Json::object();
  }
  entry["optional"]["Issuer"] = k.identity->issuer;
  entry["optional"]["Subject"] = k.identity->subject;
  util::Json extensions = util::Json::object();
  for (const auto& [n, value] : k.identity->extensions) {
    const auto* info = keyless::extension_by_oid(n);
    extensions[info != nullptr ? std::string{info->json} : "1.3.6.1.4.1.57264.1." + std::to_string(n)] = value;
  }
  util::Json times = util::Json::array();
  for (const auto& t : k.times) {
    times.push_back({{"kind", t.kind}, {"time", t.time}, {"by", t.by}});
  }
  entry["sigil"] = {{"format", format},
                    {"identity", k.identity->subject},
                    {"issuer", k.identity->issuer},
                    {"extensions", extensions},
                    {"logIndexes", k.log_indexes},
                    {"timeSources", times},
                    {"certificateAuthority", k.certificate_authority},
                    {"source", s.source}};
  return entry;
}

util::Json entry_json(const VerifyImageResult& r, const SignatureReport& s, std::span<const TrustedKey> keys)
{
  util::Json entry = util::Json::object();
  auto doc = util::parse_json(s.payload);
  if (doc && doc->is_object()) {
    // legacy: the simple-signing payload, as cosign prints it
    entry = s.format == SignatureFormat::legacy ? std::move(*doc) : bundle_entry(r, *doc);
  }
  const auto* format = s.format == SignatureFormat::legacy ? "legacy" : "bundle";
  if (s.keyless) {
    return keyless_entry(std::move(entry), s, format);
  }
  const auto& key = keys[*s.key_index];
  entry["sigil"] = {{"format", format},
                    {"key", key.name},
                    {"keyFingerprint", key.key.fingerprint()},
                    {"source", s.source}};
  return entry;
}

} // namespace

ImageDecision decide(const VerifyImageResult& result)
{
  if (result.signatures.empty()) {
    return {.ok = false, .code = ErrorCode::no_signatures};
  }
  if (result.verified_count() == 0) {
    return {.ok = false, .code = ErrorCode::none_verified};
  }
  return {.ok = true, .code = ErrorCode::other};
}

std::string cosign_json(const VerifyImageResult& result, std::span<const TrustedKey> keys)
{
  util::Json array = util::Json::array();
  for (const auto& s : result.signatures) {
    if (s.verified) {
      array.push_back(entry_json(result, s, keys));
    }
  }
  return util::dump_json(array) + "\n";
}

} // namespace sigil::verify
