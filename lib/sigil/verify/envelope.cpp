#include "sigil/verify/envelope.hpp"

#include "sigil/util/go_json.hpp"
#include "sigil/verify/image.hpp"

#include <fmt/format.h>

#include <array>

namespace sigil::verify {

namespace {

// cosign reads the statement into Go structs (in-toto's Statement and Subject), matching keys
// case-insensitively: "PredicateType" or "SUBJECT" next to the real key would give cosign
// another type or subject than the one checked here. Refused like duplicate keys. Checked on
// the document parse_statement already parsed.
std::optional<std::string> go_struct_alias(const util::Json& doc)
{
  constexpr std::array<std::string_view, 4> top{"_type", "subject", "predicateType", "predicate"};
  constexpr std::array<std::string_view, 3> subject{"name", "digest", "annotations"};
  if (auto alias = util::go_key_alias(doc, top)) {
    return alias;
  }
  if (doc.is_object() && doc.contains("subject") && doc["subject"].is_array()) {
    for (const auto& s : doc["subject"]) {
      if (auto alias = util::go_key_alias(s, subject)) {
        return alias;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> subject_problem(const EnvelopeCheckRequest& r, const intoto::Statement& s)
{
  const intoto::Subject* match = nullptr;
  for (const auto& subject : s.subjects) {
    const auto it = subject.digest.find(r.subject_algorithm);
    if (it != subject.digest.end() && it->second == r.subject_hex) {
      match = &subject;
      break;
    }
  }
  if (match == nullptr) {
    return fmt::format("no subject of the statement has digest {}:{}: it is about another artifact",
                       r.subject_algorithm, r.subject_hex);
  }
  if (r.annotations == nullptr) {
    return std::nullopt;
  }
  for (const auto& [key, want] : *r.annotations) {
    const auto it = match->annotations.find(key);
    if (it == match->annotations.end()) {
      return fmt::format("annotation {}: not in the signed statement (want \"{}\")", key, want);
    }
    if (it->second != want) {
      return fmt::format("annotation {}: want \"{}\", signed value is \"{}\"", key, want, it->second);
    }
  }
  return std::nullopt;
}

} // namespace

EnvelopeCheck check_envelope(const EnvelopeCheckRequest& r)
{
  EnvelopeCheck out;
  if (r.envelope.payload_type != intoto::k_payload_type) {
    out.reason = fmt::format("payloadType \"{}\" is not {}", r.envelope.payload_type, intoto::k_payload_type);
    return out;
  }
  std::string signature_reasons;
  for (std::size_t k = 0; k < r.keys.size() && !out.key_index; ++k) {
    const auto checks = dsse::verify(r.envelope, r.keys[k].key);
    if (dsse::any_verified(checks)) {
      out.key_index = k;
    }
  }
  if (!out.key_index) {
    out.reason = fmt::format("no DSSE signature ({}) verifies with {}", r.envelope.signatures.size(),
                             r.keys.size() == 1 ? "the trusted key" : "any trusted key");
    return out;
  }
  auto statement = intoto::parse_statement(util::as_chars(r.envelope.payload), r.limits);
  if (!statement) {
    out.reason = fmt::format("the signed statement is invalid: {}", statement.error().message);
    return out;
  }
  if (auto alias = go_struct_alias(statement->raw)) {
    out.reason = fmt::format("the signed statement is ambiguous: {}", *alias);
    return out;
  }
  if (r.predicate_type && statement->predicate_type != *r.predicate_type) {
    out.reason = fmt::format("predicate type {} (signed), not {}", statement->predicate_type, *r.predicate_type);
    out.statement = std::move(*statement);
    return out;
  }
  if (r.check_claims) {
    if (auto problem = subject_problem(r, *statement)) {
      out.reason = *problem;
      out.statement = std::move(*statement);
      return out;
    }
  }
  out.verified = true;
  out.reason = fmt::format("verified with key {}", r.keys[*out.key_index].name);
  out.statement = std::move(*statement);
  return out;
}

void record_check(EnvelopeCheck check, SignatureReport& report)
{
  report.verified = check.verified;
  report.key_index = check.key_index;
  report.reason = std::move(check.reason);
  if (check.statement) {
    report.signed_predicate_type = check.statement->predicate_type;
    report.statement = std::move(check.statement);
  }
}

} // namespace sigil::verify
