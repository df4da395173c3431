#include "sigil/tlog/entry.hpp"

#include "sigil/util/encoding.hpp"
#include "sigil/util/json_strict.hpp"
#include "sigil/util/number.hpp"

#include <fmt/format.h>

#include <limits>
#include <utility>

namespace sigil::tlog {

namespace {

using util::Json;

constexpr std::uint64_t k_int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

std::unexpected<Error> bad(std::string message)
{
  return fail(ErrorCode::bad_input, std::move(message));
}

// A protojson int64 that must not be negative: a JSON integer or a string of decimal digits.
// Absent gives nullopt. `what` names it in errors ("negative log index (logIndex)").
Result<std::optional<std::uint64_t>> read_count(const Json& object, std::string_view key, std::string_view what)
{
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::nullopt;
  }
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > k_int64_max) {
      return bad(fmt::format("{} ({}) is out of range", what, key));
    }
    return value;
  }
  if (it->is_number_integer()) {
    const auto value = it->get<std::int64_t>();
    if (value < 0) {
      return bad(fmt::format("negative {} ({})", what, key));
    }
    return static_cast<std::uint64_t>(value);
  }
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    std::string_view digits = text;
    const bool negative = digits.starts_with('-');
    if (negative) {
      digits.remove_prefix(1);
    }
    const auto value = util::parse_uint(digits, k_int64_max);
    if (value && negative) {
      return bad(fmt::format("negative {} ({})", what, key));
    }
    if (value) {
      return *value;
    }
  }
  return bad(fmt::format("{} ({}) is not an int64 (a JSON integer or a string of digits)", what, key));
}

Result<std::uint64_t> require_count(const Json& object, std::string_view key, std::string_view what)
{
  SIGIL_TRY_ASSIGN(auto value, read_count(object, key, what));
  if (!value) {
    return bad(fmt::format("field \"{}\" is missing", key));
  }
  return *value;
}

Result<util::Bytes> read_bytes(const Json& object, std::string_view key)
{
  return util::json_base64(object, key, util::Base64Alphabet::any);
}

// The "kind" and "apiVersion" a log entry body names.
Result<std::pair<std::string, std::string>> body_kind_version(util::ByteView body)
{
  if (body.empty()) {
    return bad("the body is empty");
  }
  if (body.size() > k_max_body_bytes) {
    return bad(fmt::format("the body has {} bytes, more than the limit of {}", body.size(), k_max_body_bytes));
  }
  auto doc = util::parse_json_strict(util::as_chars(body));
  if (!doc) {
    return fail(doc.error().context("the body is not JSON"));
  }
  if (!doc->is_object()) {
    return bad("the body is not a JSON object");
  }
  SIGIL_TRY_ASSIGN(auto kind, util::json_string(*doc, "kind"));
  SIGIL_TRY_ASSIGN(auto version, util::json_string(*doc, "apiVersion"));
  return std::pair{std::move(kind), std::move(version)};
}

Result<std::optional<std::string>> read_checkpoint(const Json& proof)
{
  SIGIL_TRY_ASSIGN(const Json* checkpoint, util::json_optional_object(proof, "checkpoint"));
  if (checkpoint == nullptr || !checkpoint->contains("envelope")) {
    return std::nullopt;
  }
  SIGIL_TRY_ASSIGN(auto envelope, util::json_string(*checkpoint, "envelope"));
  if (envelope.empty()) {
    return std::nullopt;
  }
  return envelope;
}

Result<InclusionProof> parse_proof(const Json& node)
{
  InclusionProof proof;
  SIGIL_TRY_ASSIGN(auto index, read_count(node, "logIndex", "log index"));
  proof.log_index = index.value_or(0);
  SIGIL_TRY_ASSIGN(proof.tree_size, require_count(node, "treeSize", "tree size"));
  SIGIL_TRY_ASSIGN(proof.root_hash, read_bytes(node, "rootHash"));
  if (node.contains("hashes")) {
    SIGIL_TRY_ASSIGN(const Json* hashes, util::json_array(node, "hashes"));
    if (hashes->size() > k_max_proof_hashes) {
      return bad(fmt::format("{} hashes, more than {}", hashes->size(), k_max_proof_hashes));
    }
    for (const Json& h : *hashes) {
      if (!h.is_string()) {
        return bad("field \"hashes\" holds a value that is not a string");
      }
      auto decoded = util::base64_decode_any(h.get_ref<const std::string&>());
      if (!decoded) {
        return fail(decoded.error().context("field \"hashes\""));
      }
      proof.hashes.push_back(std::move(*decoded));
    }
  }
  SIGIL_TRY_ASSIGN(proof.checkpoint, read_checkpoint(node));
  return proof;
}

Result<void> parse_optional_parts(const Json& j, Entry& entry)
{
  SIGIL_TRY_ASSIGN(auto time, read_count(j, "integratedTime", "integrated time"));
  if (time && *time != 0) {
    entry.integrated_time = static_cast<std::int64_t>(*time);
  }
  SIGIL_TRY_ASSIGN(const Json* promise, util::json_optional_object(j, "inclusionPromise"));
  if (promise != nullptr) {
    SIGIL_TRY_ASSIGN(entry.signed_entry_timestamp, read_bytes(*promise, "signedEntryTimestamp"));
  }
  SIGIL_TRY_ASSIGN(const Json* proof, util::json_optional_object(j, "inclusionProof"));
  if (proof != nullptr) {
    auto parsed = parse_proof(*proof);
    if (!parsed) {
      return fail(parsed.error().context("inclusionProof"));
    }
    entry.inclusion_proof = std::move(*parsed);
  }
  return {};
}

Result<Entry> parse_bundle_entry_fields(const Json& j)
{
  if (!j.is_object()) {
    return bad("not a JSON object");
  }
  Entry entry;
  SIGIL_TRY_ASSIGN(auto index, read_count(j, "logIndex", "log index"));
  entry.log_index = index.value_or(0);
  SIGIL_TRY_ASSIGN(const Json* log_id, util::json_object(j, "logId"));
  SIGIL_TRY_ASSIGN(entry.log_id, read_bytes(*log_id, "keyId"));
  SIGIL_TRY_ASSIGN(const Json* kind_version, util::json_object(j, "kindVersion"));
  SIGIL_TRY_ASSIGN(entry.kind, util::json_string(*kind_version, "kind"));
  SIGIL_TRY_ASSIGN(entry.version, util::json_string(*kind_version, "version"));
  SIGIL_TRY_ASSIGN(entry.canonicalized_body, read_bytes(j, "canonicalizedBody"));
  SIGIL_TRY(parse_optional_parts(j, entry));
  SIGIL_TRY_ASSIGN(auto named, body_kind_version(entry.canonicalized_body));
  if (named.first != entry.kind || named.second != entry.version) {
    return bad(
        fmt::format("kindVersion {}/{} is not the body's {}/{}", entry.kind, entry.version, named.first, named.second));
  }
  return entry;
}

Result<Entry> parse_cosign_payload(const Json& payload)
{
  Entry entry;
  SIGIL_TRY_ASSIGN(auto body_text, util::json_string(payload, "body"));
  auto body = util::base64_decode(body_text);
  if (!body) {
    return fail(body.error().context("field \"body\""));
  }
  entry.canonicalized_body = std::move(*body);
  SIGIL_TRY_ASSIGN(auto time, require_count(payload, "integratedTime", "integrated time"));
  if (time != 0) {
    entry.integrated_time = static_cast<std::int64_t>(time);
  }
  SIGIL_TRY_ASSIGN(entry.log_index, require_count(payload, "logIndex", "log index"));
  SIGIL_TRY_ASSIGN(auto log_id, util::json_string(payload, "logID"));
  auto decoded = util::hex_decode(log_id);
  if (!decoded) {
    return fail(decoded.error().context("field \"logID\""));
  }
  entry.log_id = std::move(*decoded);
  SIGIL_TRY_ASSIGN(auto named, body_kind_version(entry.canonicalized_body));
  entry.kind = std::move(named.first);
  entry.version = std::move(named.second);
  return entry;
}

Result<Entry> parse_cosign_fields(std::string_view json)
{
  SIGIL_TRY_ASSIGN(auto doc, util::parse_json_strict(json));
  if (!doc.is_object()) {
    return bad("not a JSON object");
  }
  SIGIL_TRY_ASSIGN(auto set, util::json_base64(doc, "SignedEntryTimestamp", util::Base64Alphabet::standard));
  SIGIL_TRY_ASSIGN(const Json* payload, util::json_object(doc, "Payload"));
  SIGIL_TRY_ASSIGN(auto entry, parse_cosign_payload(*payload));
  entry.signed_entry_timestamp = std::move(set);
  return entry;
}

} // namespace

Result<Entry> parse_bundle_entry(const nlohmann::json& j)
{
  auto entry = parse_bundle_entry_fields(j);
  if (!entry) {
    return fail(entry.error().context("transparency log entry"));
  }
  return entry;
}

Result<Entry> parse_cosign_rekor_bundle(std::string_view json)
{
  auto entry = parse_cosign_fields(json);
  if (!entry) {
    return fail(entry.error().context("cosign rekor bundle"));
  }
  return entry;
}

} // namespace sigil::tlog
