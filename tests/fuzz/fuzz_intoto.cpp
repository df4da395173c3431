// Fuzz target: in-toto statements (sigil::intoto::parse_statement, build_statement,
// has_subject_digest).
//
// Invariants:
//   * a statement that parses is unambiguous (the lenient parser reads the same document)
//     and within the limits (1..max_subjects subjects, 1..max_digests_per_subject digests);
//   * nothing may follow the document: with one more byte appended, the statement is refused;
//   * the parsed fields are the document's (type, predicateType, predicate);
//   * has_subject_digest finds every subject digest, in either case of hex;
//   * build_statement writes what parse_statement reads: rebuilding from the parsed fields
//     (when every digest has a non-empty algorithm and value, which build requires) and
//     parsing again gives the same statement, and building again gives the same bytes;
//   * custom_predicate takes any bytes as data (the input itself): the result is a JSON object
//     whose "Data" is the data with invalid UTF-8 replaced as Go's json.Marshal (and
//     util::go_json_quote) replaces it, one U+FFFD per invalid byte;
//   * errors are bad_input.
#include "fuzz.hpp"

#include "sigil/intoto/statement.hpp"
#include "sigil/util/go_json.hpp"
#include "sigil/util/json_strict.hpp"

#include <algorithm>

namespace {

using sigil::intoto::Statement;
using sigil::intoto::Subject;

std::string upper(std::string text)
{
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return text;
}

bool same_subjects(const std::vector<Subject>& a, const std::vector<Subject>& b)
{
  return std::ranges::equal(a, b, [](const Subject& x, const Subject& y) {
    return x.name == y.name && x.digest == y.digest && x.annotations == y.annotations;
  });
}

void check_rebuild(const Statement& statement)
{
  const bool buildable = std::ranges::all_of(statement.subjects, [](const Subject& s) {
    return std::ranges::none_of(s.digest, [](const auto& kv) { return kv.first.empty() || kv.second.empty(); });
  });
  if (!buildable) {
    return;
  }
  const sigil::intoto::StatementRequest request{
      .type = statement.type,
      .subjects = statement.subjects,
      .predicate_type = statement.predicate_type,
      .predicate_json = statement.predicate.is_null() ? std::string("{}") : sigil::util::dump_json(statement.predicate)};
  auto built = sigil::intoto::build_statement(request);
  SIGIL_FUZZ_CHECK(built.has_value());
  auto again = sigil::intoto::parse_statement(*built);
  SIGIL_FUZZ_CHECK(again.has_value());
  SIGIL_FUZZ_CHECK(again->type == statement.type && again->predicate_type == statement.predicate_type);
  SIGIL_FUZZ_CHECK(same_subjects(again->subjects, statement.subjects));
  SIGIL_FUZZ_CHECK(again->predicate == (statement.predicate.is_null() ? sigil::util::Json::object() : statement.predicate));
  const sigil::intoto::StatementRequest request_again{.type = again->type,
                                                      .subjects = again->subjects,
                                                      .predicate_type = again->predicate_type,
                                                      .predicate_json = sigil::util::dump_json(again->predicate)};
  auto built_again = sigil::intoto::build_statement(request_again);
  SIGIL_FUZZ_CHECK(built_again.has_value() && *built_again == *built);
}

void check_custom_predicate(std::string_view data)
{
  auto predicate = sigil::util::parse_json_strict(sigil::intoto::custom_predicate(data, "2024-01-02T03:04:05Z"));
  SIGIL_FUZZ_CHECK(predicate.has_value() && predicate->is_object() && predicate->size() == 2);
  auto as_go_reads_it = sigil::util::parse_json(sigil::util::go_json_quote(data));
  SIGIL_FUZZ_CHECK(as_go_reads_it.has_value() && as_go_reads_it->is_string());
  SIGIL_FUZZ_CHECK((*predicate)["Data"] == *as_go_reads_it);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view json = sigil::fuzz::as_text(data, size);
  check_custom_predicate(json);
  auto statement = sigil::intoto::parse_statement(json);
  if (!statement) {
    SIGIL_FUZZ_CHECK(statement.error().code == sigil::ErrorCode::bad_input);
    return 0;
  }
  const sigil::intoto::ParseLimits limits;
  auto lenient = sigil::util::parse_json(json);
  SIGIL_FUZZ_CHECK(lenient.has_value() && *lenient == statement->raw);
  SIGIL_FUZZ_CHECK(!sigil::intoto::parse_statement(std::string(json) + "x"));
  SIGIL_FUZZ_CHECK(statement->type == sigil::intoto::k_statement_v1 || statement->type == sigil::intoto::k_statement_v01);
  SIGIL_FUZZ_CHECK(statement->raw["_type"] == statement->type);
  SIGIL_FUZZ_CHECK(!statement->predicate_type.empty() && statement->raw["predicateType"] == statement->predicate_type);
  SIGIL_FUZZ_CHECK(statement->predicate.is_null() || statement->predicate.is_object());
  if (statement->raw.contains("predicate")) {
    SIGIL_FUZZ_CHECK(statement->raw["predicate"] == statement->predicate);
  }
  SIGIL_FUZZ_CHECK(!statement->subjects.empty() && statement->subjects.size() <= limits.max_subjects);
  for (const auto& subject : statement->subjects) {
    SIGIL_FUZZ_CHECK(!subject.digest.empty() && subject.digest.size() <= limits.max_digests_per_subject);
    for (const auto& [alg, hex] : subject.digest) {
      const bool findable = !alg.empty() && !hex.empty();
      SIGIL_FUZZ_CHECK(sigil::intoto::has_subject_digest(*statement, alg, hex) == findable);
      SIGIL_FUZZ_CHECK(sigil::intoto::has_subject_digest(*statement, alg, upper(hex)) == findable);
    }
  }
  check_rebuild(*statement);
  return 0;
}
