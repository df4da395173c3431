// sigil::policy conditions — "this field of the statement must have this value".
//
//   auto c = parse_condition("/predicate/buildDefinition/buildType=https://example/bt/v1", Match::exact);
//   auto failure = evaluate(*c, statement_json); // nullopt: the condition holds
//
// A condition is "POINTER=VALUE", split at the FIRST "=": the pointer cannot contain "="
// (RFC 6901 has no escape for it), the value may. POINTER is an RFC 6901 JSON pointer into
// the whole in-toto statement: "" is the document itself, otherwise it starts with "/" and
// each "/"-separated token names an object member or an array index; "~1" stands for "/"
// and "~0" for "~" (any other "~" is malformed). Array indices are "0" or digits without a
// leading zero; "-" (the element after the last) and anything else resolve to nothing.
//
// The value a pointer resolves to is compared as text (match_text): a string as itself,
// anything else as its compact JSON text (3, true, null, {"a":1}; object members in
// sorted order, since util::Json sorts them).
//   Match::exact   the text equals VALUE.
//   Match::regexp  VALUE is an ECMAScript regular expression that must match the WHOLE text
//                  (std::regex_match: "v1" does not match "v1.2"; write "v1.*"). It is
//                  compiled once, at parse time; an invalid pattern is a usage error.
// Bounds (rule 8): a pattern is at most k_max_pattern bytes and a text longer than
// k_max_regexp_text is never matched (the condition fails and says so). With libstdc++ the
// pattern is compiled in its polynomial mode (a Thompson-style executor: time linear in the
// text, stack bounded by the pattern, back-references refused at parse time), because its
// default backtracking executor recurses once per character and overflows the stack on
// texts of about ten thousand characters with a pattern as plain as "(a|b)*".
//
// A failure names the pointer, the expected value (a regexp as "regexp <pattern>") and what
// was found: the text as above, or "<absent>" when the pointer resolves to nothing. Found
// texts longer than k_max_found_shown bytes are cut there and marked with their full size.
// Nothing here throws.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/json.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::policy {

enum class Match { exact, regexp };

constexpr std::size_t k_max_pattern = 1024;
constexpr std::size_t k_max_regexp_text = std::size_t{64} << 10; // 64 KiB
constexpr std::size_t k_max_found_shown = 1024;
// What a failure reports as found when the pointer resolves to nothing.
constexpr std::string_view k_absent = "<absent>";

struct Condition {
  std::string pointer;  // as given
  std::string expected; // VALUE as given (the pattern, for Match::regexp)
  Match match = Match::exact;
  std::vector<std::string> tokens;         // the pointer's reference tokens, unescaped
  std::shared_ptr<const std::regex> regex; // compiled VALUE when match == Match::regexp
};

struct ConditionFailure {
  std::string pointer;  // the JSON pointer (or field) that did not hold
  std::string expected; // what was wanted
  std::string found;    // what was there; k_absent when nothing
};

// The reference tokens of an RFC 6901 pointer, unescaped. Errors are usage and name the
// pointer: it must be "" or start with "/", and "~" must be followed by "0" or "1".
[[nodiscard]] Result<std::vector<std::string>> parse_json_pointer(std::string_view pointer);

// The value the tokens lead to, or nullptr when there is none.
[[nodiscard]] const util::Json* resolve_json_pointer(const util::Json& document, std::span<const std::string> tokens);

// The text a value is compared as: a string as is, anything else compact JSON.
[[nodiscard]] std::string match_text(const util::Json& value);

// Parses "POINTER=VALUE". Errors are usage: no "=", a malformed pointer, a pattern that is
// too long, invalid, or uses back-references.
[[nodiscard]] Result<Condition> parse_condition(std::string_view text, Match match);

// nullopt when the condition holds for the document, else what failed.
[[nodiscard]] std::optional<ConditionFailure> evaluate(const Condition& condition, const util::Json& document);

// "POINTER: expected EXPECTED, found FOUND" for messages.
[[nodiscard]] std::string describe(const ConditionFailure& failure);

// found text for a failure: cut to k_max_found_shown bytes (at a UTF-8 character boundary)
// with the full size appended when longer.
[[nodiscard]] std::string shown(std::string_view text);

} // namespace sigil::policy
