#include "sigil/policy/conditions.hpp"

#include "sigil/util/string.hpp"

#include <fmt/format.h>

#include <cctype>

namespace sigil::policy {

namespace {

// Longest array index token looked at: 19 digits always fit in std::size_t.
constexpr std::size_t k_max_index_digits = 19;

// RFC 6901 array index: "0" or a digit string without a leading zero, below size.
std::optional<std::size_t> array_index(const std::string& token, std::size_t size)
{
  if (token.empty() || token.size() > k_max_index_digits || (token.size() > 1 && token[0] == '0')) {
    return std::nullopt;
  }
  std::size_t index = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  if (index >= size) {
    return std::nullopt;
  }
  return index;
}

std::string lowercase_first(std::string text)
{
  if (!text.empty()) {
    text[0] = util::to_lower(text[0]);
  }
  return text;
}

Result<std::shared_ptr<const std::regex>> compile_pattern(const std::string& pattern)
{
  if (pattern.size() > k_max_pattern) {
    return fail(ErrorCode::usage, fmt::format("regular expression is {} bytes long; at most {} are allowed",
                                              pattern.size(), k_max_pattern));
  }
  auto flags = std::regex_constants::ECMAScript;
#if defined(__GLIBCXX__)
  // libstdc++ extension: the non-recursive executor (see the header).
  flags |= std::regex_constants::__polynomial;
#endif
  try {
    return std::make_shared<const std::regex>(pattern, flags);
  } catch (const std::regex_error& e) {
    return fail(ErrorCode::usage,
                fmt::format("invalid regular expression \"{}\": {}", pattern, lowercase_first(e.what())));
  }
}

std::string expected_text(const Condition& condition)
{
  switch (condition.match) {
  case Match::exact: return condition.expected;
  case Match::regexp: return "regexp " + condition.expected;
  }
  return condition.expected;
}

std::optional<ConditionFailure> evaluate_regexp(const Condition& condition, const std::string& text)
{
  ConditionFailure failure{condition.pointer, expected_text(condition), shown(text)};
  if (text.size() > k_max_regexp_text) {
    failure.found = fmt::format("<a text of {} bytes: longer than the {} a regexp is matched against>", text.size(),
                                k_max_regexp_text);
    return failure;
  }
  if (!condition.regex) {
    failure.found = "<regexp not compiled: make conditions with parse_condition>";
    return failure;
  }
  try {
    if (std::regex_match(text, *condition.regex)) {
      return std::nullopt;
    }
  } catch (const std::regex_error& e) {
    failure.found = fmt::format("<regexp could not be evaluated: {}>", lowercase_first(e.what()));
  }
  return failure;
}

} // namespace

Result<std::vector<std::string>> parse_json_pointer(std::string_view pointer)
{
  std::vector<std::string> tokens;
  if (pointer.empty()) {
    return tokens;
  }
  if (pointer.front() != '/') {
    return fail(ErrorCode::usage, fmt::format("json pointer \"{}\" must be empty or start with \"/\"", pointer));
  }
  std::string token;
  for (std::size_t i = 1; i < pointer.size(); ++i) {
    const char c = pointer[i];
    if (c == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (c != '~') {
      token += c;
    } else if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
      token += pointer[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      return fail(
          ErrorCode::usage,
          fmt::format("json pointer \"{}\": \"~\" must be followed by 0 or 1 (~0 means ~, ~1 means /)", pointer));
    }
  }
  tokens.push_back(std::move(token));
  return tokens;
}

const util::Json* resolve_json_pointer(const util::Json& document, std::span<const std::string> tokens)
{
  const util::Json* current = &document;
  for (const auto& token : tokens) {
    if (current->is_object()) {
      const auto it = current->find(token);
      if (it == current->end()) {
        return nullptr;
      }
      current = &*it;
    } else if (current->is_array()) {
      const auto index = array_index(token, current->size());
      if (!index) {
        return nullptr;
      }
      current = &(*current)[*index];
    } else {
      return nullptr;
    }
  }
  return current;
}

std::string match_text(const util::Json& value)
{
  if (value.is_string()) {
    return value.get_ref<const std::string&>();
  }
  return util::dump_json(value);
}

Result<Condition> parse_condition(std::string_view text, Match match)
{
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    return fail(
        ErrorCode::usage,
        fmt::format(
            "condition \"{}\" has no \"=\": write POINTER=VALUE, e.g. /predicateType=https://slsa.dev/provenance/v1",
            text));
  }
  Condition condition{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)), match, {}, nullptr};
  auto tokens = parse_json_pointer(condition.pointer);
  if (!tokens) {
    return with_context(tokens, fmt::format("condition \"{}\"", text));
  }
  condition.tokens = std::move(*tokens);
  switch (match) {
  case Match::exact: break;
  case Match::regexp: {
    auto regex = compile_pattern(condition.expected);
    if (!regex) {
      return with_context(regex, fmt::format("condition \"{}\"", text));
    }
    condition.regex = std::move(*regex);
    break;
  }
  }
  return condition;
}

std::optional<ConditionFailure> evaluate(const Condition& condition, const util::Json& document)
{
  const util::Json* value = resolve_json_pointer(document, condition.tokens);
  if (value == nullptr) {
    return ConditionFailure{condition.pointer, expected_text(condition), std::string(k_absent)};
  }
  const std::string text = match_text(*value);
  switch (condition.match) {
  case Match::exact:
    if (text == condition.expected) {
      return std::nullopt;
    }
    return ConditionFailure{condition.pointer, condition.expected, shown(text)};
  case Match::regexp: return evaluate_regexp(condition, text);
  }
  return ConditionFailure{condition.pointer, expected_text(condition), shown(text)};
}

std::string describe(const ConditionFailure& failure)
{
  return fmt::format("{}: expected {}, found {}", failure.pointer.empty() ? "(the whole statement)" : failure.pointer,
                     failure.expected, failure.found);
}

std::string shown(std::string_view text)
{
  if (text.size() <= k_max_found_shown) {
    return std::string(text);
  }
  std::size_t cut = k_max_found_shown;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
    --cut;
  }
  return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
}

} // namespace sigil::policy
