// Fuzz target: policy conditions (sigil::policy::parse_condition, evaluate, and the JSON
// pointers under them).
//
// Input: one byte choosing the match ('r' regexp, anything else exact), the condition
// "POINTER=VALUE" up to the first newline, then the JSON document it is evaluated against.
//
// The fuzz build uses libc++, whose std::regex backtracks (recursion and time exponential in
// the text), while sigil's real builds use libstdc++'s polynomial executor. So a regexp is
// compiled for every input but matched only against texts of at most k_max_regexp_fuzz_text
// bytes: enough to test evaluate()'s use of the match, without fuzzing libc++'s engine.
//
// Invariants:
//   * parse_condition splits at the first '=': pointer and expected are the two parts, and
//     re-escaping the tokens ("~" -> "~0", "/" -> "~1") gives the pointer back;
//   * errors are usage;
//   * evaluate agrees with resolve_json_pointer and match_text: an exact condition holds
//     exactly when the value's text equals VALUE; a failure names the pointer and reports
//     "<absent>" exactly when nothing is there; what it shows is bounded.
#include "fuzz.hpp"

#include "sigil/policy/conditions.hpp"

namespace {

constexpr std::size_t k_max_regexp_fuzz_text = 48;

using sigil::policy::Condition;
using sigil::policy::Match;

std::string escape_tokens(const std::vector<std::string>& tokens)
{
  std::string out;
  for (const auto& token : tokens) {
    out += '/';
    for (const char c : token) {
      out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    }
  }
  return out;
}

void check_evaluate(const Condition& condition, const sigil::util::Json& document)
{
  const sigil::util::Json* value = sigil::policy::resolve_json_pointer(document, condition.tokens);
  if (condition.match == Match::regexp && value != nullptr &&
      sigil::policy::match_text(*value).size() > k_max_regexp_fuzz_text) {
    return;
  }
  const auto failure = sigil::policy::evaluate(condition, document);
  if (!failure) {
    SIGIL_FUZZ_CHECK(value != nullptr);
    if (condition.match == Match::exact) {
      SIGIL_FUZZ_CHECK(sigil::policy::match_text(*value) == condition.expected);
    }
    return;
  }
  SIGIL_FUZZ_CHECK(failure->pointer == condition.pointer);
  if (value == nullptr) {
    SIGIL_FUZZ_CHECK(failure->found == sigil::policy::k_absent);
  } else if (failure->found == sigil::policy::k_absent) {
    SIGIL_FUZZ_CHECK(sigil::policy::match_text(*value) == sigil::policy::k_absent); // the value is that text
  }
  if (value != nullptr && condition.match == Match::exact) {
    SIGIL_FUZZ_CHECK(sigil::policy::match_text(*value) != condition.expected);
  }
  SIGIL_FUZZ_CHECK(failure->found.size() <= sigil::policy::k_max_found_shown + 64);
  SIGIL_FUZZ_CHECK(!sigil::policy::describe(*failure).empty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  if (size == 0) {
    return 0;
  }
  const Match match = data[0] == 'r' ? Match::regexp : Match::exact;
  const std::string_view rest = sigil::fuzz::as_text(data + 1, size - 1);
  const std::size_t newline = rest.find('\n');
  const std::string_view text = rest.substr(0, newline);
  const std::string_view document_text = newline == std::string_view::npos ? "" : rest.substr(newline + 1);

  if (auto tokens = sigil::policy::parse_json_pointer(text)) {
    SIGIL_FUZZ_CHECK(escape_tokens(*tokens) == text);
  }
  auto condition = sigil::policy::parse_condition(text, match);
  if (!condition) {
    SIGIL_FUZZ_CHECK(condition.error().code == sigil::ErrorCode::usage);
    return 0;
  }
  const std::size_t eq = text.find('=');
  SIGIL_FUZZ_CHECK(condition->pointer == text.substr(0, eq) && condition->expected == text.substr(eq + 1));
  SIGIL_FUZZ_CHECK(escape_tokens(condition->tokens) == condition->pointer);
  SIGIL_FUZZ_CHECK((condition->regex != nullptr) == (match == Match::regexp));
  auto document = sigil::util::parse_json(document_text);
  if (document) {
    check_evaluate(*condition, *document);
  }
  return 0;
}
