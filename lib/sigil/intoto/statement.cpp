#include "sigil/intoto/statement.hpp"

#include "sigil/util/go_json.hpp"
#include "sigil/util/json_strict.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace sigil::intoto {

namespace {

// cosign cmd/cosign/cli/options/predicate.go PredicateTypeMap (cosign-spec §5.3).
constexpr std::array k_predicate_types{
    PredicateTypeName{"custom", k_custom_predicate_type},
    PredicateTypeName{"slsaprovenance", "https://slsa.dev/provenance/v0.2"},
    PredicateTypeName{"slsaprovenance02", "https://slsa.dev/provenance/v0.2"},
    PredicateTypeName{"slsaprovenance1", "https://slsa.dev/provenance/v1"},
    PredicateTypeName{"spdx", "https://spdx.dev/Document"},
    PredicateTypeName{"spdxjson", "https://spdx.dev/Document"},
    PredicateTypeName{"cyclonedx", "https://cyclonedx.org/bom"},
    PredicateTypeName{"link", "https://in-toto.io/Link/v1"},
    PredicateTypeName{"vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"},
    PredicateTypeName{"openvex", "https://openvex.dev/ns"},
};

constexpr std::size_t k_max_quoted = 100;

// text as Go's json.Marshal stores it: every byte that is not part of valid UTF-8 becomes
// U+FFFD. (dump_json's replacement turns a truncated sequence such as "\xef\x9b" into one
// U+FFFD where Go writes two; found by tests/fuzz/fuzz_intoto.)
std::string go_string(std::string_view text)
{
  auto parsed = util::parse_json(util::go_json_quote(text));
  return parsed && parsed->is_string() ? parsed->get<std::string>() : std::string();
}

// Untrusted text as it may appear in an error message: JSON-quoted and truncated.
std::string quote_untrusted(std::string_view text)
{
  const bool truncated = text.size() > k_max_quoted;
  return util::dump_json(util::Json(std::string(text.substr(0, k_max_quoted)))) + (truncated ? "..." : "");
}

bool is_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 3986 absolute URI, loosely: scheme ":" something, no whitespace or control characters.
bool is_absolute_uri(std::string_view text)
{
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size() || !is_alpha(text[0])) {
    return false;
  }
  const auto scheme_char = [](char c) {
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  };
  if (!std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(colon), scheme_char)) {
    return false;
  }
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::string known_names()
{
  std::string out;
  for (const auto& p : k_predicate_types) {
    out += out.empty() ? "" : ", ";
    out += p.name;
  }
  return out;
}

util::OrderedJson string_map_json(const std::map<std::string, std::string>& values)
{
  util::OrderedJson out = util::OrderedJson::object();
  for (const auto& [key, value] : values) {
    out[key] = value;
  }
  return out;
}

util::OrderedJson subject_json(const Subject& subject)
{
  util::OrderedJson out = util::OrderedJson::object();
  if (!subject.name.empty()) {
    out["name"] = subject.name;
  }
  out["digest"] = string_map_json(subject.digest);
  if (!subject.annotations.empty()) {
    out["annotations"] = string_map_json(subject.annotations);
  }
  return out;
}

Result<util::OrderedJson> subjects_json(const std::vector<Subject>& subjects)
{
  if (subjects.empty()) {
    return fail(ErrorCode::bad_input, "an in-toto statement needs at least one subject");
  }
  util::OrderedJson out = util::OrderedJson::array();
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const auto& digest = subjects[i].digest;
    const bool empty_value =
        std::ranges::any_of(digest, [](const auto& kv) { return kv.first.empty() || kv.second.empty(); });
    if (digest.empty() || empty_value) {
      return fail(ErrorCode::bad_input, fmt::format("subject {} needs a digest (algorithm and hex)", i));
    }
    out.push_back(subject_json(subjects[i]));
  }
  return out;
}

util::OrderedJson statement_json(std::string_view type, util::OrderedJson subjects, std::string_view predicate_type,
                                 util::OrderedJson predicate)
{
  util::OrderedJson doc;
  doc["_type"] = type;
  doc["subject"] = std::move(subjects);
  doc["predicateType"] = predicate_type;
  doc["predicate"] = std::move(predicate);
  return doc;
}

Result<std::map<std::string, std::string>> parse_digest(const util::Json& subject, const ParseLimits& limits)
{
  SIGIL_TRY_ASSIGN(auto digest, util::json_object(subject, "digest"));
  if (digest->empty() || digest->size() > limits.max_digests_per_subject) {
    return fail(ErrorCode::bad_input, fmt::format("field \"digest\" has {} entries (1 to {} allowed)",
                                                  digest->size(), limits.max_digests_per_subject));
  }
  std::map<std::string, std::string> out;
  for (const auto& [alg, hex] : digest->items()) {
    if (!hex.is_string()) {
      return fail(ErrorCode::bad_input,
                  fmt::format("field \"digest\": value of {} is not a string", quote_untrusted(alg)));
    }
    out.emplace(alg, hex.get<std::string>());
  }
  return out;
}

Result<Subject> parse_subject(const util::Json& node, const ParseLimits& limits)
{
  if (!node.is_object()) {
    return fail(ErrorCode::bad_input, "not a JSON object");
  }
  Subject subject;
  if (node.contains("name")) {
    SIGIL_TRY_ASSIGN(auto name, util::json_string(node, "name"));
    subject.name = std::move(name);
  }
  SIGIL_TRY_ASSIGN(auto digest, parse_digest(node, limits));
  subject.digest = std::move(digest);
  SIGIL_TRY_ASSIGN(auto annotations, util::json_optional_object(node, "annotations"));
  if (annotations != nullptr) {
    for (const auto& [key, value] : annotations->items()) {
      if (value.is_string()) {
        subject.annotations.emplace(key, value.get<std::string>());
      }
    }
  }
  return subject;
}

Result<std::vector<Subject>> parse_subjects(const util::Json& doc, const ParseLimits& limits)
{
  SIGIL_TRY_ASSIGN(auto array, util::json_array(doc, "subject"));
  const std::size_t count = array->size();
  if (count == 0) {
    return fail(ErrorCode::bad_input, "field \"subject\" is empty: a statement needs at least one subject");
  }
  if (count > limits.max_subjects) {
    return fail(ErrorCode::bad_input,
                fmt::format("field \"subject\" has {} entries, more than the limit of {}", count, limits.max_subjects));
  }
  std::vector<Subject> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto subject = parse_subject((*array)[i], limits);
    if (!subject) {
      return fail(subject.error().context(fmt::format("subject {}", i)));
    }
    out.push_back(std::move(*subject));
  }
  return out;
}

Result<std::string> parse_type(const util::Json& doc)
{
  SIGIL_TRY_ASSIGN(auto type, util::json_string(doc, "_type"));
  if (type != k_statement_v1 && type != k_statement_v01) {
    return fail(ErrorCode::bad_input, fmt::format("field \"_type\" is {}, not {} or {}", quote_untrusted(type),
                                                  k_statement_v1, k_statement_v01));
  }
  return type;
}

bool iequals(std::string_view a, std::string_view b)
{
  const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

} // namespace

std::span<const PredicateTypeName> predicate_type_names()
{
  return k_predicate_types;
}

Result<std::string> predicate_type_uri(std::string_view name_or_uri)
{
  for (const auto& p : k_predicate_types) {
    if (p.name == name_or_uri) {
      return std::string(p.uri);
    }
  }
  if (is_absolute_uri(name_or_uri)) {
    return std::string(name_or_uri);
  }
  return fail(ErrorCode::usage, fmt::format("unknown predicate type {}: use one of {}, or an absolute URI "
                                            "(e.g. https://example.com/my-predicate/v1)",
                                            quote_untrusted(name_or_uri), known_names()));
}

Result<std::string> build_statement(const StatementRequest& request)
{
  if (request.type != k_statement_v1 && request.type != k_statement_v01) {
    return fail(ErrorCode::bad_input,
                fmt::format("unsupported in-toto statement type {}", quote_untrusted(request.type)));
  }
  if (request.predicate_type.empty()) {
    return fail(ErrorCode::bad_input, "an in-toto statement needs a predicate type");
  }
  SIGIL_TRY_ASSIGN(auto subjects, subjects_json(request.subjects));
  auto predicate = util::parse_ordered_json_strict(request.predicate_json);
  if (!predicate) {
    return fail(predicate.error().context("predicate"));
  }
  if (!predicate->is_object()) {
    return fail(ErrorCode::bad_input, fmt::format("predicate must be a JSON object, not {}", predicate->type_name()));
  }
  return util::dump_json(
      statement_json(request.type, std::move(subjects), request.predicate_type, std::move(*predicate)));
}

std::string custom_predicate(std::string_view data, std::string_view rfc3339_timestamp)
{
  util::OrderedJson doc;
  doc["Data"] = go_string(data);
  doc["Timestamp"] = std::string(rfc3339_timestamp);
  return util::dump_json(doc);
}

std::string cosign_sign_statement(const oci::Digest& image_digest,
                                  const std::map<std::string, std::string>& annotations)
{
  const Subject subject{
      {}, {{std::string(oci::algorithm_name(image_digest.algorithm)), image_digest.hex}}, annotations};
  util::OrderedJson subjects = util::OrderedJson::array();
  subjects.push_back(subject_json(subject));
  return util::dump_json(
      statement_json(k_statement_v1, std::move(subjects), k_cosign_sign_predicate_type, util::OrderedJson::object()));
}

Result<Statement> parse_statement(std::string_view json, const ParseLimits& limits)
{
  constexpr std::string_view ctx = "malformed in-toto statement";
  auto doc = util::parse_json_strict(json, limits.max_depth);
  if (!doc) {
    return fail(doc.error().context(ctx));
  }
  if (!doc->is_object()) {
    return fail(ErrorCode::bad_input, fmt::format("{}: not a JSON object", ctx));
  }
  auto type = parse_type(*doc);
  if (!type) {
    return fail(type.error().context(ctx));
  }
  auto subjects = parse_subjects(*doc, limits);
  if (!subjects) {
    return fail(subjects.error().context(ctx));
  }
  auto predicate_type = util::json_string(*doc, "predicateType");
  if (!predicate_type) {
    return fail(predicate_type.error().context(ctx));
  }
  if (predicate_type->empty()) {
    return fail(ErrorCode::bad_input, fmt::format("{}: field \"predicateType\" is empty", ctx));
  }
  auto predicate = util::json_optional_object(*doc, "predicate");
  if (!predicate) {
    return fail(predicate.error().context(ctx));
  }
  Statement out{std::move(*type),
                std::move(*subjects),
                std::move(*predicate_type),
                *predicate != nullptr ? **predicate : util::Json(nullptr),
                {}};
  out.raw = std::move(*doc);
  return out;
}

bool has_subject_digest(const Statement& statement, std::string_view alg, std::string_view hex)
{
  if (alg.empty() || hex.empty()) {
    return false;
  }
  return std::ranges::any_of(statement.subjects, [&](const Subject& s) {
    const auto it = s.digest.find(std::string(alg));
    return it != s.digest.end() && iequals(it->second, hex);
  });
}

} // namespace sigil::intoto
