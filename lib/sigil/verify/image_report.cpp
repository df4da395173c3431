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
  entry["critical"] = {{"identity", {{"docker-reference", r.image.name()}}},
                       {"image", {{"docker-manifest-digest", r.image.digest()->str()}}},
                       {"type", doc.value("predicateType", "")}};
  entry["optional"] = optional;
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
  const auto& key = keys[*s.key_index];
  entry["sigil"] = {{"format", s.format == SignatureFormat::legacy ? "legacy" : "bundle"},
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
