#include "sigil/keyless/rekor.hpp"

#include "sigil/keyless/service.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/go_json.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

namespace sigil::keyless {

namespace {

constexpr std::size_t k_max_proof_hashes = 64;
constexpr std::size_t k_max_checkpoint = 64 * 1024;

Error answer_error(std::string_view why)
{
  return Error{ErrorCode::bad_input, fmt::format("rekor: unusable answer: {}", why)};
}

Result<std::uint64_t> json_uint(const util::Json& object, std::string_view key)
{
  SIGIL_TRY_ASSIGN(const auto value, util::json_int(object, key));
  if (value < 0) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\" is negative", key));
  }
  return static_cast<std::uint64_t>(value);
}

Result<util::Bytes> json_hex(const util::Json& object, std::string_view key)
{
  SIGIL_TRY_ASSIGN(const auto text, util::json_string(object, key));
  auto bytes = util::hex_decode(text);
  if (!bytes) {
    return fail(ErrorCode::bad_input, fmt::format("field \"{}\": {}", key, bytes.error().message));
  }
  return std::move(*bytes);
}

Result<InclusionProof> parse_proof(const util::Json& p)
{
  InclusionProof proof;
  SIGIL_TRY_ASSIGN(proof.log_index, json_uint(p, "logIndex"));
  SIGIL_TRY_ASSIGN(proof.tree_size, json_uint(p, "treeSize"));
  SIGIL_TRY_ASSIGN(proof.root_hash, json_hex(p, "rootHash"));
  SIGIL_TRY_ASSIGN(proof.checkpoint, util::json_string(p, "checkpoint"));
  if (proof.checkpoint.size() > k_max_checkpoint) {
    return fail(ErrorCode::bad_input, "checkpoint too large");
  }
  SIGIL_TRY_ASSIGN(const util::Json* hashes, util::json_array(p, "hashes"));
  if (hashes->size() > k_max_proof_hashes) {
    return fail(ErrorCode::bad_input, fmt::format("{} proof hashes (at most {})", hashes->size(), k_max_proof_hashes));
  }
  for (const auto& h : *hashes) {
    auto bytes = h.is_string() ? util::hex_decode(h.get<std::string>()) : fail(ErrorCode::bad_input, "not a string");
    if (!bytes || bytes->size() != 32) {
      return fail(ErrorCode::bad_input, "a proof hash that is not 32 bytes of hex");
    }
    proof.hashes.push_back(std::move(*bytes));
  }
  return proof;
}

// kind and apiVersion of the canonicalized body.
Result<void> read_kind(LogEntry& entry)
{
  auto body = util::parse_json(util::as_chars(entry.body));
  if (!body || !body->is_object()) {
    return fail(ErrorCode::bad_input, "the entry body is not a JSON object");
  }
  SIGIL_TRY_ASSIGN(entry.kind, util::json_string(*body, "kind"));
  SIGIL_TRY_ASSIGN(entry.api_version, util::json_string(*body, "apiVersion"));
  return {};
}

Result<LogEntry> parse_entry(const std::string& uuid, const util::Json& e)
{
  LogEntry entry;
  entry.uuid = uuid;
  SIGIL_TRY_ASSIGN(entry.body, util::json_base64(e, "body", util::Base64Alphabet::standard));
  SIGIL_TRY(read_kind(entry));
  SIGIL_TRY_ASSIGN(entry.integrated_time, util::json_int(e, "integratedTime"));
  SIGIL_TRY_ASSIGN(entry.log_index, json_uint(e, "logIndex"));
  SIGIL_TRY_ASSIGN(entry.log_id, json_hex(e, "logID"));
  SIGIL_TRY_ASSIGN(const util::Json* verification, util::json_object(e, "verification"));
  SIGIL_TRY_ASSIGN(entry.signed_entry_timestamp,
                   util::json_base64(*verification, "signedEntryTimestamp", util::Base64Alphabet::standard));
  SIGIL_TRY_ASSIGN(const util::Json* proof, util::json_optional_object(*verification, "inclusionProof"));
  if (proof != nullptr) {
    SIGIL_TRY_ASSIGN(entry.inclusion_proof, parse_proof(*proof));
  }
  return entry;
}

} // namespace

std::string hashedrekord_body(const HashedRekord& entry)
{
  return fmt::format(R"({{"apiVersion":"0.0.1","spec":{{"data":{{"hash":{{"algorithm":"sha256","value":"{}"}}}},)"
                     R"("signature":{{"content":"{}","publicKey":{{"content":"{}"}}}}}},"kind":"hashedrekord"}})"
                     "\n",
                     util::hex_encode(entry.sha256), util::base64_encode(entry.signature),
                     util::base64_encode(util::as_bytes(entry.certificate_pem)));
}

std::string dsse_body(const DsseRekord& entry)
{
  return fmt::format(R"({{"apiVersion":"0.0.1","spec":{{"proposedContent":{{"envelope":{},"verifiers":["{}"]}},)"
                     R"("signatures":null}},"kind":"dsse"}})"
                     "\n",
                     util::go_json_quote(entry.envelope_json), util::base64_encode(util::as_bytes(entry.certificate_pem)));
}

util::Json bundle_entry_json(const LogEntry& entry)
{
  util::Json j;
  j["logIndex"] = std::to_string(entry.log_index);
  j["logId"] = {{"keyId", util::base64_encode(entry.log_id)}};
  j["kindVersion"] = {{"kind", entry.kind}, {"version", entry.api_version}};
  if (!entry.signed_entry_timestamp.empty()) { // Rekor v2 gives neither
    j["integratedTime"] = std::to_string(entry.integrated_time);
    j["inclusionPromise"] = {{"signedEntryTimestamp", util::base64_encode(entry.signed_entry_timestamp)}};
  }
  if (const auto& p = entry.inclusion_proof) {
    util::Json hashes = util::Json::array();
    for (const auto& h : p->hashes) {
      hashes.push_back(util::base64_encode(h));
    }
    j["inclusionProof"] = {{"logIndex", std::to_string(p->log_index)},
                           {"rootHash", util::base64_encode(p->root_hash)},
                           {"treeSize", std::to_string(p->tree_size)},
                           {"hashes", hashes},
                           {"checkpoint", {{"envelope", p->checkpoint}}}};
  }
  j["canonicalizedBody"] = util::base64_encode(entry.body);
  return j;
}

std::string cosign_rekor_bundle_json(const LogEntry& entry)
{
  return fmt::format(R"({{"SignedEntryTimestamp":"{}","Payload":{{"body":"{}","integratedTime":{},"logIndex":{},"logID":"{}"}}}})",
                     util::base64_encode(entry.signed_entry_timestamp), util::base64_encode(entry.body),
                     entry.integrated_time, entry.log_index, util::hex_encode(entry.log_id));
}

Result<LogEntry> parse_log_entry_answer(std::string_view json)
{
  auto parsed = util::parse_json(json);
  if (!parsed || !parsed->is_object()) {
    return fail(answer_error("not a JSON object"));
  }
  if (parsed->size() != 1) {
    return fail(answer_error(fmt::format("{} entries (expected one)", parsed->size())));
  }
  const auto it = parsed->begin();
  if (!it.value().is_object()) {
    return fail(answer_error("the entry is not an object"));
  }
  auto entry = parse_entry(it.key(), it.value());
  if (!entry) {
    return fail(answer_error(entry.error().message));
  }
  return entry;
}

Result<LogEntry> upload_entry(http::Transport& transport, const http::Url& rekor, std::string body,
                              const ServiceRetry& retry)
{
  ServicePost call{.service = "rekor"};
  call.url = endpoint(rekor, "/api/v1/log/entries");
  call.content_type = "application/json";
  call.accept = "application/json";
  call.body = std::move(body);
  SIGIL_TRY_ASSIGN(auto answer, post(transport, call, retry, {409}));
  if (answer.status == 409) {
    // Already logged (an earlier attempt got through): fetch that entry from Rekor itself.
    const auto location = answer.header("location");
    if (!location) {
      return fail(ErrorCode::bad_input, "rekor: 409 without a Location for the existing entry");
    }
    SIGIL_TRY_ASSIGN(const auto next, http::resolve_url(call.url, *location));
    if (!http::same_origin(next, rekor)) {
      return fail(ErrorCode::bad_input, "rekor: 409 names an entry on another origin");
    }
    SIGIL_TRY_ASSIGN(answer, get(transport, "rekor", next, retry));
  }
  return parse_log_entry_answer(answer.body);
}

} // namespace sigil::keyless
